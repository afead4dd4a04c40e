package tea

// Tests for the cdflogin patch (PATCHES.md): the renderer ticks only while
// there is something to draw.

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer the test can read while the renderer writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type setCount int

type countModel struct{ n int }

func (m countModel) Init() Cmd { return nil }

func (m countModel) Update(msg Msg) (Model, Cmd) {
	switch msg := msg.(type) {
	case setCount:
		m.n = int(msg)
	case KeyPressMsg:
		if msg.String() == "q" {
			return m, Quit
		}
	}
	return m, nil
}

// View shows the count, and puts it in the window title too: the renderer
// writes a changed title whole, where it would write only the changed
// cells of the content.
func (m countModel) View() View {
	v := NewView(fmt.Sprintf("count %d", m.n))
	v.WindowTitle = fmt.Sprintf("title %d", m.n)
	return v
}

// startIdleProgram runs a countModel at 120 FPS and waits for its first frame.
func startIdleProgram(t *testing.T) (*Program, *lockedBuffer) {
	t.Helper()
	out := &lockedBuffer{}
	inR, inW := io.Pipe()
	t.Cleanup(func() { _ = inW.Close() })
	p := NewProgram(countModel{}, WithInput(inR), WithOutput(out), WithFPS(120), WithWindowSize(80, 24), WithContext(t.Context()))
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	t.Cleanup(func() {
		p.Quit()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("program did not stop")
		}
	})
	waitFor(t, "first frame", func() bool { return strings.Contains(out.String(), "count 0") })
	return p, out
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitIdle waits until the renderer's tick count stops moving.
func waitIdle(t *testing.T, p *Program) int64 {
	t.Helper()
	var last int64 = -1
	waitFor(t, "the renderer to go idle", func() bool {
		now := p.rendererTicks.Load()
		if now == last {
			return true
		}
		last = now
		time.Sleep(50 * time.Millisecond) // six frames at 120 FPS
		return false
	})
	return last
}

func TestRendererStopsTickingWhenIdle(t *testing.T) {
	p, _ := startIdleProgram(t)
	idle := waitIdle(t, p)
	// An unpatched renderer would tick ~36 times in this window.
	time.Sleep(300 * time.Millisecond)
	if got := p.rendererTicks.Load(); got != idle {
		t.Fatalf("renderer ticked %d times while nothing changed", got-idle)
	}
}

func TestRendererWakesForANewView(t *testing.T) {
	p, out := startIdleProgram(t)
	waitIdle(t, p)
	p.Send(setCount(7))
	waitFor(t, "the new view", func() bool { return strings.Contains(out.String(), "title 7") })
	waitIdle(t, p)
}

func TestRendererWakesForQueuedOutput(t *testing.T) {
	p, out := startIdleProgram(t)
	waitIdle(t, p)
	// Output queued outside the event loop (no new view) must still reach
	// the terminal.
	p.execute("\x1b]2;queued\x07")
	waitFor(t, "the queued sequence", func() bool { return strings.Contains(out.String(), "queued") })
}

func TestRendererDrawsTheLastOfABurst(t *testing.T) {
	p, out := startIdleProgram(t)
	waitIdle(t, p)
	before := p.rendererTicks.Load()
	for i := 1; i <= 200; i++ {
		p.Send(setCount(i))
	}
	waitFor(t, "the last view of the burst", func() bool { return strings.Contains(out.String(), "title 200") })
	after := waitIdle(t, p)
	// The ticker rate-limits a burst: far fewer frames than messages.
	if frames := after - before; frames >= 200 {
		t.Fatalf("%d frame ticks for 200 messages: the burst was not coalesced", frames)
	}
}

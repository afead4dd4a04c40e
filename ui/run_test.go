package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// runProgram runs the real program on a pipe until ctrl+c.
func runProgram(t *testing.T, env map[string]string, accessible bool) (string, error) {
	t.Helper()
	clock := &fakeClock{t: t0}
	inR, inW := io.Pipe()
	var out syncBuffer
	cfg := Config{
		Store: &fakeStore{ps: []profiles.Profile{devProfile}}, Auth: newFakeAuth(clock), Now: clock.Now,
		In: inR, Out: &out, Getenv: func(k string) string { return env[k] }, Accessible: accessible,
		Width: 80, Height: 24,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	// Keys go in once the first frame with the profile is out.
	go func() {
		for ctx.Err() == nil && !strings.Contains(out.String(), "dev") {
			time.Sleep(10 * time.Millisecond)
		}
		_, _ = inW.Write([]byte("\x03"))
	}()
	err := <-done
	_ = inW.Close()
	return out.String(), err
}

// syncBuffer is a buffer the program writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunCtrlCIsCancelled(t *testing.T) {
	_, err := runProgram(t, map[string]string{"TERM": "xterm-256color"}, false)
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("ctrl+c: %v, want ErrCancelled and context.Canceled", err)
	}
	if err.Error() != "cancelled" {
		t.Errorf("message %q, want \"cancelled\"", err.Error())
	}
}

func TestRunRequiresStoreAndAuth(t *testing.T) {
	if err := Run(context.Background(), Config{}); err == nil {
		t.Fatal("Run without Store and Auth succeeded")
	}
}

func TestRunColourAndPlainModes(t *testing.T) {
	const fg = "\x1b[38;"     // a foreground colour
	const alt = "\x1b[?1049h" // the alternate screen
	for _, tc := range []struct {
		name                string
		env                 map[string]string
		accessible          bool
		wantColour, wantAlt bool
	}{
		// The output is a pipe: CLICOLOR_FORCE makes it count as a colour terminal.
		{"colour terminal", map[string]string{"TERM": "xterm-256color", "CLICOLOR_FORCE": "1"}, false, true, true},
		{"NO_COLOR", map[string]string{"TERM": "xterm-256color", "CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false, false, true},
		{"--accessible", map[string]string{"TERM": "xterm-256color", "CLICOLOR_FORCE": "1"}, true, false, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runProgram(t, tc.env, tc.accessible)
			if !errors.Is(err, ErrCancelled) {
				t.Fatalf("run: %v", err)
			}
			if got := strings.Contains(out, fg); got != tc.wantColour {
				t.Errorf("colour in output = %v, want %v", got, tc.wantColour)
			}
			if got := strings.Contains(out, alt); got != tc.wantAlt {
				t.Errorf("alternate screen = %v, want %v", got, tc.wantAlt)
			}
		})
	}
}

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

// runProgram runs the real program on a pipe until ctrl+c, which it
// presses once the output shows wait ("dev" when empty); start, when set,
// opens the program at that profile's sign-in.
func runProgram(t *testing.T, env map[string]string, accessible bool, start, wait string) (string, error) {
	t.Helper()
	if wait == "" {
		wait = "dev"
	}
	clock := &fakeClock{t: t0}
	inR, inW := io.Pipe()
	var out syncBuffer
	cfg := Config{
		Store: &fakeStore{ps: []profiles.Profile{devProfile}}, Auth: newFakeAuth(clock), Now: clock.Now,
		In: inR, Out: &out, Getenv: func(k string) string { return env[k] }, Accessible: accessible,
		Width: 80, Height: 24, StartProfile: start,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	// Keys go in once the first frame with the profile is out.
	go func() {
		for ctx.Err() == nil && !strings.Contains(out.String(), wait) {
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

// ctrl+c during a sign-in cancels it: Run says so (exit code 130 in the
// command). With nothing in flight it ends the program as q does.
func TestRunCtrlC(t *testing.T) {
	env := map[string]string{"TERM": "xterm-256color"}
	_, err := runProgram(t, env, false, "dev", "ABCD-EFGH")
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("ctrl+c during a sign-in: %v, want ErrCancelled and context.Canceled", err)
	}
	if err.Error() != "sign-in cancelled" {
		t.Errorf("message %q, want \"sign-in cancelled\"", err.Error())
	}
	if _, err := runProgram(t, env, false, "", ""); err != nil {
		t.Fatalf("ctrl+c on the profile list: %v, want nil (as q)", err)
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
			out, err := runProgram(t, tc.env, tc.accessible, "", "")
			if err != nil {
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

// TestPlainOutputHasNoEscapes: --accessible and TERM=dumb write a
// transcript: not one escape sequence (no cursor movement, no colour, no
// terminal question), whatever the screens shown. The sign-in goes from
// the profile list through the device code to the token and back.
func TestPlainOutputHasNoEscapes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		env        map[string]string
		accessible bool
		enter      string
	}{
		{"--accessible", map[string]string{"TERM": "xterm-256color", "CLICOLOR_FORCE": "1"}, true, "\r"},
		// Emacs' shell mode: a line feed ends each line (and means enter).
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, false, "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: t0}
			auth := newFakeAuth(clock)
			inR, inW := io.Pipe()
			var out syncBuffer
			cfg := Config{
				Store: &fakeStore{ps: []profiles.Profile{devProfile}}, Auth: auth, Now: clock.Now,
				In: inR, Out: &out, Getenv: func(k string) string { return tc.env[k] }, Accessible: tc.accessible,
				Width: 80, Height: 24,
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- Run(ctx, cfg) }()
			wait := func(s string) {
				t.Helper()
				for !strings.Contains(out.String(), s) {
					select {
					case <-ctx.Done():
						t.Fatalf("waiting for %q; output:\n%s", s, out.String())
					case <-time.After(10 * time.Millisecond):
					}
				}
			}
			key := func(k string) {
				t.Helper()
				if _, err := inW.Write([]byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			wait("dev")
			key(tc.enter) // the profile
			wait("Device code")
			key(tc.enter) // the flow
			wait("ABCD-EFGH")
			auth.approve <- struct{}{}
			wait("Valid until")
			key("\t") // the access token's claims
			wait("Audience: who the token is for")
			key("?")
			wait("close help")
			key("q")
			if err := <-done; err != nil {
				t.Fatalf("run: %v", err)
			}
			_ = inW.Close()
			o := out.String()
			if i := strings.IndexByte(o, 0x1b); i >= 0 {
				t.Fatalf("an escape sequence in plain output at byte %d: %q", i, o[max(i-40, 0):min(i+40, len(o))])
			}
			// A transcript: the device code page is written once, not
			// redrawn with every second.
			if n := strings.Count(o, "ABCD-EFGH"); n != 1 {
				t.Errorf("the device code is written %d times, want once:\n%s", n, o)
			}
		})
	}
}

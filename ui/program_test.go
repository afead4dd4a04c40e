package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// TestProgramSecretSignIn runs the whole program in a real Bubble Tea
// program (teatest) at a fixed 80×24 size with a fixed clock: the profile
// list appears, enter picks the app profile, enter its flow, and the token
// screen shows the live indicator; q quits. The final frame is golden.
func TestProgramSecretSignIn(t *testing.T) {
	clock := &fakeClock{t: t0}
	auth := newFakeAuth(clock)
	store := &fakeStore{ps: []profiles.Profile{secretProfile}}
	cfg := Config{Store: store, Auth: auth, Now: clock.Now, Width: 80, Height: 24,
		Getenv: func(string) string { return "" }}.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := newApp(ctx, cfg)
	t.Cleanup(func() { cancel(); m.stopWork(); m.wait(5 * time.Second) })

	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))

	waitOutput(t, tm, "robot")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitOutput(t, tm, "Client secret")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitOutput(t, tm, "Valid")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})

	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*app)
	if !ok {
		t.Fatal("the final model is not the app")
	}
	view := final.View().Content
	for _, want := range []string{"Token · robot", "refresh"} {
		if !strings.Contains(view, want) {
			t.Errorf("final frame lacks %q:\n%s", want, view)
		}
	}
	golden.RequireEqual(t, []byte(ansi.Strip(view)))
}

// waitOutput waits until the program has drawn text.
func waitOutput(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

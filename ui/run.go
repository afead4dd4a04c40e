package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// ErrCancelled is returned by Run when the person pressed ctrl+c while a
// sign-in or a refresh was in flight.
var ErrCancelled = errors.New("cancelled")

// ErrTryDemo is returned by Run when the person chose to try the demo
// (Config.OfferDemo): the command then starts it.
var ErrTryDemo = errors.New("the demo was chosen")

// cancelled is Run's error for ctrl+c during a sign-in or a refresh: it
// says what was cancelled and matches both ErrCancelled and
// context.Canceled.
type cancelled struct{ what string }

func (c cancelled) Error() string { return c.what + " cancelled" }
func (cancelled) Unwrap() []error { return []error{ErrCancelled, context.Canceled} }

// Run starts the interactive program and blocks until the person quits or
// ctx ends. ctrl+c while a sign-in or a refresh is in flight returns an
// error wrapping ErrCancelled and context.Canceled; q, and ctrl+c with
// nothing in flight, return nil; choosing the demo returns ErrTryDemo.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Store == nil || cfg.Auth == nil {
		return errors.New("ui: Config.Store and Config.Auth are required")
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var m *app
	opts := []tea.ProgramOption{
		tea.WithContext(ctx),
		tea.WithInput(cfg.In),
		tea.WithOutput(cfg.Out),
		tea.WithEnvironment(environ(cfg.Getenv)),
	}
	if cfg.plain() {
		// A transcript, never redrawn (transcript.go): no renderer, no
		// colour, no escape sequences. Without its renderer Bubble Tea
		// leaves the terminal as it is, so the program sets it up itself:
		// keys one at a time (raw mode), and the window's width for the
		// text.
		opts = append(opts, tea.WithoutRenderer(), tea.WithColorProfile(colorprofile.Ascii))
		if restore := rawInput(cfg.In); restore != nil {
			defer restore()
		}
		if cfg.Width == 0 {
			cfg.Width, cfg.Height = windowSize(cfg.Out)
		}
	} else if cfg.Getenv("NO_COLOR") != "" {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if cfg.Width > 0 && cfg.Height > 0 {
		opts = append(opts, tea.WithWindowSize(cfg.Width, cfg.Height))
	}
	m = newApp(ctx, cfg)
	final, err := tea.NewProgram(m, opts...).Run()
	cancel()
	what := ""
	if fm, ok := final.(*app); ok {
		if fm.interrupted {
			what = fm.inFlightName()
		}
		fm.stopWork()
		// Let the sign-in goroutines see the cancellation and return, so
		// the loopback port is released before Run does.
		fm.wait(10 * time.Second)
		switch {
		case fm.interrupted:
			return cancelled{what: what}
		case fm.tryDemo:
			return ErrTryDemo
		}
	}
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return cancelled{what: "the program"}
		}
		if errors.Is(err, tea.ErrInterrupted) {
			return cancelled{what: "the program"}
		}
		return fmt.Errorf("interactive program: %w", err)
	}
	return nil
}

// withDefaults fills the optional fields.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.In == nil {
		c.In = os.Stdin
	}
	if c.Out == nil {
		c.Out = os.Stdout
	}
	if c.RefreshLeeway <= 0 {
		c.RefreshLeeway = 5 * time.Minute
	}
	return c
}

// plain reports whether the program runs without colour and animation.
func (c Config) plain() bool {
	return c.Accessible || c.Getenv("TERM") == "dumb"
}

// environ passes the variables the renderer looks at.
func environ(getenv func(string) string) []string {
	var env []string
	for _, k := range []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLORFGBG", "WT_SESSION", "SSH_TTY", "SSH_CONNECTION", "TMUX", "LANG", "LC_ALL", "LC_CTYPE"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// rawInput puts in, when it is a terminal, in raw mode (keys one at a
// time, no echo) and returns what restores it; nil when in is no
// terminal.
func rawInput(in io.Reader) func() {
	f, ok := in.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	old, err := term.MakeRaw(int(f.Fd()))
	if err != nil {
		return nil
	}
	return func() { _ = term.Restore(int(f.Fd()), old) }
}

// windowSize is out's size when it is a terminal, else 80×24.
func windowSize(out io.Writer) (int, int) {
	if f, ok := out.(interface{ Fd() uintptr }); ok {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil && w > 0 && h > 0 {
			return w, h
		}
	}
	return 80, 24
}

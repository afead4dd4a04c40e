// Package login is `cdflogin login`: sign in with a profile, in the
// interactive program on a terminal, or with line-oriented progress on
// stderr (--plain, and whenever stdout or stderr is not a terminal).
package login

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/tui"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/browser"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (cmdutil.Flows, error)
	// Interactive runs the interactive program at the profile's sign-in;
	// nil means plain mode always.
	Interactive func(ctx context.Context, p profiles.Profile, flow profiles.Flow) error
	// Cached reads back what the token cache holds for the profile, to
	// check that the sign-in was saved; nil skips the check.
	Cached func(p profiles.Profile) (*flows.Tokens, error)
	// CacheWritable checks, before a sign-in a person waits for (device
	// code, browser), that the profile's token cache can be saved; nil
	// skips the check.
	CacheWritable func(p profiles.Profile) error

	ProfileName string
	Flow        string
	Plain       bool
}

// NewCmd returns the login command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:      f.IO,
		Now:     f.Now,
		Profile: func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:   func() (cmdutil.Flows, error) { return cmdutil.Service(f) },
		Interactive: func(ctx context.Context, p profiles.Profile, flow profiles.Flow) error {
			return runUI(ctx, f, p, flow)
		},
		Cached: func(p profiles.Profile) (*flows.Tokens, error) {
			svc, err := cmdutil.Service(f)
			if err != nil {
				return nil, err
			}
			return svc.Cached(p)
		},
		CacheWritable: func(p profiles.Profile) error { return cacheWritable(f, p) },
	}
	return newCmd(opts, Run)
}

// cacheWritable checks that the profile's token cache can be saved
// (flows.Service.CheckWritable), with the flows' warnings on stderr.
func cacheWritable(f *cmdutil.Factory, p profiles.Profile) error {
	svc, err := cmdutil.Service(f)
	if err != nil {
		return err
	}
	return svc.CheckWritable(p)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	flowNames := make([]string, len(profiles.Flows))
	for i, fl := range profiles.Flows {
		flowNames[i] = string(fl)
	}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with a profile",
		Long: `Sign in with a profile and cache the tokens for "cdflogin token", "env" and the
other commands.

On a terminal this opens the interactive program at the profile's sign-in.
With --plain, or when stdout or stderr is not a terminal (CI, pipes, scripts),
progress is written line by line on stderr: for the device code the URL and
code to enter, for the browser the URL (printed before the browser is tried),
then "Signed in as … (token valid until …)".`,
		Example: `  cdflogin login -p dev
  cdflogin login -p dev --flow device --plain
  cdflogin login -p ci-secret 2>login.log`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Flow != "" && !validFlow(profiles.Flow(opts.Flow)) {
				return cmdutil.UsageError("--flow %q: use one of %s", opts.Flow, strings.Join(flowNames, ", "))
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to sign in with (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().StringVar(&opts.Flow, "flow", "", "sign-in flow instead of the profile's: "+strings.Join(flowNames, ", "))
	cmd.Flags().BoolVar(&opts.Plain, "plain", false, "line-oriented progress on stderr instead of the interactive program")
	return cmd
}

func validFlow(f profiles.Flow) bool {
	for _, v := range profiles.Flows {
		if f == v {
			return true
		}
	}
	return false
}

// PlainMode reports whether login writes plain progress: asked for, or
// not every stream is a terminal.
func PlainMode(io *cmdutil.IOStreams, plain bool) bool {
	return plain || !io.Interactive()
}

// Run signs in.
func Run(ctx context.Context, opts *Options) error {
	p, err := opts.Profile(opts.ProfileName)
	if err != nil {
		return err
	}
	flow := profiles.Flow(opts.Flow)
	if flow == "" {
		flow = p.Flow
	}
	if err := checkWritable(opts, p, flow); err != nil {
		return err
	}
	if !PlainMode(opts.IO, opts.Plain) && opts.Interactive != nil {
		return opts.Interactive(ctx, p, flow)
	}
	svc, err := opts.Flows()
	if err != nil {
		return err
	}
	pr := &progress{w: opts.IO.ErrOut, now: opts.Now}
	if !flow.IsUser() {
		pr.printf("Signing in with profile %q (%s flow)…", p.Name, flow)
	}
	t, err := svc.Login(ctx, p, flow, pr.event)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			// Said once, by the command (exit code 130).
			return cancelled{"sign-in cancelled; the token cache is unchanged"}
		}
		return cmdutil.FlowError(err, p, flow)
	}
	pr.printf("Signed in as %s (token valid until %s)", cmdutil.Who(t, p), cmdutil.Until(t.ExpiresOn, opts.Now()))
	return checkSaved(opts, p, flow, t)
}

// checkWritable refuses to start a sign-in that a person would wait for
// (device code, browser) when its tokens could not be kept: a full disk,
// or a read-only cache folder or file system. The error has the words of
// the warning that a token is not kept, and names the command to run
// again; nothing is sent to Entra ID. App sign-ins (secret, certificate)
// keep no one waiting: they go on, and checkSaved tells afterwards.
func checkWritable(opts *Options, p profiles.Profile, flow profiles.Flow) error {
	if opts.CacheWritable == nil || !flow.IsUser() {
		return nil
	}
	if err := opts.CacheWritable(p); err != nil {
		return fmt.Errorf("profile %q: no sign-in started, as it could not be kept for the next run: %w, then run cdflogin login -p %s again", p.Name, err, p.Name)
	}
	return nil
}

// checkSaved makes sure that the token cache holds the sign-in, which is
// what login is for. When it could not be saved (a full disk, or a
// read-only cache folder or file system: the flows have warned why, and
// what to do) login says so and fails, so that a script does not go on to
// a command that will find no sign-in.
func checkSaved(opts *Options, p profiles.Profile, flow profiles.Flow, t *flows.Tokens) error {
	if opts.Cached == nil || t.AccessToken == "" {
		return nil
	}
	q := p
	q.Flow = flow
	c, err := opts.Cached(q)
	if err != nil {
		return fmt.Errorf("signed in with profile %q, but the token cache cannot be read back: %w", p.Name, err)
	}
	// A newer token than this one: another cdflogin refreshed meanwhile.
	if c != nil && (c.AccessToken == t.AccessToken || c.ExpiresOn.After(t.ExpiresOn)) {
		return nil
	}
	return fmt.Errorf("signed in with profile %q, but the sign-in was not saved in the token cache, so the next command cannot use it: fix what the warning above says, then run cdflogin login -p %s again", p.Name, p.Name)
}

// progress writes flow events as lines. Events come from the flow's
// goroutine.
type progress struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

func (p *progress) printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", a...)
}

func (p *progress) event(e flows.Event) {
	switch e := e.(type) {
	case flows.DeviceCode:
		// Entra's own message (e.Message) says the same: it is not
		// repeated.
		p.printf("To sign in, open %s and enter the code %s", e.VerificationURL, e.UserCode)
		if !e.ExpiresAt.IsZero() {
			p.printf("Waiting for the sign-in (the code expires at %s)…", cmdutil.Until(e.ExpiresAt, p.now()))
		}
	case flows.BrowserOpening:
		p.printf("Opening the browser to sign in. If it does not open, open this URL yourself:\n  %s", e.URL)
	case flows.BrowserFailed:
		p.printf("%s: open the URL above in a browser on this machine.", browserFailure(e.Err))
	case flows.WaitingForRedirect:
		if e.Deadline.IsZero() {
			p.printf("Waiting for the browser to return to http://%s …", e.Addr)
		} else {
			p.printf("Waiting for the browser to return to http://%s (until %s)…", e.Addr, e.Deadline.Local().Format("15:04:05"))
		}
	case flows.Redeeming:
		p.printf("The browser answered; redeeming the code…")
	case flows.Refreshing:
		p.printf("Refreshing the token…")
	case flows.Refreshed:
		p.printf("Token refreshed (valid until %s)", cmdutil.Until(e.ExpiresAt, p.now()))
	}
}

// browserFailure says, once, why the browser did not open: the reason
// when this is no place for a browser, else what the opener said.
func browserFailure(err error) string {
	var he *browser.HeadlessError
	switch {
	case err == nil:
		return "Could not open a browser"
	case errors.As(err, &he):
		return "Not opening a browser here (" + he.Reason + ")"
	}
	return "Could not open a browser (" + firstLine(err.Error()) + ")"
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// cancelled is a sign-in the person stopped: its message is all the
// command prints (exit code 130).
type cancelled struct{ msg string }

func (c cancelled) Error() string { return c.msg }
func (cancelled) Unwrap() error   { return context.Canceled }

// runUI opens the interactive program at the profile's sign-in, with the
// same configuration as plain `cdflogin`. Leaving the program before a
// sign-in is a sign-in that did not happen: login fails and says so.
func runUI(ctx context.Context, f *cmdutil.Factory, p profiles.Profile, flow profiles.Flow) error {
	cfg, err := tui.Config(f)
	if err != nil {
		return err
	}
	cfg.StartProfile = p.Name
	cfg.StartFlow = flow
	signedIn := false
	cfg.OnSignedIn = func(*flows.Tokens) { signedIn = true }
	// While the program owns the screen, stderr (warnings, --verbose
	// trace) is kept back and written out once it has ended.
	release := f.IO.HoldErr()
	defer release()
	if err := ui.Run(ctx, cfg); err != nil {
		return err
	}
	if !signedIn {
		return fmt.Errorf("not signed in with profile %q: the program was left before a sign-in; the token cache is unchanged", p.Name)
	}
	return nil
}

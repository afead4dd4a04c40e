// Package tui is the composition root of the interactive program (package
// ui): NewConfig builds its ui.Config from the run's parts, and it is the
// one place that does so. Plain `cdflogin` and `login` in a terminal fill
// the parts from the Factory (Config); `cdflogin demo` fills them from the
// sandbox; the benchmarks fill them with their own store and flows.
package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/profile"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// Flows is what the program needs of the sign-in service: ui.Auth, and
// Logout to clear a deleted profile's cached tokens. *flows.Service
// satisfies it.
type Flows interface {
	ui.Auth
	Logout(p profiles.Profile) ([]string, error)
}

// Deps are the parts of one run of the program.
type Deps struct {
	// IO is the terminal (required).
	IO *cmdutil.IOStreams
	// Getenv reads NO_COLOR, TERM and the clipboard's environment.
	Getenv func(string) string
	// Now is the clock (nil: time.Now).
	Now func() time.Time

	// Store holds the profiles and Flows signs in (both required).
	Store *profiles.Store
	Flows Flows
	// HTTPClient is the base client for asking CDF what a token grants
	// (nil: a default client). A profile's ca_file is added per request.
	HTTPClient *http.Client
	// Keyring keeps secrets typed in the profile form, and loses a
	// deleted profile's (nil: none is usable; the form then takes env:VAR).
	Keyring secrets.Keyring

	// OpenBrowser and CanOpenBrowser are the run's one browser opener,
	// the one the flows use too.
	OpenBrowser    func(url string) error
	CanOpenBrowser func() (ok bool, reason string)

	// Clipboard is how the c key copies (see Clipboard).
	Clipboard ui.Clipboard
	// ReadFile reads a file to import (nil: profile.ReadImportFile).
	ReadFile func(string) ([]byte, error)
	// OfferDemo offers the demo on the first run (not in the demo).
	OfferDemo bool

	// Warnings are the store's and the flows' warnings while the program
	// runs (see Warnings).
	Warnings <-chan string
	// Demo adds the sandbox keys (cdflogin demo only).
	Demo *ui.DemoHooks
	// Accessible asks for plain text (--accessible).
	Accessible bool
}

// NewConfig builds the program's configuration from d. Every run of the
// program gets its configuration here, so the real program and the demo
// differ only in their parts, never in what is wired.
func NewConfig(d Deps) ui.Config {
	cfg := ui.Config{
		Store:          d.Store,
		Auth:           d.Flows,
		Now:            d.Now,
		OpenBrowser:    d.OpenBrowser,
		CanOpenBrowser: d.CanOpenBrowser,
		Inspect:        CDFInspector(d.HTTPClient),
		FindTenant:     TenantFinder(d.HTTPClient),
		SaveSecret:     KeyringSaver(d.Keyring),
		Forget:         forget(d.Flows, d.Keyring),
		Import:         importer(d),
		OfferDemo:      d.OfferDemo,
		Clipboard:      d.Clipboard,
		Getenv:         d.Getenv,
		Warnings:       d.Warnings,
		Demo:           d.Demo,
		Accessible:     d.Accessible,
	}
	if d.IO != nil {
		cfg.In, cfg.Out = d.IO.In, d.IO.Out
	}
	return cfg
}

// importer creates a profile from a file, as `cdflogin profile import`
// does.
func importer(d Deps) func(path string) (ui.Imported, error) {
	read := d.ReadFile
	if read == nil {
		read = profile.ReadImportFile // bounded: a .env is a few KB
	}
	return func(path string) (ui.Imported, error) {
		data, err := read(path)
		if err != nil {
			return ui.Imported{}, fmt.Errorf("read %s: %w", path, err)
		}
		res, err := profile.Import(profile.ImportInput{Data: data, Source: path, Store: d.Store, Keyring: d.Keyring, Getenv: d.Getenv})
		if err != nil {
			return ui.Imported{}, err
		}
		out := ui.Imported{Name: res.Profile.Name, Notes: append(res.Notes, res.Warnings...)}
		if res.SecretStored {
			out.Notes = append(out.Notes, fmt.Sprintf("the client secret from %s is now in the OS keyring; consider removing it from %s.", path, path))
		}
		return out, nil
	}
}

// forget clears what a profile deleted in the program leaves outside
// profiles.yaml, as `cdflogin profile remove` does: its cached tokens and
// its keyring secrets.
func forget(svc Flows, k secrets.Keyring) func(p profiles.Profile) error {
	return func(p profiles.Profile) error {
		_, logoutErr := svc.Logout(p)
		_, forgetErr := secrets.Forget(k, p)
		return errors.Join(logoutErr, forgetErr)
	}
}

// Warnings makes the run's warnings (cmdutil.Warnf) reach the program's
// status line as well: while the program runs, stderr is held back until
// it ends. A full buffer drops the status line's copy, never the stderr
// line.
func Warnings(f *cmdutil.Factory) <-chan string {
	warnings := make(chan string, 16)
	f.OnWarning = func(msg string) {
		select {
		case warnings <- msg:
		default:
		}
	}
	return warnings
}

// Config returns the program's configuration for the real run f: the
// profiles and token cache of the user, the OS keyring, the browser.
func Config(f *cmdutil.Factory) (ui.Config, error) {
	store, err := cmdutil.Store(f)
	if err != nil {
		return ui.Config{}, err
	}
	svc, err := cmdutil.Service(f)
	if err != nil {
		return ui.Config{}, err
	}
	// From here on (the store has checked its file's permissions, on
	// stderr, before the program starts).
	warnings := Warnings(f)
	return NewConfig(Deps{
		IO:         f.IO,
		Getenv:     f.Env,
		Now:        f.Now,
		Store:      store,
		Flows:      svc,
		HTTPClient: f.HTTPClient,
		Keyring:    f.Keyring,
		// The Factory's opener, the one the flows use too (svc), so the
		// "o" key and the check below decide as the sign-in does.
		OpenBrowser: f.OpenBrowser,
		// Headless Linux, SSH sessions, no browser command: device code
		// is preselected with the reason.
		CanOpenBrowser: f.CanOpenBrowser,
		Clipboard:      Clipboard(SystemClipboardEnv(f.Env)),
		OfferDemo:      true,
		Warnings:       warnings,
	}), nil
}

// AddFlags adds the program's flags (--accessible, -p) to the root
// command.
func AddFlags(cmd *cobra.Command) {
	cmd.Flags().Bool("accessible", false, "plain text without colour, animation or redrawing (screen readers); also TERM=dumb")
	cmd.Flags().StringP("profile", "p", "", "open the program at the profile `NAME`")
}

// RunRoot is plain `cdflogin`: the program on the real profiles.
func RunRoot(cmd *cobra.Command, f *cmdutil.Factory) error {
	if !f.IO.Interactive() {
		return cmdutil.UsageError("cdflogin without a command opens the interactive program, which needs a terminal; in scripts use a command such as cdflogin token -p NAME (see cdflogin --help)")
	}
	cfg, err := Config(f)
	if err != nil {
		return err
	}
	cfg.Accessible, _ = cmd.Flags().GetBool("accessible")
	cfg.OpenProfile, _ = cmd.Flags().GetString("profile")
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	// While the program owns the screen, stderr (warnings, --verbose
	// trace) is kept back and written out once it has ended.
	release := f.IO.HoldErr()
	defer release()
	return ui.Run(ctx, cfg)
}

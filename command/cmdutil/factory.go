package cmdutil

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/cognite-tools/cdflogin/internal/browser"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
	"github.com/cognite-tools/cdflogin/internal/secrets"
)

// Factory carries every outside dependency a command uses. main builds the
// real one with New; tests fill the fields with fakes.
type Factory struct {
	IO *IOStreams

	// Getenv reads the environment (os.Getenv in production).
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// Paths locates cdflogin's files; nil means ResolvePaths(Getenv).
	Paths func() (Paths, error)
	// HTTPClient is the base client for Entra and CDF; profiles may wrap
	// its transport to trust an extra CA. nil means a default client.
	HTTPClient *http.Client
	// Browser opens URLs in the user's browser and says whether one can
	// open here. It is the run's only opener: the flows and the
	// interactive program both use it. nil means no browser is ever
	// started (the URL is shown instead), which suits tests.
	Browser Browser
	// Logf receives redacted diagnostics for --verbose and --debug-log;
	// nil discards them.
	Logf func(format string, args ...any)
	// Version is the build's version string.
	Version string
	// Build is which build this is (version, commit, date), for
	// `cdflogin version` and --version.
	Build buildinfo.Info
	// Keyring stores client secrets and certificate passwords; nil means
	// no keyring is usable (secrets must then come from env:VAR).
	Keyring secrets.Keyring
	// OnWarning, when set, is also given every warning the run prints on
	// stderr (the text after "Warning: "): the interactive program shows
	// them while it holds stderr back.
	OnWarning func(msg string)
}

// Browser opens URLs in a browser; *browser.Opener is the real one.
type Browser interface {
	// Open opens url (http or https), or returns why it could not.
	Open(url string) error
	// CanOpen reports whether Open would try to start a browser, and if
	// not, why (headless, SSH session, no browser command).
	CanOpen() (ok bool, reason string)
}

var _ Browser = (*browser.Opener)(nil)

// ErrNoOpener is wrapped by OpenBrowser's error when the Factory has no
// Browser.
var ErrNoOpener = errors.New("no browser opener is set up for this run")

// New returns the Factory of a real process.
func New(version string) *Factory {
	f := &Factory{
		IO:      System(),
		Getenv:  os.Getenv,
		Now:     time.Now,
		Version: version,
		Keyring: secrets.FromEnv(os.Getenv),
	}
	// f.Env, not os.Getenv: the opener decides with whatever Getenv the
	// Factory holds, even one swapped in after New.
	f.Browser = browser.New(f.Env)
	return f
}

// OpenBrowser opens url with the Factory's Browser. Without one it
// starts nothing and returns an error wrapping ErrNoOpener, so the
// caller shows the URL instead.
func (f *Factory) OpenBrowser(url string) error {
	if f.Browser == nil {
		return fmt.Errorf("not opening the URL: %w", ErrNoOpener)
	}
	return f.Browser.Open(url)
}

// CanOpenBrowser reports whether the Factory's Browser can open here, and
// if not, why.
func (f *Factory) CanOpenBrowser() (ok bool, reason string) {
	if f.Browser == nil {
		return false, ErrNoOpener.Error()
	}
	return f.Browser.CanOpen()
}

// ResolvePaths returns the folders of this run.
func (f *Factory) ResolvePaths() (Paths, error) {
	if f.Paths != nil {
		return f.Paths()
	}
	return ResolvePaths(f.Getenv)
}

// Env is a convenience: Getenv with a nil guard.
func (f *Factory) Env(key string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(key)
}

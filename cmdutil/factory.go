package cmdutil

import (
	"net/http"
	"os"
	"time"

	"github.com/cognite-tools/cdflogin/browser"
	"github.com/cognite-tools/cdflogin/secrets"
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
	// OpenBrowser opens a URL in the user's browser.
	OpenBrowser func(url string) error
	// Logf receives redacted diagnostics for --verbose and --debug-log;
	// nil discards them.
	Logf func(format string, args ...any)
	// Version is the build's version string.
	Version string
	// Keyring stores client secrets and certificate passwords; nil means
	// no keyring is usable (secrets must then come from env:VAR).
	Keyring secrets.Keyring
}

// New returns the Factory of a real process.
func New(version string) *Factory {
	f := &Factory{
		IO:      System(),
		Getenv:  os.Getenv,
		Now:     time.Now,
		Version: version,
		Keyring: secrets.FromEnv(os.Getenv),
	}
	f.OpenBrowser = browser.New().Open
	return f
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

// Package cmdshared wires the Factory to the profile store and the flows,
// for every command that needs them.
package cmdutil

import (
	"fmt"
	"io"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Store opens the profile store of this run. Its warnings (a
// profiles.yaml others could read, now tightened) go to stderr.
func Store(f *Factory) (*profiles.Store, error) {
	paths, err := f.ResolvePaths()
	if err != nil {
		return nil, err
	}
	store := profiles.NewStore(paths.ProfilesFile())
	store.Warnf = Warnf(f)
	// Now, before any full-screen program could start and be drawn over.
	store.CheckPermissions()
	return store, nil
}

// Profile selects the profile named by -p, else CDFLOGIN_PROFILE, else
// the default one.
func Profile(f *Factory, flagName string) (profiles.Profile, error) {
	store, err := Store(f)
	if err != nil {
		return profiles.Profile{}, err
	}
	p, err := store.Select(flagName, f.Env("CDFLOGIN_PROFILE"))
	if err != nil {
		return profiles.Profile{}, fmt.Errorf("choose a profile: %w", err)
	}
	return p, nil
}

// Service returns the flows service of this run. Its warnings (a corrupted
// token cache moved aside, a cache others could read, now tightened) go to
// stderr whether or not --verbose is on.
func Service(f *Factory) (*flows.Service, error) {
	paths, err := f.ResolvePaths()
	if err != nil {
		return nil, err
	}
	return flows.New(flows.Deps{
		HTTPClient:  f.HTTPClient,
		Now:         f.Now,
		OpenBrowser: f.OpenBrowser,
		Secret:      SecretResolver(f).Secret,
		CacheDir:    paths.CacheDir,
		Logf:        f.Logf,
		Warnf:       Warnf(f),
	}), nil
}

// Warnf returns the run's warning printer: one "Warning: …" line on
// stderr each, also given to f.OnWarning when that is set (at the time of
// the warning). nil when the run has no stderr and no OnWarning.
func Warnf(f *Factory) func(format string, args ...any) {
	var errOut io.Writer
	if f.IO != nil {
		errOut = f.IO.ErrOut
	}
	if errOut == nil && f.OnWarning == nil {
		return nil
	}
	return func(format string, args ...any) {
		// Warnings quote files and servers: never a control sequence.
		msg := textsafe.Line(fmt.Sprintf(format, args...))
		if errOut != nil {
			fmt.Fprintf(errOut, "Warning: %s\n", msg)
		}
		if f.OnWarning != nil {
			f.OnWarning(msg)
		}
	}
}

// SecretResolver resolves profiles' secret references (env:VAR, keyring)
// with the run's environment and keyring.
func SecretResolver(f *Factory) secrets.Resolver {
	return secrets.Resolver{Keyring: f.Keyring, Getenv: f.Env}
}

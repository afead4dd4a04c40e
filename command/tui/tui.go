// Package tui wires the interactive program (package ui) to a real run:
// the profile store, the flows, the keyring, CDF and the browser check. The
// root command (plain `cdflogin`) runs it; `login` in a terminal can use
// Config to open it at a profile.
package tui

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// Config returns the program's configuration for the run f.
func Config(f *cmdutil.Factory) (ui.Config, error) {
	store, err := cmdutil.Store(f)
	if err != nil {
		return ui.Config{}, err
	}
	svc, err := cmdutil.Service(f)
	if err != nil {
		return ui.Config{}, err
	}
	// Warnings from here on also reach the program's status line: while
	// it runs, stderr is held back until it ends. A full buffer drops
	// the status line's copy, never the stderr line.
	warnings := make(chan string, 16)
	f.OnWarning = func(msg string) {
		select {
		case warnings <- msg:
		default:
		}
	}
	getenv := f.Env
	return ui.Config{
		Store: store,
		Auth:  svc,
		Now:   f.Now,
		// The Factory's opener, the one the flows use too (svc), so the
		// "o" key and the check below decide as the sign-in does.
		OpenBrowser: f.OpenBrowser,
		// Headless Linux, SSH sessions, no browser command: device code
		// is preselected with the reason.
		CanOpenBrowser: f.CanOpenBrowser,
		Inspect:        ui.CDFInspector(f.HTTPClient),
		SaveSecret:     ui.KeyringSaver(f.Keyring),
		// A profile deleted in the program loses its cached tokens and
		// keyring secrets too, as with `cdflogin profile remove`.
		Forget: func(p profiles.Profile) error {
			_, logoutErr := svc.Logout(p)
			_, forgetErr := secrets.Forget(f.Keyring, p)
			return errors.Join(logoutErr, forgetErr)
		},
		In:       f.IO.In,
		Out:      f.IO.Out,
		Getenv:   getenv,
		Warnings: warnings,
	}, nil
}

// AddFlags adds the program's flags (--accessible) to the root command.
func AddFlags(cmd *cobra.Command) {
	cmd.Flags().Bool("accessible", false, "plain text without colour or animation (screen readers); also TERM=dumb")
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

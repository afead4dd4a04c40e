// Package profile is `cdflogin profile …`: list, show, add, edit, remove,
// import and export the profiles in profiles.yaml, with their secrets in
// the OS keyring or referenced from the environment.
package profile

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Tokens is the part of *flows.Service the profile commands use: token
// state for list and show, cache removal for remove.
type Tokens interface {
	Cached(p profiles.Profile) (*flows.Tokens, error)
	Logout(p profiles.Profile) ([]string, error)
}

var _ Tokens = (*flows.Service)(nil)

// Options are the outside dependencies of the profile commands.
type Options struct {
	IO     *cmdutil.IOStreams
	Now    func() time.Time
	Getenv func(string) string
	Store  func() (*profiles.Store, error)
	// Keyring holds secrets; nil means none is usable.
	Keyring secrets.Keyring
	Tokens  func() (Tokens, error)
	// ReadFile reads an import file ("-" is stdin, handled by the caller).
	ReadFile func(string) ([]byte, error)
	// WriteFile writes an export file.
	WriteFile func(string, []byte) error
	// HTTPClient is the client for the profile's authority (add --email
	// finds the tenant there), with its ca_file applied.
	HTTPClient func(p profiles.Profile) (*http.Client, error)
}

// NewCmd returns the profile command with its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:      f.IO,
		Now:     f.Now,
		Getenv:  f.Env,
		Store:   func() (*profiles.Store, error) { return cmdutil.Store(f) },
		Keyring: f.Keyring,
		Tokens: func() (Tokens, error) {
			return cmdutil.Service(f)
		},
		ReadFile:  readImportFile,
		WriteFile: func(path string, data []byte) error { return os.WriteFile(path, data, 0o600) },
		HTTPClient: func(p profiles.Profile) (*http.Client, error) {
			return flows.HTTPClient(f.HTTPClient, p)
		},
	}
	return New(opts)
}

// New returns the profile command on opts (tests pass fakes).
func New(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Manage profiles",
		Long: `Manage the profiles in profiles.yaml (under $CDFLOGIN_HOME, else
~/.config/cdflogin, or %APPDATA%\cdflogin on Windows). A profile holds a tenant, a client ID, a cluster, a
CDF project and a sign-in flow. Secrets are never written to the file: they
live in the OS keyring or in an environment variable the profile names.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(
		newListCmd(opts),
		newShowCmd(opts),
		newAddCmd(opts),
		newEditCmd(opts),
		newRemoveCmd(opts),
		newImportCmd(opts),
		newExportCmd(opts),
	)
	return cmd
}

// completeNames completes the first argument with profile names.
func completeNames(opts *Options) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := opts.Store()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, _ := s.Names()
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// exactName is cobra.ExactArgs(1) with a message naming what is missing.
func exactName(verb string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return cmdutil.UsageError("%s needs exactly one profile name, e.g. cdflogin profile %s dev (see: %s --help)", cmd.CommandPath(), verb, cmd.CommandPath())
		}
		return nil
	}
}

// readSecret reads a secret from stdin: hidden from a terminal, else the
// whole input up to EOF with the final line break removed.
func readSecret(ios *cmdutil.IOStreams, what string) (string, error) {
	if f, ok := ios.In.(*os.File); ok && ios.InTTY {
		fmt.Fprintf(ios.ErrOut, "Paste the %s (hidden) and press Enter: ", what)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(ios.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read the %s: %w", what, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	b, err := io.ReadAll(io.LimitReader(ios.In, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read the %s from stdin: %w", what, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", cmdutil.UsageError("no %s on stdin: pipe it in, e.g. printenv MY_SECRET | cdflogin profile add … --secret-stdin", what)
	}
	return s, nil
}

// keyringStore puts secret in the keyring under the profile's field. When
// no keyring is usable it says so and offers an environment variable; it
// never falls back to anything else.
func keyringStore(opts *Options, name, field, secret, envFlag string) error {
	k := opts.Keyring
	if k == nil {
		k = secrets.Unavailable{Reason: "none configured"}
	}
	if err := k.Set(secrets.Service, secrets.Item(name, field), secret); err != nil {
		return fmt.Errorf("cannot store the %s in the OS keyring (%w); nothing was saved. Put it in an environment variable instead and name it with %s VAR (e.g. %s IDP_CLIENT_SECRET)", field, err, envFlag, envFlag)
	}
	return nil
}

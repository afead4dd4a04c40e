// Package env is `cdflogin env`: CDF_TOKEN and friends as shell
// assignments, for eval "$(cdflogin env -p dev)".
package env

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/envquote"
	"github.com/cognite-tools/cdflogin/internal/tokenshape"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Formats are the output formats of env.
var Formats = []string{"sh", "dotenv", "powershell"}

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (cmdutil.Flows, error)
	Now     func() time.Time

	ProfileName string
	Format      string
	// MinValid is how long CDF_TOKEN must stay valid; MinValidSet says
	// --min-valid was given (then a shorter one is an error, exit 5).
	MinValid    time.Duration
	MinValidSet bool
}

// NewCmd returns the env command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:      f.IO,
		Profile: func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:   func() (cmdutil.Flows, error) { return cmdutil.Service(f) },
		Now:     f.Now,
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print CDF_TOKEN and friends as shell exports",
		Long: `Print the profile's access token and CDF settings as variable assignments:
CDF_TOKEN, CDF_PROJECT, CDF_CLUSTER, CDF_URL, and for the Cognite Toolkit
LOGIN_FLOW=token, IDP_TENANT_ID and IDP_CLIENT_ID. No secret of the profile is
printed. The token is the one "cdflogin token" would print; when someone must
sign in, env exits with code 4 and prints nothing on stdout, and when
--min-valid is given and even a new token cannot stay valid that long, it exits
with code 5 and prints nothing on stdout.`,
		Example: `  eval "$(cdflogin env -p dev)"
  cdflogin env -p dev --format dotenv > .env
  cdflogin env -p dev --format powershell | Invoke-Expression
  eval "$(cdflogin env -p ci --min-valid 45m)" || exit $?`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validFormat(opts.Format) {
				return cmdutil.UsageError("--format %q: use one of %s", opts.Format, strings.Join(Formats, ", "))
			}
			if opts.MinValid < 0 {
				return cmdutil.UsageError("--min-valid must not be negative (see: cdflogin env --help)")
			}
			opts.MinValidSet = cmd.Flags().Changed("min-valid")
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to use (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().StringVar(&opts.Format, "format", "sh", "output format: sh (bash, zsh), dotenv or powershell")
	cmd.Flags().DurationVar(&opts.MinValid, "min-valid", flows.DefaultMinValid, "CDF_TOKEN must stay valid this long: refresh a cached one that expires sooner, and exit 5 if even a new one cannot")
	return cmd
}

func validFormat(f string) bool {
	for _, v := range Formats {
		if f == v {
			return true
		}
	}
	return false
}

// Var is one variable to print.
type Var struct{ Name, Value string }

// Vars are the variables for a profile and its token, in print order.
// Empty values are left out.
func Vars(p profiles.Profile, t *flows.Tokens) []Var {
	all := []Var{
		{"CDF_TOKEN", t.AccessToken},
		{"CDF_PROJECT", p.Project},
		{"CDF_CLUSTER", p.Cluster},
		{"CDF_URL", p.BaseURL()},
		{"LOGIN_FLOW", "token"},
		{"IDP_TENANT_ID", p.Tenant},
		{"IDP_CLIENT_ID", p.ClientID},
		{"CDFLOGIN_PROFILE", p.Name},
	}
	out := all[:0]
	for _, v := range all {
		if v.Value != "" {
			out = append(out, v)
		}
	}
	return out
}

// Run prints the variables.
func Run(ctx context.Context, opts *Options) error {
	p, t, err := cmdutil.SilentToken(ctx, opts.Profile, opts.Flows, opts.ProfileName, flows.SilentOptions{MinValid: opts.MinValid})
	if err != nil {
		return err
	}
	if t.AccessToken == "" {
		return cmdutil.WithExitCode(cmdutil.ExitLoginRequired,
			fmt.Errorf("profile %q has no access token; run: cdflogin login -p %s", p.Name, p.Name))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := cmdutil.CheckMinValid(opts.IO.ErrOut, p, t, opts.Now(), opts.MinValid, opts.MinValidSet); err != nil {
		return err
	}
	text, err := Format(opts.Format, Vars(p, t))
	if err != nil {
		return err
	}
	_, err = io.WriteString(opts.IO.Out, text)
	return err
}

// Format renders vars in the format, each value quoted so that the shell
// (or .env reader) reads it back unchanged (internal/envquote). A value
// that cannot be quoted safely for the format is refused, naming the
// variable, never printing the value; CDF_TOKEN must be a bearer token
// (RFC 6750) before anything is printed.
func Format(format string, vars []Var) (string, error) {
	quote, ok := map[string]func(string) (string, error){
		"sh":         envquote.Sh,
		"dotenv":     envquote.Dotenv,
		"powershell": envquote.PowerShell,
	}[format]
	if !ok {
		return "", cmdutil.UsageError("--format %q: use one of %s", format, strings.Join(Formats, ", "))
	}
	var b strings.Builder
	for _, v := range vars {
		if v.Name == "CDF_TOKEN" {
			if err := tokenshape.Bearer("access token", v.Value); err != nil {
				return "", fmt.Errorf("CDF_TOKEN not printed: %w", err)
			}
		}
		q, err := quote(v.Value)
		if err != nil {
			return "", fmt.Errorf("%s not printed: its value %w", v.Name, err)
		}
		switch format {
		case "sh":
			fmt.Fprintf(&b, "export %s=%s\n", v.Name, q)
		case "dotenv":
			fmt.Fprintf(&b, "%s=%s\n", v.Name, q)
		case "powershell":
			fmt.Fprintf(&b, "$env:%s = %s\n", v.Name, q)
		}
	}
	return b.String(), nil
}

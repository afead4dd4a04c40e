// Package token is `cdflogin token`: a valid access token on stdout for
// scripts, from the cache or a silent refresh, never a prompt.
package token

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (cmdutil.Flows, error)

	ProfileName string
	JSON        bool
	MinValid    time.Duration
	// MinValidSet says --min-valid was given: a token that cannot stay
	// valid that long is then an error (ExitTooShort), not a warning.
	MinValidSet bool
}

// Output is the --json document.
type Output struct {
	AccessToken string   `json:"access_token"`
	ExpiresOn   string   `json:"expires_on"` // RFC 3339
	TokenType   string   `json:"token_type"`
	Profile     string   `json:"profile"`
	Scopes      []string `json:"scopes"`
}

// NewCmd returns the token command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:      f.IO,
		Now:     f.Now,
		Profile: func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:   func() (cmdutil.Flows, error) { return cmdutil.Service(f) },
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token for scripts",
		Long: `Print a valid access token of the profile on stdout, and nothing else.

The token comes from the cache when it stays valid for --min-valid, else from
a silent refresh (user profiles) or a new app token (secret and certificate
profiles). token never asks a person anything: when someone must sign in it
exits with code 4 and says which command to run. When --min-valid is given and
even a new token cannot stay valid that long (the tenant issues shorter-lived
tokens), it prints no token and exits with code 5.`,
		Example: `  curl -H "Authorization: Bearer $(cdflogin token -p dev)" \
    https://westeurope-1.cognitedata.com/api/v1/token/inspect
  cdflogin token -p dev --json --min-valid 30m
  TOKEN=$(cdflogin token -p ci --min-valid 45m) || exit $?`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MinValid < 0 {
				return cmdutil.UsageError("--min-valid must not be negative (see: cdflogin token --help)")
			}
			opts.MinValidSet = cmd.Flags().Changed("min-valid")
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to use (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print {access_token, expires_on, token_type, profile, scopes} as JSON")
	cmd.Flags().DurationVar(&opts.MinValid, "min-valid", flows.DefaultMinValid, "the token must stay valid this long: refresh a cached one that expires sooner, and exit 5 if even a new one cannot")
	return cmd
}

// Run prints the token.
func Run(ctx context.Context, opts *Options) error {
	p, t, err := cmdutil.SilentToken(ctx, opts.Profile, opts.Flows, opts.ProfileName, flows.SilentOptions{MinValid: opts.MinValid})
	if err != nil {
		return err
	}
	if t.AccessToken == "" {
		return cmdutil.WithExitCode(cmdutil.ExitLoginRequired,
			fmt.Errorf("profile %q has no access token; run: cdflogin login -p %s", p.Name, p.Name))
	}
	if err := cmdutil.CheckMinValid(opts.IO.ErrOut, p, t, opts.Now(), opts.MinValid, opts.MinValidSet); err != nil {
		return err
	}
	if !opts.JSON {
		_, err = fmt.Fprintln(opts.IO.Out, t.AccessToken)
		return err
	}
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(Output{
		AccessToken: t.AccessToken,
		ExpiresOn:   t.ExpiresOn.UTC().Format(time.RFC3339),
		TokenType:   t.TokenType,
		Profile:     p.Name,
		Scopes:      scopes,
	})
}

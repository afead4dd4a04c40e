// Package logout is `cdflogin logout`: removes a profile's cached tokens
// (and nothing else: the profile and its secrets stay).
package logout

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Profile func(name string) (profiles.Profile, error)
	List    func() ([]profiles.Profile, error)
	Flows   func() (cmdutil.Flows, error)

	ProfileName string
	All         bool
}

// NewCmd returns the logout command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:      f.IO,
		Profile: func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		List: func() ([]profiles.Profile, error) {
			s, err := cmdutil.Store(f)
			if err != nil {
				return nil, err
			}
			return s.List()
		},
		Flows: func() (cmdutil.Flows, error) { return cmdutil.Service(f) },
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Remove cached tokens",
		Long: `Remove the cached tokens (access, refresh and ID tokens) of a profile, or of
every profile with --all. The profiles and their secrets are kept; the next
"cdflogin token" needs a new sign-in (user profiles) or requests a new app
token (secret and certificate profiles).`,
		Example: `  cdflogin logout -p dev
  cdflogin logout --all`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && cmd.Flags().Changed("profile") {
				return cmdutil.UsageError("use either -p NAME or --all, not both")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to sign out of (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.All, "all", false, "sign out of every profile")
	return cmd
}

// Run removes the cached tokens and says what was removed on stderr.
func Run(_ context.Context, opts *Options) error {
	var targets []profiles.Profile
	if opts.All {
		list, err := opts.List()
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(opts.IO.ErrOut, "No profiles: nothing to remove.")
			return nil
		}
		targets = list
	} else {
		p, err := opts.Profile(opts.ProfileName)
		if err != nil {
			return err
		}
		targets = []profiles.Profile{p}
	}
	svc, err := opts.Flows()
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range targets {
		removed, err := svc.Logout(p)
		for _, path := range removed {
			fmt.Fprintf(opts.IO.ErrOut, "Removed the cached tokens of profile %q: %s\n", p.Name, path)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(removed) == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "Profile %q had no cached tokens.\n", p.Name)
		}
	}
	return errors.Join(errs...)
}

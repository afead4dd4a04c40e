package profile

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/internal/secrets"
)

func newRemoveCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm"},
		Short:   "Remove a profile, its cached tokens and its keyring secrets",
		Long: `Remove a profile from profiles.yaml, delete its cached tokens and the
secrets it kept in the OS keyring. Environment variables it referred to are
left alone.`,
		Example:           `  cdflogin profile remove dev`,
		Args:              exactName("remove"),
		ValidArgsFunction: completeNames(opts),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRemove(opts, args[0])
		},
	}
}

func runRemove(opts *Options, name string) error {
	store, err := opts.Store()
	if err != nil {
		return err
	}
	p, err := store.Get(name)
	if err != nil {
		return err
	}
	if err := store.Remove(name); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Removed profile %q from %s.\n", name, store.Path())
	var failed []error
	tokens, err := opts.Tokens()
	if err == nil {
		var removed []string
		removed, err = tokens.Logout(p)
		for _, path := range removed {
			fmt.Fprintf(opts.IO.ErrOut, "Removed its cached tokens: %s\n", path)
		}
	}
	if err != nil {
		failed = append(failed, fmt.Errorf("its cached tokens could not be removed: %w (run cdflogin logout -p %s later, or delete them by hand)", err, name))
	}
	gone, err := secrets.Forget(opts.Keyring, p)
	for _, item := range gone {
		fmt.Fprintf(opts.IO.ErrOut, "Removed its secret from the OS keyring: %s\n", item)
	}
	if err != nil {
		failed = append(failed, fmt.Errorf("its keyring secrets could not be removed: %w (delete service %q, items %q… by hand)", err, secrets.Service, name+"/"))
	}
	for _, e := range failed {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %v\n", e)
	}
	if len(failed) > 0 {
		return fmt.Errorf("profile %q is removed, but not everything it left behind (see the warnings above)", name)
	}
	return nil
}

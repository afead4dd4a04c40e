// Package version is `cdflogin version`: which build this is (the version,
// commit and commit date a release stamps, or what Go recorded in a build
// from a checkout), as text or JSON.
package version

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
)

// Options are the inputs of one run.
type Options struct {
	IO    *cmdutil.IOStreams
	Build buildinfo.Info

	JSON bool
}

// NewCmd returns the version command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Build: f.Build}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and date of this build",
		Long: `Print the version of cdflogin, the commit it was built from and that commit's
date, and the Go toolchain and platform. A release build has them stamped; a
build from a checkout shows the version Go derived from the commit, and says
when the checkout had uncommitted changes. "cdflogin --version" prints the same.`,
		Example: `  cdflogin version
  cdflogin version --json`,
		Args: cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error { return Run(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the build information as JSON")
	return cmd
}

// Run prints the build information.
func Run(opts *Options) error {
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(opts.Build)
	}
	_, err := fmt.Fprint(opts.IO.Out, opts.Build.String())
	return err
}

// AddFlag gives root --version (and -v), which prints what `cdflogin
// version` prints.
//
// The flag is the one cobra would add for root.Version (same name,
// shorthand, help text and annotation), handled here: cobra prints its
// version through a text/template, and executing any template makes the
// linker keep every exported method in the binary (docs/performance.md,
// binary size). As with cobra's, --version wins over arguments and skips
// the persistent pre-run (the debug log).
func AddFlag(root *cobra.Command, f *cmdutil.Factory) {
	show := root.Flags().BoolP("version", "v", false, "version for "+root.DisplayName())
	_ = root.Flags().SetAnnotation("version", cobra.FlagSetByCobraAnnotation, []string{"true"})
	args, pre, run := root.Args, root.PersistentPreRunE, root.RunE
	root.Args = func(cmd *cobra.Command, a []string) error {
		if *show || args == nil {
			return nil
		}
		return args(cmd, a)
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, a []string) error {
		if (cmd == root && *show) || pre == nil {
			return nil
		}
		return pre(cmd, a)
	}
	root.RunE = func(cmd *cobra.Command, a []string) error {
		if *show {
			_, err := fmt.Fprint(cmd.OutOrStdout(), f.Build.String())
			return err
		}
		if run == nil {
			return nil
		}
		return run(cmd, a)
	}
}

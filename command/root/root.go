// Package root assembles the cdflogin command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/cmdutil"
	"github.com/cognite-tools/cdflogin/command/claimscmd"
	"github.com/cognite-tools/cdflogin/command/demo"
	"github.com/cognite-tools/cdflogin/command/doctor"
	"github.com/cognite-tools/cdflogin/command/envcmd"
	"github.com/cognite-tools/cdflogin/command/inspect"
	"github.com/cognite-tools/cdflogin/command/login"
	"github.com/cognite-tools/cdflogin/command/logout"
	"github.com/cognite-tools/cdflogin/command/profile"
	"github.com/cognite-tools/cdflogin/command/sandboxcmd"
	"github.com/cognite-tools/cdflogin/command/token"
	"github.com/cognite-tools/cdflogin/command/tui"
)

// NewCmd returns the root command with every subcommand.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cdflogin",
		Short: "Sign in to Cognite Data Fusion with Microsoft Entra ID and see what your token says",
		Long: `cdflogin gets you signed in to Cognite Data Fusion (CDF) with Microsoft Entra ID
(browser, device code, client secret or certificate), shows the token's claims and
keeps it fresh, explains AADSTS errors with the fix, and checks which CDF groups
your token maps to.

Run it without arguments for the interactive program, or try "cdflogin demo" to
use every flow against a built-in sandbox tenant with no account.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return tui.RunRoot(cmd, f)
		},
	}
	tui.AddFlags(cmd)
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	addDebugFlags(cmd, f)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageError("%v (see: %s --help)", err, c.CommandPath())
	})

	for _, sub := range []*cobra.Command{
		demo.NewCmd(f),
		sandboxcmd.NewCmd(f),
		login.NewCmd(f),
		token.NewCmd(f),
		claimscmd.NewCmd(f),
		inspect.NewCmd(f),
		doctor.NewCmd(f),
		envcmd.NewCmd(f),
		profile.NewCmd(f),
		logout.NewCmd(f),
		newVersionCmd(f),
	} {
		cmd.AddCommand(sub)
	}
	return cmd
}

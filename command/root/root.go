// Package root assembles the cdflogin command tree.
package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	claimscmd "github.com/cognite-tools/cdflogin/command/claims"
	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/demo"
	"github.com/cognite-tools/cdflogin/command/doctor"
	envcmd "github.com/cognite-tools/cdflogin/command/env"
	"github.com/cognite-tools/cdflogin/command/inspect"
	"github.com/cognite-tools/cdflogin/command/login"
	"github.com/cognite-tools/cdflogin/command/logout"
	"github.com/cognite-tools/cdflogin/command/profile"
	sandboxcmd "github.com/cognite-tools/cdflogin/command/sandbox"
	"github.com/cognite-tools/cdflogin/command/token"
	"github.com/cognite-tools/cdflogin/command/tui"
	"github.com/cognite-tools/cdflogin/command/version"
)

// subcommands are the commands under cdflogin, in help order, with the
// names they answer to.
var subcommands = []struct {
	name  string
	build func(*cmdutil.Factory) *cobra.Command
}{
	{"demo", demo.NewCmd},
	{"sandbox", sandboxcmd.NewCmd},
	{"login", login.NewCmd},
	{"token", token.NewCmd},
	{"claims", claimscmd.NewCmd},
	{"inspect", inspect.NewCmd},
	{"doctor", doctor.NewCmd},
	{"env", envcmd.NewCmd},
	{"profile", profile.NewCmd},
	{"logout", logout.NewCmd},
	{"version", version.NewCmd},
}

// NewCmd returns the root command with every subcommand.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, "") }

// NewCmdFor returns the root command to run args (os.Args[1:]). When args
// start with a subcommand's name and ask for no help, only that subcommand
// is built: the others matter only to help, completion and suggestions,
// which get the whole tree. A warm `cdflogin token` is over in a few
// milliseconds, and building every command's flags was a part of that.
func NewCmdFor(f *cmdutil.Factory, args []string) *cobra.Command {
	return newCmd(f, selected(args))
}

// selected is the subcommand args run on its own, or "" when they need the
// whole tree: they do not start with a subcommand's name, or they ask for
// help (--help, or h in a group of short flags), whose text can name other
// commands.
func selected(args []string) string {
	if len(args) == 0 {
		return ""
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "--help") || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "h")) {
			return ""
		}
	}
	for _, s := range subcommands {
		if s.name == args[0] {
			return s.name
		}
	}
	return ""
}

// newCmd builds the root command with every subcommand, or with only the
// one named only.
func newCmd(f *cmdutil.Factory, only string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cdflogin",
		Short: "Sign in to Cognite Data Fusion with Microsoft Entra ID and see what your token says",
		Long: `cdflogin gets you signed in to Cognite Data Fusion (CDF) with Microsoft Entra ID
(browser, device code, client secret or certificate), shows the token's claims and
keeps it fresh, explains AADSTS errors with the fix, and checks which CDF groups
your token maps to.

Run it without arguments for the interactive program, or try "cdflogin demo" to
use every flow against a built-in sandbox tenant with no account.`,
		Args:         unknownCommand,
		SilenceUsage: true,
		// SuggestionsFor (unknownCommand) uses the distance as set; cobra
		// defaults it to 2 only on its own error path.
		SuggestionsMinimumDistance: 2,
		SilenceErrors:              true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return tui.RunRoot(cmd, f)
		},
	}
	tui.AddFlags(cmd)
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	addDebugFlags(cmd, f)
	version.AddFlag(cmd, f)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageError("%v (see: %s --help)", err, c.CommandPath())
	})
	for _, s := range subcommands {
		if only == "" || s.name == only {
			cmd.AddCommand(s.build(f))
		}
	}
	completeProfileFlags(cmd, f)
	return cmd
}

// unknownCommand is the root's Args check: plain cdflogin takes no
// arguments, so a first argument is a command name cdflogin does not know.
// It is a usage error (exit 2) that suggests the command meant, which
// cobra.NoArgs does not.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
	}
	return cmdutil.UsageError("%s (see: %s --help)", msg, cmd.CommandPath())
}

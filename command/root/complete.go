package root

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// completeProfileFlags makes every --profile (-p) flag in the tree complete
// the profile names in profiles.yaml, each with its project, cluster and
// flow as the description (zsh, fish and PowerShell show it). Shell
// completion runs `cdflogin __complete …`, which lands here.
func completeProfileFlags(cmd *cobra.Command, f *cmdutil.Factory) {
	complete := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return profileCompletions(f), cobra.ShellCompDirectiveNoFileComp
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("profile") != nil {
			// Fails only when a function is already registered, and
			// then that one completes the flag.
			_ = c.RegisterFlagCompletionFunc("profile", complete)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
}

// profileCompletions lists "name\tdescription" for each profile in
// profiles.yaml; nothing when the file cannot be read (completion has no
// way to say why, and the command itself will). The store refuses a file
// with a name no command accepts, so each name is one a person can type;
// descriptions come from the file, so they pass through textsafe.
func profileCompletions(f *cmdutil.Factory) []string {
	paths, err := f.ResolvePaths()
	if err != nil {
		return nil
	}
	list, err := profiles.NewStore(paths.ProfilesFile()).List()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		desc := p.Project
		if p.Cluster != "" {
			desc += " on " + p.Cluster
		}
		if p.Flow != "" {
			desc += " (" + string(p.Flow) + ")"
		}
		if p.Default {
			desc += ", default"
		}
		out = append(out, p.Name+"\t"+textsafe.Line(strings.TrimSpace(desc)))
	}
	return out
}

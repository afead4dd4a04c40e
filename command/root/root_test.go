package root

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
)

func testFactory() *cmdutil.Factory {
	return &cmdutil.Factory{
		IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
		Getenv:  func(string) string { return "" },
		Version: "test",
	}
}

func TestSelected(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"token", "-p", "dev"}, "token"},
		{[]string{"token", "-p", "dev", "--json", "--min-valid", "30m"}, "token"},
		{[]string{"profile", "add", "dev", "--tenant", "contoso.onmicrosoft.com"}, "profile"},
		{[]string{"version"}, "version"},
		{[]string{"token", "--help"}, ""},
		{[]string{"token", "--help=true"}, ""},
		{[]string{"token", "-h"}, ""},
		{[]string{"login", "-ph"}, ""},
		{[]string{"env", "--", "-h"}, "env"},
		{[]string{"help", "token"}, ""},
		{[]string{"--verbose", "token"}, ""},
		{[]string{"tokne"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "token", ""}, ""},
	}
	for _, tt := range tests {
		if got := selected(tt.args); got != tt.want {
			t.Errorf("selected(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestSubcommandNames: each table name is the name its command answers to,
// and the table holds every command, so that building one command alone
// finds the command that the whole tree would.
func TestSubcommandNames(t *testing.T) {
	f := testFactory()
	var names []string
	for _, s := range subcommands {
		c := s.build(f)
		if c.Name() != s.name || len(c.Aliases) > 0 {
			t.Errorf("table name %q: the command is %q with aliases %q", s.name, c.Name(), c.Aliases)
		}
		names = append(names, s.name)
	}
	var tree []string
	for _, c := range NewCmd(f).Commands() {
		tree = append(tree, c.Name())
	}
	slices.Sort(names)
	slices.Sort(tree)
	if !slices.Equal(names, tree) {
		t.Errorf("table %q, tree %q", names, tree)
	}
}

// TestNewCmdForFindsTheSameCommand: the tree built for args resolves them to
// the command, flags and arguments the whole tree does.
func TestNewCmdForFindsTheSameCommand(t *testing.T) {
	for _, args := range [][]string{
		{"token", "-p", "dev", "--json"},
		{"profile", "add", "dev", "--cluster", "westeurope-1"},
		{"profile", "ls"},
		{"env", "-p", "dev"},
		{"login", "--plain"},
		{"version"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if selected(args) == "" {
				t.Fatal("not a single-command run")
			}
			whole, wholeArgs, err := NewCmd(testFactory()).Find(args)
			if err != nil {
				t.Fatal(err)
			}
			lazy, lazyArgs, err := NewCmdFor(testFactory(), args).Find(args)
			if err != nil {
				t.Fatal(err)
			}
			if whole.CommandPath() != lazy.CommandPath() || !slices.Equal(wholeArgs, lazyArgs) {
				t.Fatalf("whole tree: %s %q; built for args: %s %q", whole.CommandPath(), wholeArgs, lazy.CommandPath(), lazyArgs)
			}
			if w, l := flagNames(whole), flagNames(lazy); !slices.Equal(w, l) {
				t.Errorf("flags differ:\nwhole tree %q\nbuilt for args %q", w, l)
			}
			if n := len(NewCmdFor(testFactory(), args).Commands()); n != 1 {
				t.Errorf("built %d commands, want only %s", n, args[0])
			}
		})
	}
}

func flagNames(c *cobra.Command) []string {
	var names []string
	c.Flags().VisitAll(func(fl *pflag.Flag) { names = append(names, fl.Name) })
	c.InheritedFlags().VisitAll(func(fl *pflag.Flag) { names = append(names, "inherited:"+fl.Name) })
	return names
}

// A first argument that is no command is a usage error (exit 2) that
// suggests the command meant, when one is close.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		arg, want string
	}{
		{"tokn", `unknown command "tokn" for "cdflogin"; did you mean token? (see: cdflogin --help)`},
		{"proflie", `unknown command "proflie" for "cdflogin"; did you mean profile? (see: cdflogin --help)`},
		{"xyzzy", `unknown command "xyzzy" for "cdflogin" (see: cdflogin --help)`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			args := []string{tt.arg}
			cmd := NewCmdFor(testFactory(), args)
			cmd.SetArgs(args)
			err := cmd.Execute()
			if cmdutil.ExitCode(err) != cmdutil.ExitUsage || err.Error() != tt.want {
				t.Fatalf("err = %v (exit %d), want %q (exit %d)", err, cmdutil.ExitCode(err), tt.want, cmdutil.ExitUsage)
			}
		})
	}
}

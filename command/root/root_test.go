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

// Every unknown subcommand is a usage error (exit 2) with a suggestion,
// not a help page with exit 0.
func TestUnknownSubcommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"profile", "ad", "x"}, `unknown command "ad" for "cdflogin profile"; did you mean add? (see: cdflogin profile --help)`},
		{[]string{"profile", "bogus"}, `unknown command "bogus" for "cdflogin profile" (see: cdflogin profile --help)`},
		{[]string{"profile", "lst"}, `unknown command "lst" for "cdflogin profile"; did you mean list? (see: cdflogin profile --help)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := NewCmdFor(testFactory(), tt.args)
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if cmdutil.ExitCode(err) != cmdutil.ExitUsage || err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v (exit %d), want %q (exit 2)", err, cmdutil.ExitCode(err), tt.want)
			}
		})
	}
	// The group alone still shows its help (exit 0).
	var out strings.Builder
	f := testFactory()
	f.IO.Out = &out
	cmd := NewCmdFor(f, []string{"profile"})
	cmd.SetArgs([]string{"profile"})
	cmd.SetOut(&out)
	if err := cmd.Execute(); err != nil || !strings.Contains(out.String(), "cdflogin profile COMMAND") {
		t.Fatalf("cdflogin profile: %v\n%s", err, out.String())
	}
}

// The help says what the code says, capitals and all, names each flag's
// value, wraps without cutting, and has no escape sequence on a pipe or
// with TERM=dumb.
func TestHelp(t *testing.T) {
	var out strings.Builder
	cmd := NewCmd(testFactory())
	add, _, err := cmd.Find([]string{"profile", "add"})
	if err != nil {
		t.Fatal(err)
	}
	add.SetOut(&out)
	help(add, nil)
	h := out.String()
	words := strings.Join(strings.Fields(h), " ") // wrapping aside
	for _, want := range []string{
		"--tenant ID Directory (tenant) ID or verified domain", // as written, with its placeholder
		"--client-id ID Application (client) ID of the app registration",
		"--cdf-url URL CDF base URL, when it is not", // not "Cdf base URL"
		"--redirect-port PORT", "--secret-env VAR", "--certificate PATH", "--cluster CLUSTER",
		"--secret-stdin read", // a bool takes no value
		"Flags of every command", "--debug-log FILE",
	} {
		if !strings.Contains(words, want) {
			t.Errorf("help lacks %q:\n%s", want, h)
		}
	}
	// Examples are commands to copy: every line as written.
	for _, l := range strings.Split(add.Example, "\n") {
		if !strings.Contains(h, l+"\n") {
			t.Errorf("example line not whole: %q", l)
		}
	}
	for _, bad := range []string{"Cdf", "Sign-In", "Line-Oriented", "\x1b"} {
		if strings.Contains(h, bad) {
			t.Errorf("help has %q:\n%s", bad, h)
		}
	}
	// Every word of the long text is there: nothing cut.
	if long := strings.Join(strings.Fields(add.Long), " "); !strings.Contains(words, long) {
		t.Errorf("the long text is not whole:\n%s", h)
	}
}

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// referenceDir is the committed reference, seen from this package.
var referenceDir = filepath.Join("..", "..", "docs", "reference")

// TestReferenceIsUpToDate fails when docs/reference differs from what the
// command tree generates: a command's help text, flags or the commands
// themselves changed without regenerating the reference.
func TestReferenceIsUpToDate(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := Compare(referenceDir, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatal(StaleMessage("docs/reference", diffs))
	}
}

// TestGenerateIgnoresEnvironment: nothing of the machine or the person
// (home folder, profiles, terminal) gets into the reference, so that it is
// the same wherever it is generated.
func TestGenerateIgnoresEnvironment(t *testing.T) {
	first, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for k, v := range map[string]string{
		"HOME": dir, "CDFLOGIN_HOME": filepath.Join(dir, "cdflogin"), "CDFLOGIN_PROFILE": "prod",
		"XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "COLUMNS": "37", "LINES": "9", "TERM": "xterm-256color",
		"NO_COLOR": "", "CLICOLOR_FORCE": "1", "LANG": "de_DE.UTF-8",
	} {
		t.Setenv(k, v)
	}
	second, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs with another environment", name)
		}
	}
	if len(first) != len(second) {
		t.Errorf("%d files, then %d", len(first), len(second))
	}
}

// TestEveryCommandAndFlagIsDocumented: each command a person can run has
// its page and its section in the man page, with every flag.
func TestEveryCommandAndFlagIsDocumented(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	man := string(files[ManPage])
	index := string(files[indexPage])
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		page, ok := files[markdownName(c)]
		if !ok {
			t.Errorf("%s has no page", c.CommandPath())
		}
		if !strings.Contains(index, "("+markdownName(c)+")") {
			t.Errorf("the index does not link %s", markdownName(c))
		}
		if c.HasParent() && !strings.Contains(man, ".SS \""+roffLine(c.CommandPath())+"\"\n") {
			t.Errorf("the man page has no section for %s", c.CommandPath())
		}
		c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			if !bytes.Contains(page, []byte("--"+f.Name+" ")) {
				t.Errorf("%s: page lacks --%s", c.CommandPath(), f.Name)
			}
			if f.Name != "help" && !strings.Contains(man, `\fB\-\-`+roffLine(f.Name)+`\fR`) {
				t.Errorf("%s: man page lacks --%s", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			if shown(sub) {
				walk(sub)
			}
		}
	}
	walk(Tree())
	for _, name := range []string{"completion", "version", "token", "profile"} {
		if _, ok := files["cdflogin_"+name+".md"]; !ok {
			t.Errorf("no page for cdflogin %s", name)
		}
	}
	for _, hidden := range []string{"cdflogin___complete.md", "cdflogin_help.md"} {
		if _, ok := files[hidden]; ok {
			t.Errorf("%s is documented", hidden)
		}
	}
}

// TestManPageIsCleanRoff: groff reads the man page without a single
// warning (-ww), so man shows it as written on Linux and macOS.
func TestManPageIsCleanRoff(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed; .ci/release.sh lints the shipped man page")
	}
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(groff, "-man", "-ww", "-z", "-Tutf8")
	cmd.Stdin = bytes.NewReader(files[ManPage])
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("groff: %v\n%s", err, out)
	}
}

func TestCompletionScripts(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		BashCompletion:  "# bash completion V2 for cdflogin",
		ZshCompletion:   "#compdef cdflogin", // first line: zsh's autoloader reads it
		FishCompletion:  "# fish completion for cdflogin",
		PowerShellCompl: "# powershell completion for cdflogin",
	} {
		if !strings.HasPrefix(string(files[path]), want) {
			t.Errorf("%s starts with %.40q, want %q", path, files[path], want)
		}
		if !bytes.Contains(files[path], []byte("__complete")) {
			t.Errorf("%s does not ask cdflogin for completions", path)
		}
	}
}

// TestWriteAndCompare: Write makes the folder exactly the generated files,
// Compare names each difference, and Write refuses a folder it did not
// write.
func TestWriteAndCompare(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reference")
	files := Files{indexPage: []byte("<!-- " + generatedMark + " -->\n"), "a.md": []byte("a\n"), "man/x.1": []byte(".TH X 1\n")}
	if n, err := Write(dir, files); err != nil || n != 3 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if diffs, err := Compare(dir, files); err != nil || len(diffs) != 0 {
		t.Fatalf("Compare after Write = %q, %v", diffs, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gone.md"), []byte("old command\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "man", "x.1")); err != nil {
		t.Fatal(err)
	}
	diffs, err := Compare(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"changed: a.md", "extra:   gone.md", "missing: man/x.1"}
	if strings.Join(diffs, "|") != strings.Join(want, "|") {
		t.Errorf("Compare = %q, want %q", diffs, want)
	}
	if n, err := Write(dir, files); err != nil || n != 3 {
		t.Fatalf("second Write = %d, %v", n, err)
	}
	if diffs, _ := Compare(dir, files); len(diffs) != 0 {
		t.Errorf("after the second Write: %q", diffs)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(foreign, files); !errors.Is(err, errNotReference) {
		t.Errorf("Write into a folder of other files: %v, want errNotReference", err)
	}
	if _, err := os.Stat(filepath.Join(foreign, "go.mod")); err != nil {
		t.Errorf("Write removed a file it did not write: %v", err)
	}
}

// TestRunCheck: -check fails on a stale folder, names the differences and
// the command that regenerates, and passes once that command ran.
func TestRunCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reference")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-check", "-dir", dir}, &stdout, &stderr); code != 1 {
		t.Fatalf("check of a missing folder: exit %d, want 1\n%s", code, stderr.String())
	}
	for _, want := range []string{"out of date", "missing: cdflogin_token.md", "missing: " + ManPage, Regenerate} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"-dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("write: exit %d\n%s", code, stderr.String())
	}
	if code := run([]string{"-check", "-dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("check after write: exit %d\n%s", code, stderr.String())
	}
	if code := run([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("an argument: exit %d, want 2", code)
	}
}

func TestRoffLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--profile NAME", `\-\-profile NAME`},
		{`C:\Users\me`, `C:\eUsers\eme`},
		{".hidden starts a request", `\&.hidden starts a request`},
		{"'quote too", `\&'quote too`},
		{"Signed in as … ✓", `Signed in as \[u2026] \[u2713]`},
		{"emoji 😀", `emoji \[u1F600]`},
		{"bad \xff byte", `bad \[uFFFD] byte`},
	}
	for _, tt := range tests {
		if got := roffLine(tt.in); got != tt.want {
			t.Errorf("roffLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMdEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"default https://<cluster>.cognitedata.com", `default https://\<cluster\>.cognitedata.com`},
		{"CDFLOGIN_HOME and client_id stay", "CDFLOGIN_HOME and client_id stay"},
		{"_emphasis_ and *.pem", `\_emphasis\_ and \*.pem`},
		{"# not a heading, but a # inside is text", `\# not a heading, but a # inside is text`},
		{"---", `\---`},
		{"a | b `c` [d]", "a \\| b \\`c\\` \\[d\\]"},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMdText(t *testing.T) {
	in := "First line of prose\nwith <two> lines.\n\n  indented code\n\tand a tab\n\n  more code after a blank\nProse again."
	want := "First line of prose\nwith \\<two\\> lines.\n\n```\nindented code\n  and a tab\n\nmore code after a blank\n```\n\nProse again.\n\n"
	if got := mdText(in); got != want {
		t.Errorf("mdText =\n%q\nwant\n%q", got, want)
	}
}

// TestFlagValuesAreNamed: the reference names each flag's value as the
// terminal help does (--profile PROFILE, --tenant ID), never by its Go
// type (--profile string), in the markdown pages and the man page.
func TestFlagValuesAreNamed(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	typeWord := regexp.MustCompile(`(--|\\-\\-)[a-z-]+(\\fR)? (\\fI)?(string|strings|stringArray|stringSlice|int|uint|duration|float64)\b`)
	for name, body := range files {
		if !strings.HasSuffix(name, ".md") && name != ManPage {
			continue
		}
		for _, m := range typeWord.FindAllString(string(body), -1) {
			t.Errorf("%s: flag value named by its type: %q", name, m)
		}
	}
	page := string(files["cdflogin_login.md"])
	for _, want := range []string{"-p, --profile PROFILE", "--flow FLOW", "--debug-log FILE"} {
		if !strings.Contains(page, want) {
			t.Errorf("cdflogin_login.md lacks %q:\n%s", want, page)
		}
	}
}

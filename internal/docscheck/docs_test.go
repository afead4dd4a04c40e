package docscheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const (
	readmeMaxBytes = 15 * 1024 // the README is an entry, not the manual
	lineMax        = 200       // characters a line, outside code blocks
	// referenceDir is the generated CLI reference; it may not exist yet,
	// and its generated pages are not held to lineMax.
	referenceDir = "docs/reference"
)

// root is the repository's root: the folder of go.mod above this package.
func root(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// page is one Markdown file, relative to the root, with its text outside
// fenced code blocks (code blocks become empty lines, so line numbers hold).
type page struct {
	Path  string
	Text  string // the whole file
	Prose string // the file with fenced code blocks blanked
}

// pages reads README.md and every Markdown file under docs/.
func pages(t *testing.T, rootDir string) []page {
	t.Helper()
	paths := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(rootDir, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(rootDir, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []page
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(rootDir, p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page{Path: p, Text: string(b), Prose: blankFences(string(b))})
	}
	return out
}

// blankFences empties the lines of fenced code blocks.
func blankFences(s string) string {
	lines := strings.Split(s, "\n")
	fence := ""
	for i, l := range lines {
		trim := strings.TrimLeft(l, " ")
		switch {
		case fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")):
			fence = trim[:3]
			lines[i] = ""
		case fence != "":
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// withoutCode drops inline code spans (which may wrap over lines) from prose.
func withoutCode(prose string) string {
	return codeSpan.ReplaceAllStringFunc(strings.ReplaceAll(prose, "\\`", ""), func(s string) string {
		return strings.Repeat("\n", strings.Count(s, "\n")) // keep line numbers
	})
}

func lineOf(s string, offset int) int { return strings.Count(s[:offset], "\n") + 1 }

// slug is GitHub's anchor for a heading: lower case, letters, digits, _ and
// - kept, spaces turned into -, everything else dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

var heading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *#*$`)

// anchors are the heading anchors of a page, with GitHub's -1, -2 … for
// repeated headings.
func anchors(p page) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(p.Prose, -1) {
		s := slug(m[1])
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

var link = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// TestLinks checks that every relative link of the README and docs/ names a
// file that exists and, for a Markdown page, an anchor it has.
func TestLinks(t *testing.T) {
	rootDir := root(t)
	all := pages(t, rootDir)
	byPath := map[string]page{}
	for _, p := range all {
		byPath[p.Path] = p
	}
	for _, p := range all {
		text := withoutCode(p.Prose)
		for _, m := range link.FindAllStringSubmatchIndex(text, -1) {
			target := text[m[2]:m[3]]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			resolved := p.Path
			if file != "" {
				resolved = filepath.ToSlash(filepath.Join(filepath.Dir(p.Path), file))
			}
			where := fmt.Sprintf("%s:%d: link %q", p.Path, lineOf(text, m[0]), target)
			if _, err := os.Stat(filepath.Join(rootDir, resolved)); err != nil {
				if under(resolved, referenceDir) && !exists(filepath.Join(rootDir, referenceDir)) {
					continue // the generated reference has not landed yet
				}
				t.Errorf("%s: %s does not exist", where, resolved)
				continue
			}
			if frag == "" {
				continue
			}
			target2, ok := byPath[resolved]
			if !ok {
				continue
			}
			if !anchors(target2)[frag] {
				t.Errorf("%s: %s has no heading with the anchor #%s", where, resolved, frag)
			}
		}
	}
}

func under(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestReadme checks that the README stays an entry point: short, and
// linking every page (and folder) of docs/.
func TestReadme(t *testing.T) {
	rootDir := root(t)
	readme, err := os.ReadFile(filepath.Join(rootDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) > readmeMaxBytes {
		t.Errorf("README.md is %d bytes, over %d: move the detail into a page of docs/ and link it", len(readme), readmeMaxBytes)
	}
	var linked []string
	for _, m := range link.FindAllStringSubmatch(withoutCode(blankFences(string(readme))), -1) {
		file, _, _ := strings.Cut(m[1], "#")
		linked = append(linked, strings.TrimSuffix(filepath.ToSlash(filepath.Clean(file)), "/"))
	}
	entries, err := os.ReadDir(filepath.Join(rootDir, "docs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := "docs/" + e.Name()
		if strings.HasPrefix(e.Name(), ".") || (!e.IsDir() && !strings.HasSuffix(name, ".md")) {
			continue
		}
		if !slices.ContainsFunc(linked, func(l string) bool { return under(l, name) }) {
			t.Errorf("README.md does not link %s: add it to the README's Documentation table", name)
		}
	}
}

// TestLineLength keeps lines readable in a terminal and in a diff.
func TestLineLength(t *testing.T) {
	for _, p := range pages(t, root(t)) {
		if under(p.Path, referenceDir) {
			continue // generated from the command tree
		}
		for i, l := range strings.Split(p.Prose, "\n") {
			if n := utf8.RuneCountInString(l); n > lineMax {
				t.Errorf("%s:%d: %d characters, over %d: wrap it, or turn a wide table into a list or sub-sections",
					p.Path, i+1, n, lineMax)
			}
		}
	}
}

// repoPath matches a code span that names a file or folder of the
// repository, e.g. `internal/aadsts` or `bench/token.sh -runs 30`.
var repoPath = regexp.MustCompile("`((?:bench|command|docs|e2e|flows|internal|profiles|sandbox|testdata|ui)/[^` ]*)[^`]*`")

// pkgMember is a Go identifier after a package path: command/root.Main.
var pkgMember = regexp.MustCompile(`\.[A-Z]\w*$`)

// TestPaths checks that every repository path the docs name in a code span
// exists (a placeholder such as command/<cmd> is skipped, a glob must
// match something).
func TestPaths(t *testing.T) {
	rootDir := root(t)
	for _, p := range pages(t, rootDir) {
		if under(p.Path, referenceDir) {
			continue
		}
		for _, m := range repoPath.FindAllStringSubmatchIndex(p.Prose, -1) {
			path := p.Prose[m[2]:m[3]]
			if strings.ContainsAny(path, "<>{}") {
				continue
			}
			path = strings.TrimSuffix(strings.TrimSuffix(path, "/..."), "/")
			path = pkgMember.ReplaceAllString(path, "")
			if under(path, referenceDir) && !exists(filepath.Join(rootDir, referenceDir)) {
				continue
			}
			matches, err := filepath.Glob(filepath.Join(rootDir, filepath.FromSlash(path)))
			if err != nil || len(matches) == 0 {
				t.Errorf("%s:%d: `%s` names no file or folder of the repository", p.Path, lineOf(p.Prose, m[0]), path)
			}
		}
	}
}

// exitCode is one exit-code constant of the code.
type exitCode struct {
	Name  string
	Value int
	Where string
}

// exitCodes finds every `Exit…` integer constant in the program's packages
// (not tests, benchmarks or the patched Bubble Tea), and flags exit codes
// given as bare numbers.
func exitCodes(t *testing.T, rootDir string) []exitCode {
	t.Helper()
	var out []exitCode
	fset := token.NewFileSet()
	err := filepath.WalkDir(rootDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(rootDir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" ||
				slices.Contains([]string{"bench", "e2e", "docs", "internal/third_party"}, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if !exitName.MatchString(name.Name) {
						continue
					}
					where := fmt.Sprintf("%s:%d", rel, fset.Position(name.Pos()).Line)
					lit, ok := ast.Expr(nil), false
					if i < len(n.Values) {
						lit = n.Values[i]
						_, ok = lit.(*ast.BasicLit)
					}
					if !ok {
						t.Errorf("%s: %s is not an integer literal; this check reads exit codes as literals", where, name.Name)
						continue
					}
					v, err := strconv.Atoi(lit.(*ast.BasicLit).Value)
					if err != nil {
						t.Errorf("%s: %s: %v", where, name.Name, err)
						continue
					}
					out = append(out, exitCode{name.Name, v, where})
				}
			case *ast.CallExpr:
				if id := callName(n); (id == "WithExitCode" || id == "Exit") && len(n.Args) > 0 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && !(id == "Exit" && strings.HasSuffix(rel, "main.go")) {
						t.Errorf("%s:%d: exit code %s as a bare number: use a named constant of command/cmdutil",
							rel, fset.Position(lit.Pos()).Line, lit.Value)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

var exitName = regexp.MustCompile(`^Exit[A-Z]\w*$`)

var exitRow = regexp.MustCompile("(?m)^\\| *(\\d+) *\\| *`(\\w+)` *\\|")

// TestExitCodeTable checks the exit-code table of docs/scripting.md against
// the exit-code constants: the same names with the same numbers.
func TestExitCodeTable(t *testing.T) {
	rootDir := root(t)
	const file = "docs/scripting.md"
	b, err := os.ReadFile(filepath.Join(rootDir, file))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "<!-- exit-codes:begin")
	end := strings.Index(doc, "<!-- exit-codes:end -->")
	if start < 0 || end < start {
		t.Fatalf("%s has no <!-- exit-codes:begin … --> … <!-- exit-codes:end --> around its exit-code table", file)
	}
	documented := map[string]int{}
	for _, m := range exitRow.FindAllStringSubmatch(doc[start:end], -1) {
		v, _ := strconv.Atoi(m[1])
		documented[m[2]] = v
	}
	code := exitCodes(t, rootDir)
	if len(code) == 0 {
		t.Fatal("found no Exit… constants in the code; has command/cmdutil/errors.go moved?")
	}
	inCode := map[string]bool{}
	for _, c := range code {
		inCode[c.Name] = true
		v, ok := documented[c.Name]
		switch {
		case !ok:
			t.Errorf("%s: exit code %s = %d is not in %s's exit-code table: add a row", c.Where, c.Name, c.Value, file)
		case v != c.Value:
			t.Errorf("%s: exit code %s = %d, but %s says %d", c.Where, c.Name, c.Value, file, v)
		}
	}
	for name, v := range documented {
		if !inCode[name] {
			t.Errorf("%s documents exit code %d as %s, which no Exit… constant of the code defines", file, v, name)
		}
	}
}

// TestSlug checks the anchors against ones GitHub gives these headings.
func TestSlug(t *testing.T) {
	tests := []struct{ heading, want string }{
		{"Entra errors (AADSTS codes)", "entra-errors-aadsts-codes"},
		{"Global flags: `--verbose`, `--debug-log FILE`", "global-flags---verbose---debug-log-file"},
		{"Findings (checks) — IDs are stable", "findings-checks--ids-are-stable"},
		{"`cdflogin demo`: the interactive program on the sandbox", "cdflogin-demo-the-interactive-program-on-the-sandbox"},
		{"Token cache and answers that are not Entra's", "token-cache-and-answers-that-are-not-entras"},
		{"What is in it (fixed IDs, fresh keys at every start)", "what-is-in-it-fixed-ids-fresh-keys-at-every-start"},
	}
	for _, tt := range tests {
		if got := slug(tt.heading); got != tt.want {
			t.Errorf("slug(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

// TestProseWithoutCode checks that links and headings inside code are not
// taken for real ones, and that line numbers survive.
func TestProseWithoutCode(t *testing.T) {
	in := "a [x](one.md)\n```sh\n# not a heading [y](two.md)\n```\nb `[z](three.md)` and `wrapped\n[w](four.md)` c [v](five.md)\n"
	text := withoutCode(blankFences(in))
	var got []string
	for _, m := range link.FindAllStringSubmatch(text, -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, []string{"one.md", "five.md"}) {
		t.Errorf("links outside code = %q, want [one.md five.md]", got)
	}
	if strings.Count(text, "\n") != strings.Count(in, "\n") {
		t.Errorf("line count changed: %q", text)
	}
	if heads := heading.FindAllString(blankFences(in), -1); len(heads) != 0 {
		t.Errorf("headings found in a code block: %q", heads)
	}
}

// passThrough are keys the docs show inside values cdflogin passes on as
// CDF sends them (a capability's scope, {"all": {}}), so no struct of
// cdflogin's names them.
var passThrough = []string{"all"}

var (
	jsonBlock = regexp.MustCompile("(?s)```json\n(.*?)```")
	jsonKey   = regexp.MustCompile(`"(\w+)"\s*:`)
	jsonTag   = regexp.MustCompile("json:\"([^\",]+)")
)

// TestJSONKeys checks that every key in a JSON example of the docs is a
// field cdflogin's code writes (a json tag of a struct), so a renamed or
// removed field cannot leave the documented schema behind.
func TestJSONKeys(t *testing.T) {
	rootDir := root(t)
	tags := map[string]bool{}
	err := filepath.WalkDir(rootDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(rootDir, p)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || filepath.ToSlash(rel) == "internal/third_party") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		for _, m := range jsonTag.FindAllStringSubmatch(string(b), -1) {
			tags[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) < 20 {
		t.Fatalf("found only %d json tags in the code; is the walk wrong?", len(tags))
	}
	for _, p := range pages(t, rootDir) {
		for _, block := range jsonBlock.FindAllStringSubmatchIndex(p.Text, -1) {
			for _, m := range jsonKey.FindAllStringSubmatchIndex(p.Text[block[2]:block[3]], -1) {
				key := p.Text[block[2]+m[2] : block[2]+m[3]]
				if !tags[key] && !slices.Contains(passThrough, key) {
					t.Errorf("%s:%d: the JSON example has a key %q that no json tag of the code writes: "+
						"update the example to the code's output", p.Path, lineOf(p.Text, block[2]+m[0]), key)
				}
			}
		}
	}
}

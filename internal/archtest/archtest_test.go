package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pkg is what `go list -json` says about one package of the module.
type pkg struct {
	ImportPath string
	Imports    []string // direct imports of the non-test build
	Deps       []string // every package the non-test build depends on
}

// rule is one layer rule: the packages it is about (From) must not import
// (directly, or through other packages when Transitive) any module package
// Forbidden names. Paths are relative to the module ("" is the root).
type rule struct {
	Name       string
	From       func(rel string) bool
	Forbidden  func(rel string) bool
	Transitive bool
}

// under reports whether rel is dir or a package below it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

func anyOf(dirs ...string) func(string) bool {
	return func(rel string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return under(rel, d) })
	}
}

func not(f func(string) bool) func(string) bool { return func(rel string) bool { return !f(rel) } }

// rules are the layer rules of docs/architecture.md ("The rules").
var rules = []rule{
	{
		Name:       "flows, profiles and internal/insight never import ui or command",
		From:       anyOf("flows", "profiles", "internal/insight"),
		Forbidden:  anyOf("ui", "command"),
		Transitive: true,
	},
	{
		Name:       "sandbox imports no cdflogin package outside sandbox/",
		From:       anyOf("sandbox"),
		Forbidden:  not(anyOf("sandbox")),
		Transitive: true,
	},
	{
		Name:      "only the demo wiring, the benchmarks and the tests import sandbox",
		From:      not(anyOf("sandbox", "command/demo", "command/sandbox", "bench", "e2e")),
		Forbidden: anyOf("sandbox"),
	},
	{
		Name:       "ui imports no command package",
		From:       anyOf("ui"),
		Forbidden:  anyOf("command"),
		Transitive: true,
	},
	{
		Name:       "only _test.go files import command/internal/cmdtest",
		From:       not(anyOf("command/internal/cmdtest")),
		Forbidden:  anyOf("command/internal/cmdtest"),
		Transitive: true,
	},
}

// statedTop are the top-level folders whose packages are the product's
// stated layout (or its test and benchmark programs); everything else that
// is a package must be under an internal/ folder.
var statedTop = []string{"command", "flows", "profiles", "ui", "sandbox", "e2e", "bench"}

// rootFolders are the only (non-hidden) folders the repository's root may hold.
var rootFolders = []string{"bench", "command", "docs", "e2e", "flows", "internal", "profiles", "sandbox", "testdata", "ui"}

// check returns one line for every broken rule, naming the import chain.
// A chain is reported once, by its last link, in its shortest form.
func check(module string, pkgs []pkg) []string {
	rel := func(path string) (string, bool) {
		if path == module {
			return "", true
		}
		r, ok := strings.CutPrefix(path, module+"/")
		return r, ok
	}
	show := func(rel string) string {
		if rel == "" {
			return "(root)"
		}
		return rel
	}
	byPath := map[string]pkg{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []string
	found := map[string][]string{} // rule and last link → shortest chain
	for _, p := range pkgs {
		from, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		if !strings.Contains("/"+from+"/", "/internal/") && from != "" && !anyOf(statedTop...)(from) {
			out = append(out, "everything outside the stated layout is under internal/: "+from+
				" is importable; move it under internal/ (or name its folder in docs/architecture.md and this test)")
		}
		for _, r := range rules {
			if !r.From(from) {
				continue
			}
			targets := p.Imports
			if r.Transitive {
				targets = p.Deps
			}
		deps:
			for _, dep := range targets {
				d, ok := rel(dep)
				if !ok || !r.Forbidden(d) {
					continue
				}
				chain := chainTo(p.ImportPath, dep, byPath)
				for i := range chain {
					chain[i], _ = rel(chain[i])
				}
				for _, mid := range chain[1 : len(chain)-1] {
					if r.Forbidden(mid) {
						continue deps // reported at the first forbidden package
					}
				}
				key := r.Name + ": " + strings.Join(chain[max(0, len(chain)-2):], " → ")
				if prev, ok := found[key]; !ok || len(chain) < len(prev) {
					found[key] = chain
				}
			}
		}
	}
	for key, chain := range found {
		name, _, _ := strings.Cut(key, ": ")
		shown := make([]string, len(chain))
		for i, c := range chain {
			shown[i] = show(c)
		}
		out = append(out, name+": "+strings.Join(shown, " → "))
	}
	slices.Sort(out)
	return out
}

// chainTo finds the shortest import chain from one package to another
// through the module's packages.
func chainTo(from, to string, byPath map[string]pkg) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var chain []string
			for p := to; p != ""; p = prev[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, next := range byPath[cur].Imports {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return []string{from, "…", to}
}

// moduleRoot is the folder of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the cdflogin module")
	}
	return filepath.Dir(gomod)
}

// load lists the module's packages with `go list -json`.
func load(t *testing.T) (module string, pkgs []pkg) {
	t.Helper()
	root := moduleRoot(t)
	mod, err := runGo(root, "list", "-m")
	if err != nil {
		t.Fatal(err)
	}
	module = strings.TrimSpace(string(mod))
	noteInputs(t, root)
	out, err := runGo(root, "list", "-json=ImportPath,Imports,Deps", "./...")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list ./... found %d packages in %s; expected the whole module", len(pkgs), root)
	}
	return module, pkgs
}

// noteInputs stats every Go source and go.mod of the module. `go list` runs
// in another process, so without this `go test` would not see that the
// sources changed and could answer from its cache.
func noteInputs(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") || d.Name() == "go.mod" {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runGo(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New("go " + strings.Join(args, " ") + ": " + err.Error() + "\n" + stderr.String())
	}
	return out, nil
}

// TestLayerRules checks the real module against the rules.
func TestLayerRules(t *testing.T) {
	module, pkgs := load(t)
	for _, v := range check(module, pkgs) {
		t.Error(v)
	}
	// The rules must be about packages that exist, or they guard nothing.
	for _, r := range rules {
		found := false
		for _, p := range pkgs {
			if rel, ok := strings.CutPrefix(p.ImportPath, module+"/"); ok && r.From(rel) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("rule %q is about no package of the module: update it and docs/architecture.md", r.Name)
		}
	}
}

// TestRulesCatchViolations proves that check fails on each kind of broken
// rule, on a small module graph built for the purpose.
func TestRulesCatchViolations(t *testing.T) {
	const m = "example.com/x"
	p := func(path string, imports ...string) pkg {
		q := pkg{ImportPath: m + "/" + path}
		for _, i := range imports {
			q.Imports = append(q.Imports, m+"/"+i)
		}
		return q
	}
	// withDeps fills Deps from Imports, as go list would.
	withDeps := func(pkgs ...pkg) []pkg {
		by := map[string]pkg{}
		for _, q := range pkgs {
			by[q.ImportPath] = q
		}
		for i, q := range pkgs {
			seen := map[string]bool{}
			var walk func(string)
			walk = func(path string) {
				for _, d := range by[path].Imports {
					if !seen[d] {
						seen[d] = true
						walk(d)
					}
				}
			}
			walk(q.ImportPath)
			for d := range seen {
				pkgs[i].Deps = append(pkgs[i].Deps, d)
			}
			slices.Sort(pkgs[i].Deps)
		}
		return pkgs
	}
	tests := []struct {
		name string
		pkgs []pkg
		want string // a substring of the one violation expected; "" for none
	}{
		{"clean", withDeps(p("command/login", "flows", "ui"), p("ui", "flows"), p("flows", "internal/aadsts"),
			p("internal/aadsts"), p("command/demo", "sandbox"), p("sandbox")), ""},
		{"flows imports ui through a helper", withDeps(p("flows", "internal/helper"), p("internal/helper", "ui"), p("ui")),
			"flows → internal/helper → ui"},
		{"profiles imports a command", withDeps(p("profiles", "command/cmdutil"), p("command/cmdutil")),
			"profiles → command/cmdutil"},
		{"insight imports ui", withDeps(p("internal/insight/claims", "ui"), p("ui")),
			"internal/insight/claims → ui"},
		{"sandbox imports client code", withDeps(p("sandbox", "internal/textsafe"), p("internal/textsafe")),
			"sandbox → internal/textsafe"},
		{"a client package imports sandbox", withDeps(p("ui", "sandbox"), p("sandbox")),
			"only the demo wiring"},
		{"ui imports a command", withDeps(p("ui", "command/cmdutil"), p("command/cmdutil")),
			"ui → command/cmdutil"},
		{"a command links cmdtest", withDeps(p("command/token", "command/internal/cmdtest"), p("command/internal/cmdtest")),
			"command/token → command/internal/cmdtest"},
		{"a package outside internal/ and the stated layout", withDeps(p("textdist")),
			"textdist is importable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(m, tt.pkgs)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("violations on a clean graph: %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.want) {
				t.Fatalf("violations = %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// TestRootLayout checks that `ls` of the repository's root shows only the
// folders of docs/architecture.md, so the root keeps showing the layers.
func TestRootLayout(t *testing.T) {
	entries, err := os.ReadDir(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "dist" {
			continue // dist: the release's output (.goreleaser.yaml), git-ignored
		}
		if !slices.Contains(rootFolders, e.Name()) {
			t.Errorf("the root holds a folder %q that docs/architecture.md does not name; "+
				"move it under internal/ (or a folder of the root), or name it there and in this test", e.Name())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMutationsFitTheCode: every mutation of the list can be planted in
// the code as it is (its text is in its file exactly once), names a test
// selection of an existing package, and has a unique name. So a change that
// moves the code under a mutation fails here, in the ordinary test run,
// not only when the (slower) check runs.
func TestMutationsFitTheCode(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range Mutations() {
		if names[m.Name] {
			t.Errorf("two mutations are named %q", m.Name)
		}
		names[m.Name] = true
		if m.What == "" || len(m.Edits) == 0 || len(m.Tests) == 0 {
			t.Errorf("%s: needs what it breaks, edits and test selections: %+v", m.Name, m)
		}
		restore, err := apply(copyOf(t, root, m.Edits), m.Edits)
		restore()
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
		for _, s := range m.Tests {
			if !strings.HasPrefix(s.Pkg, "./") || strings.Contains(s.Pkg, "...") {
				t.Errorf("%s: selection %s: name one package (./dir), not a pattern", m.Name, s)
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(s.Pkg))); err != nil {
				t.Errorf("%s: selection %s: %v", m.Name, s, err)
			}
			if s.Run == "" {
				t.Errorf("%s: selection %s runs the whole package: name the tests (-run)", m.Name, s)
			} else if _, err := regexp.Compile(s.Run); err != nil {
				t.Errorf("%s: selection %s: %v", m.Name, s, err)
			}
		}
	}
}

// copyOf copies the files the edits touch into a temporary folder, so that
// apply can be tried without changing the working tree.
func copyOf(t *testing.T, root string, edits []Edit) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range edits {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(e.File)))
		if err != nil {
			continue // apply reports it
		}
		dst := filepath.Join(dir, filepath.FromSlash(e.File))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// toyModule writes a module with one function, a test of it, and an
// untested function, for the runner to plant bugs in.
func toyModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module toy\n\ngo 1.22\n",
		"toy/toy.go": `package toy

// Max is the larger of a and b.
func Max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Untested is not tested at all.
func Untested() string { return "as it was" }
`,
		"toy/toy_test.go": `package toy

import "testing"

func TestMax(t *testing.T) {
	if Max(1, 2) != 2 || Max(2, 1) != 2 {
		t.Fatal("Max is wrong")
	}
}
`,
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunnerClassifiesMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on a toy module")
	}
	dir := toyModule(t)
	original, err := os.ReadFile(filepath.Join(dir, "toy", "toy.go"))
	if err != nil {
		t.Fatal(err)
	}
	maxTest := sel("./toy", "TestMax")
	tests := []struct {
		name   string
		m      Mutation
		result string
		detail string
	}{
		{"caught", Mutation{Name: "max-min", Edits: []Edit{edit("toy/toy.go", "if a > b {", "if a < b {")}, Tests: []Selection{maxTest}},
			killed, "go test -run TestMax ./toy"},
		{"not caught", Mutation{Name: "untested", Edits: []Edit{edit("toy/toy.go", `"as it was"`, `"changed"`)}, Tests: []Selection{maxTest}},
			survived, "every selection passed"},
		{"text gone", Mutation{Name: "gone", Edits: []Edit{edit("toy/toy.go", "if a >= b {", "if a < b {")}, Tests: []Selection{maxTest}},
			stale, `toy/toy.go no longer holds "if a >= b {"`},
		{"text twice", Mutation{Name: "twice", Edits: []Edit{edit("toy/toy.go", "return ", "return -")}, Tests: []Selection{maxTest}},
			stale, "3 times"},
		{"file gone", Mutation{Name: "nofile", Edits: []Edit{edit("toy/gone.go", "a", "b")}, Tests: []Selection{maxTest}},
			stale, "toy/gone.go"},
		{"does not build", Mutation{Name: "syntax", Edits: []Edit{edit("toy/toy.go", "if a > b {", "if a > b {{")}, Tests: []Selection{maxTest}},
			broken, "does not build"},
		{"runs no test", Mutation{Name: "norun", Edits: []Edit{edit("toy/toy.go", "if a > b {", "if a < b {")}, Tests: []Selection{sel("./toy", "TestNothingHasThisName")}},
			broken, "runs no test"},
		{"no selection", Mutation{Name: "nosel", Edits: []Edit{edit("toy/toy.go", "if a > b {", "if a < b {")}},
			broken, "no test selection"},
	}
	r := &runner{dir: dir, timeout: time.Minute, out: &bytes.Buffer{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.mutation(context.Background(), tt.m, false)
			if res.result != tt.result || !strings.Contains(res.detail, tt.detail) {
				t.Errorf("result %s (%s), want %s (%s)\n%s", res.result, res.detail, tt.result, tt.detail, res.log)
			}
			// The copy is put back after every mutation.
			if now, _ := os.ReadFile(filepath.Join(dir, "toy", "toy.go")); !bytes.Equal(now, original) {
				t.Fatalf("toy.go not restored:\n%s", now)
			}
		})
	}
}

// TestRunReportsAndExits drives the command on the toy module: a survivor or
// a mutation that no longer fits makes it exit 1 and say so; the working
// tree is never changed.
func TestRunReportsAndExits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on a toy module")
	}
	dir := toyModule(t)
	caught := Mutation{Name: "max-min", What: "Max gives the smaller", Edits: []Edit{edit("toy/toy.go", "if a > b {", "if a < b {")}, Tests: []Selection{sel("./toy", "TestMax")}}
	missed := Mutation{Name: "untested", What: "Untested changes", Edits: []Edit{edit("toy/toy.go", `"as it was"`, `"changed"`)}, Tests: []Selection{sel("./toy", "TestMax")}}
	gone := Mutation{Name: "gone", What: "code that moved", Edits: []Edit{edit("toy/toy.go", "func Gone()", "func Gone2()")}, Tests: []Selection{sel("./toy", "TestMax")}}
	before, _ := os.ReadFile(filepath.Join(dir, "toy", "toy.go"))
	for _, tt := range []struct {
		name string
		args []string
		muts []Mutation
		code int
		say  []string
	}{
		{"all killed", nil, []Mutation{caught}, 0, []string{"max-min", "killed", "1 mutations: 1 killed, 0 survived, 0 not checked"}},
		{"a survivor", nil, []Mutation{caught, missed}, 1, []string{"untested", "survived", "2 mutations: 1 killed, 1 survived, 0 not checked"}},
		{"stale", nil, []Mutation{gone}, 1, []string{"gone", "stale", `no longer holds "func Gone()"`, "0 killed, 0 survived, 1 not checked"}},
		{"baseline", []string{"-baseline"}, []Mutation{caught}, 0, []string{"passed", "go test -run TestMax ./toy", "1 killed"}},
		{"selected by name", []string{"-run", "^max"}, []Mutation{caught, missed}, 0, []string{"1 mutations: 1 killed"}},
		{"no match", []string{"-run", "nothing"}, []Mutation{caught}, 2, []string{"matches no mutation"}},
		{"list", []string{"-list"}, []Mutation{caught}, 0, []string{"max-min", "Max gives the smaller", "toy/toy.go", "go test -run TestMax ./toy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := check(tt.args, &out, &out, dir, tt.muts)
			if code != tt.code {
				t.Errorf("exit code %d, want %d:\n%s", code, tt.code, out.String())
			}
			for _, s := range tt.say {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "toy", "toy.go")); !bytes.Equal(after, before) {
		t.Fatalf("the working tree was changed:\n%s", after)
	}
}

func TestClassify(t *testing.T) {
	if got := classify(nil, "ok  \tx\t0.1s [no tests to run]\n"); got != noTests {
		t.Errorf("no tests: %s", got)
	}
	if got := classify(nil, "ok  \tx\t0.1s\n"); got != passed {
		t.Errorf("passed: %s", got)
	}
}

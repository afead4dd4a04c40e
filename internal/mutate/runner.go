package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// terminate is the signal a CI runner sends to stop a job (SIGTERM exists
// in package syscall on every platform Go builds for).
var terminate os.Signal = syscall.SIGTERM

// The results of one mutation.
const (
	killed   = "killed"   // a test of its selections failed
	survived = "survived" // every selection passed with the bug planted
	stale    = "stale"    // an edit's text is not (exactly once) in its file
	broken   = "broken"   // the mutated code does not build, or a selection ran no test
)

// The outcomes of one test run.
const (
	passed  = "passed"   // ran at least one test, all passed
	failed  = "failed"   // a test failed (or the test binary crashed)
	noBuild = "no-build" // the package or its tests did not build (or vet failed)
	noTests = "no-tests" // built, but the -run pattern matched no test
)

// runner runs test selections in a copy of the module.
type runner struct {
	dir     string // the copy
	timeout time.Duration
	verbose bool
	out     io.Writer
	goCmd   string // the go command; "go" when empty
}

// testResult is one `go test` run.
type testResult struct {
	outcome string
	took    time.Duration
	output  string
}

// tail is the end of the run's output, enough to see why it failed.
func (t testResult) tail() string {
	lines := strings.Split(strings.TrimRight(t.output, "\n"), "\n")
	if len(lines) > 30 {
		lines = append([]string{"…"}, lines[len(lines)-30:]...)
	}
	return strings.Join(lines, "\n")
}

// test runs one selection in the copy and classifies the outcome.
func (r *runner) test(ctx context.Context, s Selection) testResult {
	goCmd := r.goCmd
	if goCmd == "" {
		goCmd = "go"
	}
	args := append([]string{"test", "-count=1", "-timeout", r.timeout.String()}, s.args()...)
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = r.dir
	cmd.WaitDelay = 10 * time.Second
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	start := time.Now()
	err := cmd.Run()
	res := testResult{took: time.Since(start), output: buf.String()}
	if r.verbose {
		fmt.Fprintf(r.out, "---- go %s\n%s", strings.Join(args, " "), res.output)
	}
	res.outcome = classify(err, res.output)
	return res
}

// classify names the outcome of a `go test` run from its error and output.
func classify(err error, output string) string {
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return noBuild // go itself could not run
	}
	switch {
	case strings.Contains(output, "[build failed]"), strings.Contains(output, "[setup failed]"):
		return noBuild
	case err == nil && strings.Contains(output, "no tests to run"):
		return noTests
	case err == nil:
		return passed
	}
	// A test failed, or the binary crashed or timed out: the tests noticed.
	return failed
}

// mutationResult is what happened to one mutation.
type mutationResult struct {
	result string
	took   time.Duration
	detail string // which selection caught it, or why it was not checked
	log    string // the output worth showing when it was not killed
}

// mutation plants m in the copy, runs its selections and puts the files back.
// Unless all is set it stops at the first selection that catches the bug.
func (r *runner) mutation(ctx context.Context, m Mutation, all bool) mutationResult {
	start := time.Now()
	restore, err := apply(r.dir, m.Edits)
	defer restore()
	if err != nil {
		return mutationResult{result: stale, took: time.Since(start), detail: err.Error()}
	}
	if len(m.Tests) == 0 {
		return mutationResult{result: broken, took: time.Since(start), detail: "no test selection names it"}
	}
	var caughtBy []string
	for _, s := range m.Tests {
		res := r.test(ctx, s)
		if ctx.Err() != nil {
			return mutationResult{result: broken, took: time.Since(start), detail: "interrupted"}
		}
		switch res.outcome {
		case failed:
			caughtBy = append(caughtBy, "go test "+s.String())
			if !all {
				return mutationResult{result: killed, took: time.Since(start), detail: caughtBy[0]}
			}
		case noBuild:
			return mutationResult{result: broken, took: time.Since(start),
				detail: "does not build with the bug planted: go test " + s.String(), log: res.tail()}
		case noTests:
			return mutationResult{result: broken, took: time.Since(start),
				detail: "runs no test: go test " + s.String(), log: res.tail()}
		}
	}
	if len(caughtBy) > 0 {
		return mutationResult{result: killed, took: time.Since(start), detail: strings.Join(caughtBy, "; ")}
	}
	return mutationResult{result: survived, took: time.Since(start), detail: "every selection passed with the bug planted"}
}

// apply makes every edit in dir and returns the function that puts the
// original files back (also after an error). An edit whose Old text is not
// exactly once in its file is an error: the list no longer fits the code.
func apply(dir string, edits []Edit) (restore func(), err error) {
	originals := map[string][]byte{}
	restore = func() {
		for path, data := range originals {
			_ = os.WriteFile(path, data, 0o644)
		}
	}
	for _, e := range edits {
		path := filepath.Join(dir, filepath.FromSlash(e.File))
		data, err := os.ReadFile(path)
		if err != nil {
			return restore, fmt.Errorf("%s: %w", e.File, err)
		}
		if _, ok := originals[path]; !ok {
			originals[path] = data
		}
		switch n := strings.Count(string(data), e.Old); n {
		case 1:
		case 0:
			return restore, fmt.Errorf("%s no longer holds %q: update the mutation to the code", e.File, e.Old)
		default:
			return restore, fmt.Errorf("%s holds %q %d times: make the text to replace unique", e.File, e.Old, n)
		}
		mutated := strings.Replace(string(data), e.Old, e.New, 1)
		if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
			return restore, fmt.Errorf("%s: %w", e.File, err)
		}
	}
	return restore, nil
}

// copyTree copies the module at src (its files, not .git nor the release's
// dist output) into dst, which exists.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if d.IsDir() && (rel == ".git" || rel == "dist") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case !info.Mode().IsRegular():
			return nil // sockets, fifos: nothing a build reads
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm()|0o200)
	})
}

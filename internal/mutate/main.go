// Command mutate is cdflogin's mutation check: it plants each bug of a
// fixed list (mutations.go) in a temporary copy of the module, one at a
// time, and runs the tests that must catch it. A bug the tests catch is
// "killed"; one they miss "survived". The working tree is never changed.
//
//	go run ./internal/mutate            # every mutation
//	go run ./internal/mutate -list      # the list
//	go run ./internal/mutate -run state # the mutations whose name matches
//
// It exits 1 when a mutation survived, or could not be checked (its text
// is no longer in the file, it does not compile, or its tests ran none),
// so that the list keeps up with the code (docs/architecture.md, "The
// mutation check").
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return check(args, stdout, stderr, root, Mutations())
}

// check runs the mutations muts of the module at root as args say.
func check(args []string, stdout, stderr io.Writer, root string, muts []Mutation) int {
	fl := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		only     = fl.String("run", "", "check only the mutations whose name matches this `regexp`")
		list     = fl.Bool("list", false, "print the mutations and exit")
		verbose  = fl.Bool("v", false, "print the output of every test run")
		all      = fl.Bool("all", false, "run every test selection of a mutation, not only up to the first that catches it")
		baseline = fl.Bool("baseline", false, "first run every selection on the unchanged copy: each must pass")
		keep     = fl.Bool("keep", false, "keep the temporary copy (its path is printed)")
		timeout  = fl.Duration("timeout", 10*time.Minute, "go test -timeout of each test run")
	)
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 0 {
		fmt.Fprintf(stderr, "mutate takes no arguments, got %q\n", fl.Args())
		return 2
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fmt.Fprintf(stderr, "-run: %v\n", err)
			return 2
		}
		var sel []Mutation
		for _, m := range muts {
			if re.MatchString(m.Name) {
				sel = append(sel, m)
			}
		}
		if len(sel) == 0 {
			fmt.Fprintf(stderr, "-run %q matches no mutation (go run ./internal/mutate -list)\n", *only)
			return 2
		}
		muts = sel
	}
	if *list {
		for _, m := range muts {
			fmt.Fprintf(stdout, "%-28s %s\n", m.Name, m.What)
			for _, e := range m.Edits {
				fmt.Fprintf(stdout, "%-28s   %s\n", "", e.File)
			}
			for _, s := range m.Tests {
				fmt.Fprintf(stdout, "%-28s   go test %s\n", "", s)
			}
		}
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, terminate)
	defer stop()

	start := time.Now()
	dir, err := os.MkdirTemp("", "cdflogin-mutate-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *keep {
		fmt.Fprintf(stderr, "the copy is kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if err := copyTree(root, dir); err != nil {
		fmt.Fprintf(stderr, "copy the module: %v\n", err)
		return 1
	}
	r := &runner{dir: dir, timeout: *timeout, verbose: *verbose, out: stdout}

	if *baseline {
		fmt.Fprintln(stdout, "== baseline: every selection on the unchanged copy")
		seen := map[string]bool{}
		failed := false
		for _, m := range muts {
			for _, s := range m.Tests {
				if seen[s.String()] {
					continue
				}
				seen[s.String()] = true
				res := r.test(ctx, s)
				if ctx.Err() != nil {
					return 1
				}
				fmt.Fprintf(stdout, "%-8s %6.1fs  go test %s\n", res.outcome, res.took.Seconds(), s)
				if res.outcome != passed {
					failed = true
					fmt.Fprintln(stdout, indent(res.tail()))
				}
			}
		}
		if failed {
			fmt.Fprintln(stdout, "the baseline fails: fix the tests before planting bugs")
			return 1
		}
	}

	fmt.Fprintf(stdout, "%-28s %-9s %7s  %s\n", "MUTATION", "RESULT", "TIME", "CAUGHT BY")
	counts := map[string]int{}
	for _, m := range muts {
		res := r.mutation(ctx, m, *all)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "interrupted")
			return 1
		}
		counts[res.result]++
		fmt.Fprintf(stdout, "%-28s %-9s %6.1fs  %s\n", m.Name, res.result, res.took.Seconds(), res.detail)
		if res.result != killed && res.log != "" {
			fmt.Fprintln(stdout, indent(res.log))
		}
	}
	fmt.Fprintf(stdout, "%d mutations: %d killed, %d survived, %d not checked (%s)\n",
		len(muts), counts[killed], counts[survived], counts[stale]+counts[broken], time.Since(start).Round(time.Second))
	if counts[killed] != len(muts) {
		return 1
	}
	return 0
}

// moduleRoot is the folder of the main module's go.mod, found from the
// working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/cognite-tools/cdflogin\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("mutate: run it inside the cdflogin module (no go.mod of github.com/cognite-tools/cdflogin above %s)", dir)
		}
		dir = parent
	}
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

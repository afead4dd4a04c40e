// Command gendocs writes cdflogin's CLI reference from its cobra command
// tree, the one source for all of it: a markdown page per command, the
// cdflogin(1) man page and the bash, zsh, fish and PowerShell completion
// scripts, under docs/reference. The release archives ship the man page and
// the completions from there (.goreleaser.yaml).
//
// From the repository root:
//
//	go run ./internal/gendocs          # (re)write docs/reference
//	go run ./internal/gendocs -check   # fail when docs/reference differs from the code
//
// The drift test (TestReferenceIsUpToDate, part of go test ./...) and the
// release's before hook run the check.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Regenerate is the command that rewrites the reference; every message
// about a stale reference names it.
const Regenerate = "go run ./internal/gendocs"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "docs/reference", "folder of the generated reference (the generator owns it: files it does not generate are removed)")
	check := fs.Bool("check", false, "write nothing; fail when the folder differs from what the code generates")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gendocs takes no arguments, got %q\n", fs.Arg(0))
		return 2
	}
	files, err := Generate()
	if err != nil {
		fmt.Fprintf(stderr, "gendocs: %v\n", err)
		return 1
	}
	if *check {
		diffs, err := Compare(*dir, files)
		if err != nil {
			fmt.Fprintf(stderr, "gendocs: %v\n", err)
			return 1
		}
		if len(diffs) > 0 {
			fmt.Fprint(stderr, StaleMessage(*dir, diffs))
			return 1
		}
		fmt.Fprintf(stdout, "%s is up to date (%d files)\n", *dir, len(files))
		return 0
	}
	changed, err := Write(*dir, files)
	if err != nil {
		if errors.Is(err, errNotReference) {
			fmt.Fprintf(stderr, "gendocs: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "gendocs: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d files, %d changed\n", *dir, len(files), changed)
	return 0
}

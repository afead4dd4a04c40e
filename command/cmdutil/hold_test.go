package cmdutil

import (
	"bytes"
	"fmt"
	"testing"
)

func TestHoldableWriter(t *testing.T) {
	var out bytes.Buffer
	s := &IOStreams{ErrOut: &HoldableWriter{W: &out}}
	fmt.Fprint(s.ErrOut, "before;")
	release := s.HoldErr()
	fmt.Fprint(s.ErrOut, "during;")
	inner := s.HoldErr() // nested holds: only the last release writes
	fmt.Fprint(s.ErrOut, "nested;")
	inner()
	if got := out.String(); got != "before;" {
		t.Fatalf("written while held: %q", got)
	}
	release()
	fmt.Fprint(s.ErrOut, "after")
	if got, want := out.String(), "before;during;nested;after"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	release() // an extra release is harmless
}

func TestHoldErrOnPlainWriter(t *testing.T) {
	var out bytes.Buffer
	s := &IOStreams{ErrOut: &out}
	release := s.HoldErr()
	fmt.Fprint(s.ErrOut, "x")
	release()
	if out.String() != "x" {
		t.Fatalf("a plain writer must pass through, got %q", out.String())
	}
}

// Package cmdutil holds what every command needs from the outside world:
// I/O streams, environment, clock, file locations, HTTP and the browser
// opener. Commands receive a *Factory; tests build one with fakes.
package cmdutil

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of a command. Data goes to Out, talk
// to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InTTY, OutTTY and ErrTTY report whether each stream is a terminal.
	InTTY, OutTTY, ErrTTY bool
}

// System returns the process's own streams with terminal detection.
func System() *IOStreams {
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: &HoldableWriter{W: os.Stderr},
		InTTY:  isTerminal(os.Stdin),
		OutTTY: isTerminal(os.Stdout),
		ErrTTY: isTerminal(os.Stderr),
	}
}

// Interactive reports whether a full-screen program may run: stdin, stdout
// and stderr are all terminals.
func (s *IOStreams) Interactive() bool { return s.InTTY && s.OutTTY && s.ErrTTY }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

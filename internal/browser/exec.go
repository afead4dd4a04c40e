package browser

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// DefaultGrace is how long ExecRunner waits to see whether a browser
// command fails at once.
const DefaultGrace = time.Second

// ExecRunner starts browser commands detached from the terminal: stdin is
// /dev/null, stdout and stderr go to Log (discarded when nil), and on Unix
// the command runs in its own session, so it cannot open /dev/tty or be
// hung up with the terminal. It waits at most Grace for the command to
// exit: a command that fails in that time is an error; one that is still
// running (a browser that stays in the foreground) counts as started and
// is reaped in the background.
type ExecRunner struct {
	Log   io.Writer
	Grace time.Duration
}

// Run starts name with args.
func (r ExecRunner) Run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdin = nil
	if r.Log != nil {
		cmd.Stdout, cmd.Stderr = r.Log, r.Log
	}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		// The caller names the command; say only what went wrong, not
		// the path again (fork/exec /usr/bin/xdg-open: …).
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("could not start: %w", pe.Err)
		}
		return fmt.Errorf("could not start: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	grace := r.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("failed: %w", err)
		}
		return nil
	case <-t.C:
		return nil
	}
}

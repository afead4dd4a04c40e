//go:build !unix

package browser

import "os/exec"

// detach does nothing where sessions do not exist; the standard streams
// are still not connected to the terminal.
func detach(*exec.Cmd) {}

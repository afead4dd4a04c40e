//go:build unix

package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenErrorNamesTheCommandOnce: when the browser command fails, the
// message names it once, with what went wrong, and not its path twice
// ("xdg-open: /usr/bin/xdg-open: exit status 3").
func TestOpenErrorNamesTheCommandOnce(t *testing.T) {
	dir := t.TempDir()
	failing := filepath.Join(dir, "fails-to-open")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BROWSER": failing}
	o := New(func(k string) string { return env[k] })
	o.GOOS = "linux"
	err := o.Open("https://login.example.com/authorize?x=1")
	if err == nil {
		t.Fatal("Open succeeded with a browser command that exits 3")
	}
	msg := err.Error()
	if n := strings.Count(msg, failing); n != 1 {
		t.Errorf("the command is named %d times, want once: %q", n, msg)
	}
	if !strings.Contains(msg, "exit status 3") {
		t.Errorf("the message does not say what went wrong: %q", msg)
	}
}

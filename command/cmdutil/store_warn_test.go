package cmdutil_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
)

// TestStoreWarnsOnStderr: a profiles.yaml others could read is tightened
// when a command reads it, and the command says so on stderr (never on
// stdout, which scripts capture).
func TestStoreWarnsOnStderr(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "profiles.yaml")
	if err := os.WriteFile(path, []byte("profiles: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	f := &cmdutil.Factory{
		IO:     &cmdutil.IOStreams{Out: &stdout, ErrOut: &stderr},
		Getenv: func(string) string { return "" },
		Paths:  func() (cmdutil.Paths, error) { return cmdutil.Paths{ConfigDir: dir}, nil },
	}
	store, err := cmdutil.Store(f)
	if err != nil {
		t.Fatal(err)
	}
	// The warning comes when the store is opened (before the full-screen
	// program could start), not at a later read.
	if stderr.Len() == 0 {
		t.Errorf("no warning when the store was opened")
	}
	if _, err := store.List(); err != nil {
		t.Fatal(err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "Warning: other users could read your cdflogin profiles; restricted "+path+" from mode 0644 to 0600\n") ||
		strings.Count(got, "\n") != 1 {
		t.Errorf("stderr = %q", got)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q", stdout.String())
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode after the read: %v %v", info.Mode().Perm(), err)
	}
}

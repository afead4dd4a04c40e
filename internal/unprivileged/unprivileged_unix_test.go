//go:build unix

package unprivileged

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRerunDropsRoot: as root the test runs again as UID, where a folder
// of mode 0500 is really read-only; in the child (or when not root) it
// runs here.
func TestRerunDropsRoot(t *testing.T) {
	if Rerun(t) {
		return
	}
	if os.Geteuid() == 0 {
		t.Fatal("still root after Rerun")
	}
	if Child() && (os.Geteuid() != UID || os.Getegid() != GID) {
		t.Fatalf("child runs as %d:%d, want %d:%d", os.Geteuid(), os.Getegid(), UID, GID)
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); !os.IsPermission(err) {
		t.Fatalf("writing into a 0500 folder = %v, want permission denied", err)
	}
}

func TestRunPattern(t *testing.T) {
	for name, want := range map[string]string{
		"TestA":                       "^TestA$",
		"TestFaultsCache/read-only_x": "^TestFaultsCache$/^read-only_x$",
		"TestB/a_(b)":                 `^TestB$/^a_\(b\)$`,
	} {
		if got := runPattern(name); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", name, got, want)
		}
	}
}

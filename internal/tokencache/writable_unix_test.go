//go:build unix

package tokencache

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/unprivileged"
)

// savedCache is a cache folder holding oldCache for profile dev.
func savedCache(t *testing.T) (f *File, dir string) {
	t.Helper()
	dir = t.TempDir()
	f, _ = Open(dir, "dev", Options{})
	if err := f.Save([]byte(oldCache)); err != nil {
		t.Fatal(err)
	}
	return f, dir
}

// asItWas fails unless the cache file still holds oldCache and dir holds
// nothing else (lock files aside): no temporary file left behind.
func asItWas(t *testing.T, f *File, dir string) {
	t.Helper()
	if got, _ := os.ReadFile(f.Path()); string(got) != oldCache {
		t.Errorf("the cache file changed: %s", got)
	}
	if names := filesIn(t, dir); !slices.Equal(names, []string{FileName("dev")}) {
		t.Errorf("files %q: a temp file left behind?", names)
	}
}

// TestCheckWritable: CheckWritable writes a temporary file as Save would,
// and fails as Save would fail, with the same message (the words of the
// warning that a token is not kept), while the cache file stays as it
// was and no temporary file is left. A working folder passes; a missing
// one is created.
func TestCheckWritable(t *testing.T) {
	tests := []struct {
		name        string
		errno       syscall.Errno // 0: writes succeed
		diskFull    bool
		notWritable bool
	}{
		{"writable", 0, false, false},
		{"disk full", syscall.ENOSPC, true, false},
		{"quota used up", syscall.EDQUOT, true, false},
		{"read-only file system", syscall.EROFS, false, true},
		{"folder not writable", syscall.EACCES, false, true},
		{"other write error", syscall.EIO, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, dir := savedCache(t)
			write := func(tmp *os.File, data []byte) error { _, err := tmp.Write(data); return err }
			if tt.errno != 0 {
				failWrites(f, tt.errno)
				write = f.write
			}
			var wrote []int
			var tmpDir string
			f.write = func(tmp *os.File, data []byte) error {
				wrote = append(wrote, len(data))
				tmpDir = filepath.Dir(tmp.Name())
				return write(tmp, data)
			}
			err := f.CheckWritable()
			if len(wrote) != 1 || wrote[0] != probeSize || tmpDir != dir {
				t.Errorf("wrote %v bytes in %s, want one write of %d in the cache folder %s", wrote, tmpDir, probeSize, dir)
			}
			if tt.errno == 0 {
				if err != nil {
					t.Fatalf("CheckWritable on a writable folder = %v", err)
				}
			} else {
				if !errors.Is(err, tt.errno) {
					t.Fatalf("CheckWritable = %v, want %v in the chain", err, tt.errno)
				}
				var df *DiskFullError
				var nw *NotWritableError
				if errors.As(err, &df) != tt.diskFull || errors.As(err, &nw) != tt.notWritable {
					t.Errorf("CheckWritable = %#v, want DiskFullError %v, NotWritableError %v", err, tt.diskFull, tt.notWritable)
				}
				// The same words as Save's, which the warning quotes (another
				// error names its temp file, which differs).
				failWrites(f, tt.errno)
				if saveErr := f.Save([]byte(`{}`)); unsaved(err) && (saveErr == nil || err.Error() != saveErr.Error()) {
					t.Errorf("CheckWritable says\n  %v\nSave says\n  %v", err, saveErr)
				}
			}
			asItWas(t, f, dir)
		})
	}
}

// TestCheckWritableFolder: a missing cache folder is created (mode 0700)
// and the cache file is not; one that cannot be created is a
// *FolderError, as for Save.
func TestCheckWritableFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "cache")
	f, _ := Open(dir, "dev", Options{})
	if err := f.CheckWritable(); err != nil {
		t.Fatalf("CheckWritable with no folder = %v", err)
	}
	if mode := modeOf(t, dir); mode != 0o700 {
		t.Errorf("folder mode %v, want 0700", mode)
	}
	if names := filesIn(t, dir); len(names) != 0 {
		t.Errorf("files %q after CheckWritable, want none", names)
	}

	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ = Open(filepath.Join(blocker, "cache"), "dev", Options{})
	var fe *FolderError
	if err := f.CheckWritable(); !errors.As(err, &fe) || fe.Blocker != blocker {
		t.Errorf("CheckWritable below a file = %v, want a *FolderError naming %s", err, blocker)
	}
}

// TestCheckWritablePermissions: a real folder, and a real lock file, that
// the user may not write give a *NotWritableError naming what is
// read-only. Root may write anything, so as root the test runs again as an
// unprivileged user.
func TestCheckWritablePermissions(t *testing.T) {
	if unprivileged.Rerun(t) {
		return
	}
	tests := []struct {
		name    string
		lock    bool // the lock file, not the folder, is not writable
		blocked func(f *File) string
	}{
		{"folder", false, func(f *File) string { return f.dir }},
		{"lock file", true, func(f *File) string { return f.lockPath() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, dir := savedCache(t)
			if tt.lock {
				if err := os.WriteFile(f.lockPath(), nil, 0o000); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.Chmod(dir, 0o500); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
			}
			err := f.CheckWritable()
			var nw *NotWritableError
			if !errors.As(err, &nw) || nw.Blocked != tt.blocked(f) {
				t.Fatalf("CheckWritable = %v, want a *NotWritableError blocked by %s", err, tt.blocked(f))
			}
			if !strings.Contains(err.Error(), tt.blocked(f)+" is read-only for you") {
				t.Errorf("message: %v", err)
			}
			_ = os.Chmod(dir, 0o700)
			asItWas(t, f, dir)
		})
	}
}

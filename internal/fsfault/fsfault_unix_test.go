//go:build unix

package fsfault

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestClassify: the error number decides, however deep in the chain it
// sits (a PathError wrapped by the caller's context).
func TestClassify(t *testing.T) {
	wrap := func(errno syscall.Errno) error {
		return fmt.Errorf("write the token cache: %w", &fs.PathError{Op: "write", Path: "/c/.x.tmp-1", Err: errno})
	}
	tests := []struct {
		name           string
		err            error
		noSpace, quota bool
		text, fix      string
	}{
		{"ENOSPC", wrap(syscall.ENOSPC), true, false, "no space left on device", "free space on /c"},
		{"EDQUOT", wrap(syscall.EDQUOT), true, true, "disk quota exceeded", "free space on /c (or have your disk quota raised)"},
		{"bare ENOSPC", syscall.ENOSPC, true, false, "no space left on device", "free space on /c"},
		{"EIO", wrap(syscall.EIO), false, false, "input/output error", "free space on /c"},
		{"EROFS", wrap(syscall.EROFS), false, false, "read-only file system", "free space on /c"},
		{"PathError without an errno", &fs.PathError{Op: "open", Path: "/c/x", Err: fs.ErrClosed}, false, false, fs.ErrClosed.Error(), "free space on /c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NoSpace(tt.err); got != tt.noSpace {
				t.Errorf("NoSpace = %v, want %v", got, tt.noSpace)
			}
			if got := Quota(tt.err); got != tt.quota {
				t.Errorf("Quota = %v, want %v", got, tt.quota)
			}
			if got := ErrnoText(tt.err); got != tt.text {
				t.Errorf("ErrnoText = %q, want %q", got, tt.text)
			}
			if got := FreeSpaceFix("/c", tt.err); got != tt.fix {
				t.Errorf("FreeSpaceFix = %q, want %q", got, tt.fix)
			}
		})
	}
}

// TestMountPoint: the mount point is the topmost folder on the same file
// system; a folder that does not exist yet is on its parent's.
func TestMountPoint(t *testing.T) {
	tmp := t.TempDir()
	m := MountPoint(tmp)
	if m == "" || !strings.HasPrefix(tmp, m) {
		t.Fatalf("MountPoint(%s) = %q", tmp, m)
	}
	if d1, _ := device(m); m != "/" {
		if d2, _ := device(filepath.Dir(m)); d1 == d2 {
			t.Errorf("%s is on the same file system as its parent: not a mount point", m)
		}
	}
	if got := MountPoint(filepath.Join(tmp, "not", "yet")); got != m {
		t.Errorf("MountPoint of a missing folder = %q, want %q", got, m)
	}
	if got := MountPoint("/"); got != "/" {
		t.Errorf("MountPoint(/) = %q", got)
	}
	if d1, ok1 := device("/proc"); ok1 {
		if d2, _ := device("/"); d1 != d2 {
			if got := MountPoint("/proc/self"); got != "/proc" {
				t.Errorf("MountPoint(/proc/self) = %q, want /proc", got)
			}
		}
	}
	// A relative path is taken from the working folder.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := MountPoint("."), MountPoint(wd); got != want {
		t.Errorf("MountPoint(.) = %q, want %q", got, want)
	}
}

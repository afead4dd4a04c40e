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
		name                  string
		err                   error
		noSpace, quota        bool
		readOnly, notWritable bool
		text, fix             string
	}{
		{"ENOSPC", wrap(syscall.ENOSPC), true, false, false, false, "no space left on device", "free space on /c"},
		{"EDQUOT", wrap(syscall.EDQUOT), true, true, false, false, "disk quota exceeded", "free space on /c (or have your disk quota raised)"},
		{"bare ENOSPC", syscall.ENOSPC, true, false, false, false, "no space left on device", "free space on /c"},
		{"EROFS", wrap(syscall.EROFS), false, false, true, true, "read-only file system", "free space on /c"},
		{"EACCES", wrap(syscall.EACCES), false, false, false, true, "permission denied", "free space on /c"},
		{"EPERM", wrap(syscall.EPERM), false, false, false, true, "operation not permitted", "free space on /c"},
		{"fs.ErrPermission", fmt.Errorf("save: %w", fs.ErrPermission), false, false, false, true, "save: permission denied", "free space on /c"},
		{"EIO", wrap(syscall.EIO), false, false, false, false, "input/output error", "free space on /c"},
		{"PathError without an errno", &fs.PathError{Op: "open", Path: "/c/x", Err: fs.ErrClosed}, false, false, false, false, fs.ErrClosed.Error(), "free space on /c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NoSpace(tt.err); got != tt.noSpace {
				t.Errorf("NoSpace = %v, want %v", got, tt.noSpace)
			}
			if got := Quota(tt.err); got != tt.quota {
				t.Errorf("Quota = %v, want %v", got, tt.quota)
			}
			if got := ReadOnly(tt.err); got != tt.readOnly {
				t.Errorf("ReadOnly = %v, want %v", got, tt.readOnly)
			}
			if got := NotWritable(tt.err); got != tt.notWritable {
				t.Errorf("NotWritable = %v, want %v", got, tt.notWritable)
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

// TestBlocked: a write refused on a file that exists is that file's
// fault; one refused on a file that could not be created (no such file
// yet, a temp file's pattern) or on a rename is the folder's.
func TestBlocked(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "x.lock")
	if err := os.WriteFile(lock, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	denied := func(path string) error {
		return fmt.Errorf("lock: %w", &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a file that exists", denied(lock), lock},
		{"a file that cannot be created", denied(filepath.Join(dir, "y.lock")), dir},
		{"a temp file", denied(filepath.Join(dir, ".x.tmp-*")), dir},
		{"the folder itself", denied(dir), dir},
		{"a rename", &os.LinkError{Op: "rename", Old: filepath.Join(dir, ".x.tmp-1"), New: lock, Err: syscall.EACCES}, dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Blocked(tt.err, dir); got != tt.want {
				t.Errorf("Blocked = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadOnlyText(t *testing.T) {
	tests := []struct {
		err                 error
		mount, blocked, dir string
		want                string
	}{
		{syscall.EROFS, "/mnt/ro", "/mnt/ro/c", "/mnt/ro/c", "the file system at /mnt/ro is read-only"},
		{syscall.EROFS, "", "/mnt/ro/c", "/mnt/ro/c", "the file system at the disk that holds /mnt/ro/c is read-only"},
		{syscall.EACCES, "/", "/home/ada/c", "/home/ada/c", "the folder /home/ada/c is read-only for you"},
		{syscall.EPERM, "/", "/home/ada/c/x.lock", "/home/ada/c", "/home/ada/c/x.lock is read-only for you"},
	}
	for _, tt := range tests {
		if got := ReadOnlyText(tt.err, tt.mount, tt.blocked, tt.dir); got != tt.want {
			t.Errorf("ReadOnlyText(%v, %q, %q, %q) = %q, want %q", tt.err, tt.mount, tt.blocked, tt.dir, got, tt.want)
		}
	}
}

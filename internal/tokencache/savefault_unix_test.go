//go:build unix

package tokencache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/fsfault"
)

const oldCache = `{"AccessToken":{"k":{"secret":"old-at"}},"RefreshToken":{"r":{"secret":"old-rt"}}}`

// failWrites makes f's writes fail as on a full disk (or a file system
// made read-only meanwhile): the temp file gets part of the content, then
// errno.
func failWrites(f *File, errno syscall.Errno) {
	f.write = func(tmp *os.File, data []byte) error {
		if _, err := tmp.Write(data[:len(data)/2]); err != nil {
			return err
		}
		return &fs.PathError{Op: "write", Path: tmp.Name(), Err: errno}
	}
}

// filesIn lists dir's entries, lock files left out.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestSaveFault: a cache the file system has no room for is a
// *DiskFullError naming the cache file (not the temp file), the cause and
// where to free space; one that may not be written (a read-only file
// system, a folder the user may not write) is a *NotWritableError naming
// the cache file, the cause, what is read-only and the fix. Either way the
// file is unchanged and no temp file is left. Other write errors keep
// their own message, and leave no temp file either.
func TestSaveFault(t *testing.T) {
	tests := []struct {
		errno       syscall.Errno
		diskFull    bool
		notWritable bool
		words       []string
	}{
		{syscall.ENOSPC, true, false, []string{"cannot save the token cache ", "no space left on device", "is full", "the cache is unchanged", "free space on "}},
		{syscall.EDQUOT, true, false, []string{"disk quota exceeded", "free space on ", "disk quota raised"}},
		{syscall.EROFS, false, true, []string{"cannot save the token cache ", "read-only file system", "the file system at ", "is read-only", "the cache is unchanged", "set CDFLOGIN_HOME to a folder on a writable disk"}},
		{syscall.EACCES, false, true, []string{"permission denied", "(the folder ", "is read-only for you", "make it writable", "set CDFLOGIN_HOME to a writable folder"}},
		{syscall.EPERM, false, true, []string{"operation not permitted", "(the folder ", "is read-only for you"}},
		{syscall.EIO, false, false, []string{"write the token cache", "input/output error"}},
	}
	for _, tt := range tests {
		t.Run(tt.errno.Error(), func(t *testing.T) {
			dir := t.TempDir()
			f, _ := Open(dir, "dev", Options{})
			if err := f.Save([]byte(oldCache)); err != nil {
				t.Fatal(err)
			}
			failWrites(f, tt.errno)
			err := f.Save([]byte(`{"AccessToken":{"k":{"secret":"new-at"}}}`))
			if !errors.Is(err, tt.errno) {
				t.Fatalf("Save = %v, want %v in the chain", err, tt.errno)
			}
			msg := err.Error()
			if (tt.diskFull || tt.notWritable) && (!strings.Contains(msg, f.Path()+": ") || strings.Contains(msg, ".tmp-")) {
				t.Errorf("the message names the temp file, not the cache: %v", err)
			}
			var df *DiskFullError
			if got := errors.As(err, &df); got != tt.diskFull {
				t.Errorf("DiskFullError %v, want %v: %v", got, tt.diskFull, err)
			}
			if df != nil && (df.Path != f.Path() || df.Mount == "" || !strings.Contains(msg, "free space on "+df.Mount)) {
				t.Errorf("DiskFullError{Path: %q, Mount: %q}: %v", df.Path, df.Mount, err)
			}
			var nw *NotWritableError
			if got := errors.As(err, &nw); got != tt.notWritable {
				t.Errorf("NotWritableError %v, want %v: %v", got, tt.notWritable, err)
			}
			if nw != nil {
				if nw.Path != f.Path() || nw.Blocked != dir || nw.Mount == "" {
					t.Errorf("NotWritableError{Path: %q, Blocked: %q, Mount: %q}", nw.Path, nw.Blocked, nw.Mount)
				}
				readOnly := "the folder " + dir + " is read-only for you"
				if tt.errno == syscall.EROFS {
					readOnly = "the file system at " + nw.Mount + " is read-only"
				}
				if !strings.Contains(msg, readOnly) {
					t.Errorf("the message does not say %q: %v", readOnly, err)
				}
			}
			for _, w := range tt.words {
				if !strings.Contains(msg, w) {
					t.Errorf("the message lacks %q: %v", w, err)
				}
			}
			if got, _ := os.ReadFile(f.Path()); string(got) != oldCache {
				t.Errorf("the cache file changed: %s", got)
			}
			if names := filesIn(t, dir); !slices.Equal(names, []string{FileName("dev")}) {
				t.Errorf("files %q: a temp file left behind?", names)
			}
		})
	}
}

// TestAccessorUnsaved: MSAL throws away the token it received when Export
// fails, so a full disk, a read-only file system or a folder the user may
// not write does not fail Export: the file stays as it was, Exported is
// false, the operation goes on with MSAL's cache, and one warning names
// the profile, the file, the cause and the fix. Any other failure still
// fails Export.
func TestAccessorUnsaved(t *testing.T) {
	newCache := []byte(`{"AccessToken":{"k":{"secret":"new-at"}}}`)
	faults := []struct {
		errno syscall.Errno
		words []string // besides the profile, the file and "not kept"
	}{
		{syscall.ENOSPC, []string{"no space left on device", "free space on "}},
		{syscall.EROFS, []string{"read-only file system", "is read-only", "set CDFLOGIN_HOME to a folder on a writable disk"}},
		{syscall.EACCES, []string{"permission denied", "is read-only for you", "make it writable", "set CDFLOGIN_HOME to a writable folder"}},
	}
	for _, fault := range faults {
		for _, mode := range []Mode{Shared, Fresh, DropAccessTokens} {
			for _, locked := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s mode %d locked %v", fault.errno, mode, locked), func(t *testing.T) {
					testAccessorUnsaved(t, newCache, fault.errno, fault.words, mode, locked)
				})
			}
		}
	}
}

// testAccessorUnsaved is one case of TestAccessorUnsaved: Export with
// errno on every write.
func testAccessorUnsaved(t *testing.T, newCache []byte, errno syscall.Errno, words []string, mode Mode, locked bool) {
	dir := t.TempDir()
	var warnings []string
	f, _ := Open(dir, "dev", Options{Warnf: func(format string, args ...any) {
		warnings = append(warnings, fmt.Sprintf(format, args...))
	}})
	if err := f.Save([]byte(oldCache)); err != nil {
		t.Fatal(err)
	}
	warnings = nil // the test folder's mode, tightened
	failWrites(f, errno)
	a := NewAccessor(f, mode, locked)
	if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); err != nil {
		t.Fatalf("Export with %v = %v, want nil (the token must not be lost)", errno, err)
	}
	if a.Exported() {
		t.Error("Exported is true, yet nothing was written")
	}
	if got, _ := os.ReadFile(f.Path()); string(got) != oldCache {
		t.Errorf("the cache file changed: %s", got)
	}
	if names := filesIn(t, dir); !slices.Equal(names, []string{FileName("dev")}) {
		t.Errorf("files %q: a temp file left behind?", names)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings %q, want one", warnings)
	}
	for _, w := range append([]string{`profile "dev"`, "not kept for the next run", f.Path() + ": "}, words...) {
		if !strings.Contains(warnings[0], w) {
			t.Errorf("the warning lacks %q: %s", w, warnings[0])
		}
	}
	if strings.Contains(warnings[0], "new-at") {
		t.Error("the warning holds the token")
	}
	if mode == Fresh {
		m := &memCache{}
		if err := a.Replace(context.Background(), m, cacheReplaceHints()); err != nil || string(m.data) != string(newCache) {
			t.Errorf("Fresh: Replace after the failed Export = %s, %v; want what MSAL exported", m.data, err)
		}
	}

	failWrites(f, syscall.EIO)
	if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); !errors.Is(err, syscall.EIO) {
		t.Errorf("Export with an I/O error = %v, want it returned", err)
	}

	// With room (or leave to write) again, Export writes.
	f.write = nil
	if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); err != nil || !a.Exported() {
		t.Fatalf("Export with room = %v, exported %v", err, a.Exported())
	}
	if got, _ := os.ReadFile(f.Path()); string(got) != string(newCache) {
		t.Errorf("the cache file after Export with room: %s", got)
	}
}

// TestLockNotWritable: a lock file that exists but may not be opened is
// named as what is read-only, not its folder.
func TestLockNotWritable(t *testing.T) {
	dir := t.TempDir()
	f, _ := Open(dir, "dev", Options{})
	unlock, err := f.Lock(context.Background()) // creates the lock file
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	err = f.saveFault(fmt.Errorf("lock the token cache: %w", &fs.PathError{Op: "open", Path: f.lockPath(), Err: syscall.EACCES}))
	var nw *NotWritableError
	if !errors.As(err, &nw) || nw.Blocked != f.lockPath() {
		t.Fatalf("saveFault = %#v", err)
	}
	if want := "(" + f.lockPath() + " is read-only for you); the cache is unchanged: make it writable, or set CDFLOGIN_HOME to a writable folder"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
}

// TestFolderErrorFix: a cache folder that cannot be created for want of
// space says to free space, on a read-only file system to set
// CDFLOGIN_HOME, and for want of permission to check who owns it.
func TestFolderErrorFix(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	tests := []struct {
		errno      syscall.Errno
		want, dont string
	}{
		{syscall.ENOSPC, "; free space on " + fsfault.MountPoint(dir), "you own"},
		{syscall.EROFS, "; the file system at " + fsfault.MountPoint(dir) + " is read-only: set CDFLOGIN_HOME to a folder on a writable disk", "you own"},
		{syscall.EACCES, "; check that you own the folder (or its parent) and may write to it, or set CDFLOGIN_HOME to a folder you own", "free space"},
	}
	for _, tt := range tests {
		err := error(&FolderError{Dir: dir, Problem: "cannot be created", Err: &fs.PathError{Op: "mkdir", Path: dir, Err: tt.errno}})
		msg := err.Error()
		if !strings.Contains(msg, tt.errno.Error()) || !strings.Contains(msg, tt.want) || strings.Contains(msg, tt.dont) {
			t.Errorf("%v: message: %s", tt.errno, msg)
		}
		if !errors.Is(err, tt.errno) {
			t.Errorf("%v is not in the chain", tt.errno)
		}
	}
}

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

// fullDisk makes f's writes fail as on a full disk: the temp file gets
// part of the content, then errno.
func fullDisk(f *File, errno syscall.Errno) {
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

// TestSaveDiskFull: a cache the file system has no room for is a
// *DiskFullError naming the cache file (not the temp file), the cause and
// where to free space; the file is unchanged and no temp file is left.
// Other write errors keep their own message, and leave no temp file
// either.
func TestSaveDiskFull(t *testing.T) {
	tests := []struct {
		errno    syscall.Errno
		diskFull bool
		words    []string
	}{
		{syscall.ENOSPC, true, []string{"cannot save the token cache ", "no space left on device", "is full", "the cache is unchanged", "free space on "}},
		{syscall.EDQUOT, true, []string{"disk quota exceeded", "free space on ", "disk quota raised"}},
		{syscall.EIO, false, []string{"write the token cache", "input/output error"}},
	}
	for _, tt := range tests {
		t.Run(tt.errno.Error(), func(t *testing.T) {
			dir := t.TempDir()
			f, _ := Open(dir, "dev", Options{})
			if err := f.Save([]byte(oldCache)); err != nil {
				t.Fatal(err)
			}
			fullDisk(f, tt.errno)
			err := f.Save([]byte(`{"AccessToken":{"k":{"secret":"new-at"}}}`))
			if !errors.Is(err, tt.errno) {
				t.Fatalf("Save = %v, want %v in the chain", err, tt.errno)
			}
			var df *DiskFullError
			if got := errors.As(err, &df); got != tt.diskFull {
				t.Errorf("DiskFullError %v, want %v: %v", got, tt.diskFull, err)
			}
			if df != nil {
				if df.Path != f.Path() || df.Mount == "" || !strings.Contains(err.Error(), f.Path()+": ") {
					t.Errorf("DiskFullError{Path: %q, Mount: %q}: %v", df.Path, df.Mount, err)
				}
				if !strings.Contains(err.Error(), "free space on "+df.Mount) || strings.Contains(err.Error(), ".tmp-") {
					t.Errorf("the message names the temp file or not where to free space: %v", err)
				}
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
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

// TestAccessorDiskFull: MSAL throws away the token it received when Export
// fails, so a full disk does not fail Export: the file stays as it was,
// Exported is false, the operation goes on with MSAL's cache, and one
// warning names the profile, the file, the cause and the fix. Any other
// failure still fails Export.
func TestAccessorDiskFull(t *testing.T) {
	newCache := []byte(`{"AccessToken":{"k":{"secret":"new-at"}}}`)
	for _, mode := range []Mode{Shared, Fresh, DropAccessTokens} {
		for _, locked := range []bool{false, true} {
			t.Run(fmt.Sprintf("mode %d locked %v", mode, locked), func(t *testing.T) {
				dir := t.TempDir()
				var warnings []string
				f, _ := Open(dir, "dev", Options{Warnf: func(format string, args ...any) {
					warnings = append(warnings, fmt.Sprintf(format, args...))
				}})
				if err := f.Save([]byte(oldCache)); err != nil {
					t.Fatal(err)
				}
				warnings = nil // the test folder's mode, tightened
				fullDisk(f, syscall.ENOSPC)
				a := NewAccessor(f, mode, locked)
				if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); err != nil {
					t.Fatalf("Export on a full disk = %v, want nil (the token must not be lost)", err)
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
				for _, w := range []string{`profile "dev"`, "not kept for the next run", f.Path(), "no space left on device", "free space on "} {
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

				fullDisk(f, syscall.EIO)
				if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); !errors.Is(err, syscall.EIO) {
					t.Errorf("Export with an I/O error = %v, want it returned", err)
				}

				// With room again, Export writes.
				f.write = nil
				if err := a.Export(context.Background(), &memCache{data: newCache}, cacheExportHints()); err != nil || !a.Exported() {
					t.Fatalf("Export with room = %v, exported %v", err, a.Exported())
				}
				if got, _ := os.ReadFile(f.Path()); string(got) != string(newCache) {
					t.Errorf("the cache file after Export with room: %s", got)
				}
			})
		}
	}
}

// TestFolderErrorDiskFull: a cache folder that cannot be created for want
// of space says to free space, not to check who owns it.
func TestFolderErrorDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	err := error(&FolderError{Dir: dir, Problem: "cannot be created", Err: &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOSPC}})
	msg := err.Error()
	if !strings.Contains(msg, "no space left on device") || !strings.Contains(msg, "free space on "+fsfault.MountPoint(dir)) || strings.Contains(msg, "you own") {
		t.Errorf("message: %s", msg)
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Error("ENOSPC is not in the chain")
	}
}

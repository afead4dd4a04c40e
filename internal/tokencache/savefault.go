package tokencache

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/cognite-tools/cdflogin/internal/fsfault"
)

// DiskFullError is a token cache that its file system had no room for: no
// space left, or the user's disk quota used up. The cache file is
// unchanged: the new content went to a temporary file next to it, which
// was removed. errors.Is(err, syscall.ENOSPC) (or EDQUOT) holds.
type DiskFullError struct {
	Path  string // the cache file
	Mount string // where the full file system is mounted; "" when unknown
	Err   error  // the failed operation, usually an *fs.PathError
}

// Error names the file, the cause, the full file system and the fix.
func (e *DiskFullError) Error() string {
	where := fsfault.Place(e.Mount, filepath.Dir(e.Path))
	return fmt.Sprintf("cannot save the token cache %s: %s (the file system at %s is full); the cache is unchanged: %s",
		e.Path, fsfault.ErrnoText(e.Err), where, fsfault.FreeSpaceFix(where, e.Err))
}

// Unwrap returns the failed operation's error.
func (e *DiskFullError) Unwrap() error { return e.Err }

// NotWritableError is a token cache that could not be saved for want of
// leave to write: its file system is mounted read-only (EROFS), or the
// cache folder or a file in it is not writable for the user (EACCES,
// EPERM). The cache file is unchanged. errors.Is(err, syscall.EROFS) (or
// fs.ErrPermission) holds.
type NotWritableError struct {
	Path    string // the cache file
	Blocked string // what refused the write: the cache folder, or a file in it
	Mount   string // where the file system is mounted; "" when unknown
	Err     error  // the failed operation, usually an *fs.PathError
}

// Error names the file, the cause, what is read-only and the fix.
func (e *NotWritableError) Error() string {
	fix := "make it writable, or set CDFLOGIN_HOME to a writable folder"
	if fsfault.ReadOnly(e.Err) {
		fix = "make it writable, or set CDFLOGIN_HOME to a folder on a writable disk"
	}
	return fmt.Sprintf("cannot save the token cache %s: %s (%s); the cache is unchanged: %s",
		e.Path, fsfault.ErrnoText(e.Err), fsfault.ReadOnlyText(e.Err, e.Mount, e.Blocked, filepath.Dir(e.Path)), fix)
}

// Unwrap returns the failed operation's error.
func (e *NotWritableError) Unwrap() error { return e.Err }

// unsaved reports an error that left the cache as it was for want of
// space or of leave to write: the token at hand is still good, only not
// kept.
func unsaved(err error) bool {
	var df *DiskFullError
	var nw *NotWritableError
	return errors.As(err, &df) || errors.As(err, &nw)
}

// saveFault turns a failure to write the cache for want of space into a
// *DiskFullError, and one for want of leave to write into a
// *NotWritableError; other errors are returned as they are.
func (f *File) saveFault(err error) error {
	switch {
	case err == nil || unsaved(err):
		return err
	case fsfault.NoSpace(err):
		return &DiskFullError{Path: f.path, Mount: fsfault.MountPoint(f.dir), Err: err}
	case fsfault.NotWritable(err):
		return &NotWritableError{Path: f.path, Blocked: fsfault.Blocked(err, f.dir), Mount: fsfault.MountPoint(f.dir), Err: err}
	}
	return err
}

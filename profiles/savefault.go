package profiles

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/cognite-tools/cdflogin/internal/fsfault"
)

// DiskFullError is a change to profiles.yaml that its file system had no
// room for: no space left, or the user's disk quota used up. The file is
// unchanged: the new content went to a temporary file next to it, which
// was removed. errors.Is(err, syscall.ENOSPC) (or EDQUOT) holds.
type DiskFullError struct {
	Path  string // profiles.yaml
	Mount string // where the full file system is mounted; "" when unknown
	Err   error  // the failed operation, usually an *fs.PathError
}

// Error names the file, the cause, the full file system and the fix.
func (e *DiskFullError) Error() string {
	where := fsfault.Place(e.Mount, filepath.Dir(e.Path))
	return fmt.Sprintf("cannot save %s: %v (the file system at %s is full); the file is unchanged: %s, then run the command again",
		e.Path, cause(e.Err), where, fsfault.FreeSpaceFix(where, e.Err))
}

// Unwrap returns the failed operation's error.
func (e *DiskFullError) Unwrap() error { return e.Err }

// diskFull turns a failure to write profiles.yaml for want of space into
// a *DiskFullError; other errors are returned as they are.
func (s *Store) diskFull(err error) error {
	var df *DiskFullError
	if err == nil || !fsfault.NoSpace(err) || errors.As(err, &df) {
		return err
	}
	return &DiskFullError{Path: s.path, Mount: fsfault.MountPoint(filepath.Dir(s.path)), Err: err}
}

// NotWritableError is a change to profiles.yaml that may not be written:
// its file system is mounted read-only (EROFS), or its folder or lock
// file is not writable for the user (EACCES, EPERM). The file is
// unchanged. errors.Is(err, syscall.EROFS) (or fs.ErrPermission) holds.
type NotWritableError struct {
	Path    string // profiles.yaml
	Blocked string // what refused the write: the folder, or a file in it
	Mount   string // where the file system is mounted; "" when unknown
	Err     error  // the failed operation, usually an *fs.PathError
}

// Error names the file, the cause, what is read-only and the fix.
func (e *NotWritableError) Error() string {
	dir := filepath.Dir(e.Path)
	return fmt.Sprintf("cannot save %s: %v (%s); the file is unchanged: make it writable (or copy %s to a writable folder and set CDFLOGIN_HOME to that folder), then run the command again",
		e.Path, cause(e.Err), fsfault.ReadOnlyText(e.Err, e.Mount, e.Blocked, dir), filepath.Base(e.Path))
}

// Unwrap returns the failed operation's error.
func (e *NotWritableError) Unwrap() error { return e.Err }

// notWritable turns a failure to lock or write profiles.yaml for want of
// leave to write into a *NotWritableError; other errors are returned as
// they are.
func (s *Store) notWritable(err error) error {
	if err == nil || !fsfault.NotWritable(err) {
		return err
	}
	dir := filepath.Dir(s.path)
	if resolved, rerr := filepath.EvalSymlinks(s.path); rerr == nil {
		dir = filepath.Dir(resolved) // the temp file goes next to the file a symlink points at
	}
	return &NotWritableError{Path: s.path, Blocked: fsfault.Blocked(err, dir), Mount: fsfault.MountPoint(dir), Err: err}
}

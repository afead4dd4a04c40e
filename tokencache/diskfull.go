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

// diskFull turns a failure to write the cache for want of space into a
// *DiskFullError; other errors are returned as they are.
func (f *File) diskFull(err error) error {
	var df *DiskFullError
	if err == nil || !fsfault.NoSpace(err) || errors.As(err, &df) {
		return err
	}
	return &DiskFullError{Path: f.path, Mount: fsfault.MountPoint(f.dir), Err: err}
}

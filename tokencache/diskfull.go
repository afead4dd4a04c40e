package tokencache

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
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
	where := e.Mount
	if where == "" {
		where = "the disk that holds " + filepath.Dir(e.Path)
	}
	return fmt.Sprintf("cannot save the token cache %s: %s (the file system at %s is full); the cache is unchanged: %s",
		e.Path, errnoText(e.Err), where, freeSpaceFix(where, e.Err))
}

// Unwrap returns the failed operation's error.
func (e *DiskFullError) Unwrap() error { return e.Err }

// freeSpaceFix is what to do about a full file system at where.
func freeSpaceFix(where string, err error) string {
	if isQuota(err) {
		return "free space on " + where + " (or have your disk quota raised)"
	}
	return "free space on " + where
}

// errnoText is the system's words for the error number in err's chain
// ("no space left on device"), without the paths around it.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// diskFull turns a failure to write the cache for want of space into a
// *DiskFullError; other errors are returned as they are.
func (f *File) diskFull(err error) error {
	var df *DiskFullError
	if err == nil || !isNoSpace(err) || errors.As(err, &df) {
		return err
	}
	return &DiskFullError{Path: f.path, Mount: mountPoint(f.dir), Err: err}
}

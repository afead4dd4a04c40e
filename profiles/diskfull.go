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

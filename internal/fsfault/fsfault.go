// Package fsfault tells why a file system refused a write, in the words a
// person needs to fix it: no room left (a full disk or a used-up disk
// quota), the system's words for the cause, and where the file system is
// mounted, so that a message can say where to free space. The profiles
// and tokencache packages share it; the checks differ by platform.
package fsfault

import (
	"errors"
	"io/fs"
	"syscall"
)

// Place names the file system holding dir for a message: its mount point
// when known, else "the disk that holds dir".
func Place(mount, dir string) string {
	if mount != "" {
		return mount
	}
	return "the disk that holds " + dir
}

// FreeSpaceFix is what to do about a full file system at where, err being
// the refused write: free space there, or have the quota raised.
func FreeSpaceFix(where string, err error) string {
	if Quota(err) {
		return "free space on " + where + " (or have your disk quota raised)"
	}
	return "free space on " + where
}

// ErrnoText is the system's words for the error number in err's chain
// ("no space left on device"), without the paths around it.
func ErrnoText(err error) string {
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

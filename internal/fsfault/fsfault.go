// Package fsfault tells why a file system refused a write, in the words a
// person needs to fix it: no room left (a full disk or a used-up disk
// quota) or no leave to write (a read-only file system, a folder or file
// the user may not write), the system's words for the cause, and where
// the file system is mounted, so that a message can say where to free
// space or what to make writable. The profiles and tokencache packages
// share it; the checks differ by platform.
package fsfault

import (
	"errors"
	"io/fs"
	"os"
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

// NotWritable reports a write refused for want of leave to write: a
// read-only file system (EROFS), or a folder or file the user may not
// write (EACCES, EPERM; on Windows, access denied).
func NotWritable(err error) bool {
	return ReadOnly(err) || errors.Is(err, fs.ErrPermission)
}

// Blocked is what refused a write for want of leave to write (see
// NotWritable): the existing file that err names (a lock file, say), or
// else dir, the folder in which a file could not be created or renamed.
func Blocked(err error, dir string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if info, serr := os.Lstat(pe.Path); serr == nil && !info.IsDir() {
			return pe.Path
		}
	}
	return dir
}

// ReadOnlyText says what is read-only for a write refused with err: the
// file system mounted at mount (the disk that holds dir when mount is
// ""), or blocked (the folder dir, or a file in it) for this user.
func ReadOnlyText(err error, mount, blocked, dir string) string {
	if ReadOnly(err) {
		return "the file system at " + Place(mount, dir) + " is read-only"
	}
	if blocked == dir {
		return "the folder " + dir + " is read-only for you"
	}
	return blocked + " is read-only for you"
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

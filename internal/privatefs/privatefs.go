// Package privatefs keeps cdflogin's private files and folders: folders
// made for the user alone, existing folders checked (never changed), and
// files opened without following symbolic links. On Unix the owner and
// the permission bits are checked; on Windows the user's profile folder
// (where %APPDATA% and %LOCALAPPDATA% are) already grants access only to
// the user, SYSTEM and Administrators, and Unix modes do not exist, so
// nothing is checked or changed there.
package privatefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
)

// Modes reports whether Unix permission bits and owners guard files on
// this platform (every platform but Windows).
const Modes = runtime.GOOS != "windows"

// FolderError is a folder cdflogin will not keep private files in: one
// that another user owns or that other users may write to. Its message
// says how to fix it.
type FolderError struct {
	Dir   string
	Mode  fs.FileMode // the folder's permission bits
	Owner int         // the folder's owner (uid); -1 when not known
	Self  int         // this process's effective uid
}

func (e *FolderError) Error() string {
	if e.Owner >= 0 && e.Owner != e.Self {
		return fmt.Sprintf("%s belongs to another user (uid %d), who could read and replace cdflogin's files there: use a folder of your own (set CDFLOGIN_HOME to one, or remove %s so that cdflogin creates it for you)", e.Dir, e.Owner, e.Dir)
	}
	if e.Mode&fs.ModeSticky != 0 || e.Owner != e.Self {
		// A shared folder such as /tmp: changing it would break others.
		own := filepath.Join(e.Dir, "cdflogin-"+currentUser())
		return fmt.Sprintf("other users may write to %s (mode %04o), so they could replace cdflogin's files there: set CDFLOGIN_HOME to a folder of your own, e.g. mkdir -m 700 %s && export CDFLOGIN_HOME=%s", e.Dir, OctalMode(e.Mode), own, own)
	}
	return fmt.Sprintf("other users may write to %s (mode %04o), so they could replace cdflogin's files there: run chmod go-w %s, or set CDFLOGIN_HOME to a folder only you can write to", e.Dir, OctalMode(e.Mode), e.Dir)
}

// OctalMode is m as chmod writes it (1777 for a sticky, world-writable
// folder).
func OctalMode(m fs.FileMode) uint32 {
	o := uint32(m.Perm())
	if m&fs.ModeSticky != 0 {
		o |= 0o1000
	}
	if m&fs.ModeSetgid != 0 {
		o |= 0o2000
	}
	if m&fs.ModeSetuid != 0 {
		o |= 0o4000
	}
	return o
}

// EnsureDir makes dir (and missing parents) with mode 0700 when it does
// not exist, and reports whether it did. An existing folder is never
// changed: it is checked instead, and one that another user owns (root
// excepted) or that the group or others may write to is refused with a
// *FolderError. A folder that others may only read or list is accepted:
// the files in it are private on their own (mode 0600).
func EnsureDir(dir string) (created bool, err error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, err
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if !info.IsDir() {
		return false, &fs.PathError{Op: "use", Path: dir, Err: errors.New("not a folder")}
	}
	return false, CheckDir(dir, info)
}

// CheckDir refuses a folder (described by info) that another user owns,
// root excepted, or that the group or others may write to.
func CheckDir(dir string, info fs.FileInfo) error {
	if !Modes {
		return nil
	}
	owner, self := Owner(info), os.Geteuid()
	if owner >= 0 && owner != self && owner != 0 {
		return &FolderError{Dir: dir, Mode: info.Mode(), Owner: owner, Self: self}
	}
	if info.Mode().Perm()&0o022 != 0 {
		return &FolderError{Dir: dir, Mode: info.Mode(), Owner: owner, Self: self}
	}
	return nil
}

// Mine reports whether this process's user owns the file described by
// info (always true where owners are not checked).
func Mine(info fs.FileInfo) bool {
	if !Modes {
		return true
	}
	o := Owner(info)
	return o < 0 || o == os.Geteuid()
}

// OpenFile is os.OpenFile that does not follow a symbolic link at the
// last element of name (O_NOFOLLOW on Unix): such a link is refused with
// an error that errors.Is(err, ErrSymlink) matches.
func OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := openFile(name, flag|noFollow, perm)
	if err != nil && isLoop(err) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
	}
	return f, err
}

// ErrSymlink is a private file that is a symbolic link where cdflogin
// expects a plain file.
var ErrSymlink = errors.New("is a symbolic link, not a plain file")

// Rename replaces newpath with oldpath atomically (a temporary file
// renamed over a private file). On Windows a replace fails while another
// program (a virus scanner, a backup tool) holds the file open without
// sharing its deletion: it is tried again for a while there.
func Rename(oldpath, newpath string) error { return rename(oldpath, newpath) }

// currentUser is the user's login name for a suggested folder name.
func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return filepath.Base(u.Username)
	}
	return "me"
}

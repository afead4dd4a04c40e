package privatefs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// noFollow: Windows opens a symbolic link's target, and only
// administrators (or developer mode) may create one.
const noFollow = 0

// Owner is -1: owners are not checked here (see the package doc).
func Owner(fs.FileInfo) int { return -1 }

func isLoop(error) bool { return false }

// openFile opens a file for reading with FILE_SHARE_DELETE, which os.Open
// leaves out: without it, another cdflogin could not replace the file
// (rename over it) while this one reads it. Other opens are os.OpenFile's.
func openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_APPEND|os.O_TRUNC) != 0 {
		return os.OpenFile(name, flag, perm)
	}
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: mapErr(err)}
	}
	return os.NewFile(uintptr(h), name), nil
}

// mapErr keeps the errors callers test (fs.ErrNotExist, fs.ErrPermission)
// recognizable: windows.Errno is syscall.Errno.
func mapErr(err error) error {
	var errno windows.Errno
	if errors.As(err, &errno) {
		return syscall.Errno(errno)
	}
	return err
}

// rename retries a replace that another program's open handle blocks
// (access denied, sharing violation) for up to two seconds.
func rename(oldpath, newpath string) error {
	var err error
	for delay := 10 * time.Millisecond; ; delay *= 2 {
		err = os.Rename(oldpath, newpath)
		if err == nil || !retryable(err) || delay > time.Second {
			return err
		}
		time.Sleep(delay)
	}
}

func retryable(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}

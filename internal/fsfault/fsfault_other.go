//go:build !unix

package fsfault

import (
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
)

// Windows' ERROR_WRITE_PROTECT, ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL.
const errorWriteProtect, errorHandleDiskFull, errorDiskFull = 19, 39, 112

// NoSpace reports a write refused for want of space.
func NoSpace(err error) bool {
	if runtime.GOOS == "windows" {
		return errors.Is(err, syscall.Errno(errorDiskFull)) || errors.Is(err, syscall.Errno(errorHandleDiskFull))
	}
	return errors.Is(err, syscall.ENOSPC)
}

// Quota reports a write refused by the user's disk quota.
func Quota(error) bool { return false }

// ReadOnly reports a write refused because the whole volume is
// read-only (write-protected): no process can write there.
func ReadOnly(err error) bool {
	if runtime.GOOS == "windows" {
		return errors.Is(err, syscall.Errno(errorWriteProtect))
	}
	return errors.Is(err, syscall.EROFS)
}

// MountPoint is the volume holding dir (C:\), or "".
func MountPoint(dir string) string {
	p, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if v := filepath.VolumeName(p); v != "" {
		return v + string(filepath.Separator)
	}
	return ""
}

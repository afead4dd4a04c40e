//go:build !unix

package tokencache

import (
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
)

// Windows' ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL.
const errorHandleDiskFull, errorDiskFull = 39, 112

// isNoSpace reports a write refused for want of space.
func isNoSpace(err error) bool {
	if runtime.GOOS == "windows" {
		return errors.Is(err, syscall.Errno(errorDiskFull)) || errors.Is(err, syscall.Errno(errorHandleDiskFull))
	}
	return errors.Is(err, syscall.ENOSPC)
}

// isQuota reports a write refused by the user's disk quota.
func isQuota(error) bool { return false }

// mountPoint is the volume holding dir (C:\), or "".
func mountPoint(dir string) string {
	p, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if v := filepath.VolumeName(p); v != "" {
		return v + string(filepath.Separator)
	}
	return ""
}

//go:build unix

package fsfault

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// NoSpace reports a write refused for want of space (ENOSPC, EDQUOT).
func NoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// Quota reports a write refused by the user's disk quota.
func Quota(err error) bool { return errors.Is(err, syscall.EDQUOT) }

// ReadOnly reports a write refused because the whole file system is
// mounted read-only (EROFS): no process can write there.
func ReadOnly(err error) bool { return errors.Is(err, syscall.EROFS) }

// MountPoint is the folder where the file system holding dir (or its
// nearest existing parent) is mounted, or "" when it cannot be told.
func MountPoint(dir string) string {
	p, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	dev, ok := device(p)
	for !ok {
		parent := filepath.Dir(p)
		if parent == p {
			return ""
		}
		p = parent
		dev, ok = device(p)
	}
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		if d, ok := device(parent); !ok || d != dev {
			return p
		}
		p = parent
	}
}

// device is the ID of the file system holding path.
func device(path string) (uint64, bool) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true // int32 on some systems
}

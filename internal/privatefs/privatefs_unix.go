//go:build unix

package privatefs

import (
	"errors"
	"io/fs"
	"syscall"
)

const noFollow = syscall.O_NOFOLLOW

// Owner is the uid owning the file described by info, or -1.
func Owner(info fs.FileInfo) int {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) }

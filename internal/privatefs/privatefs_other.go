//go:build !unix && !windows

package privatefs

import (
	"io/fs"
	"os"
)

const noFollow = 0

// Owner is -1: owners are not checked here.
func Owner(fs.FileInfo) int { return -1 }

func isLoop(error) bool { return false }

func openFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

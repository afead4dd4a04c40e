//go:build !unix

package privatefs

import "io/fs"

// noFollow: Windows opens a symbolic link's target, and only
// administrators (or developer mode) may create one.
const noFollow = 0

// Owner is -1: owners are not checked here.
func Owner(fs.FileInfo) int { return -1 }

func isLoop(error) bool { return false }

package main

import (
	"os"
	"syscall"
)

// peakRSSKiB is the peak resident memory of an ended process in KiB
// (Linux's getrusage reports KiB).
func peakRSSKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}

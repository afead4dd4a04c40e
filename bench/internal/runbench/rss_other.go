//go:build !linux

package main

import "os"

// peakRSSKiB is 0 (not measured): the benchmarks run on Linux, and
// getrusage's unit differs elsewhere (bytes on macOS; no Maxrss on
// Windows).
func peakRSSKiB(*os.ProcessState) int64 { return 0 }

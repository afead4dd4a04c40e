//go:build unix

// Command spawn runs one measured process for bench/sidebyside and writes
// its wall time, CPU time and peak RSS as JSON to file descriptor 3.
//
// It exists for the peak RSS: Linux counts in a child's ru_maxrss the
// memory of the process it was forked from, up to its exec, and Go forks
// with the parent's whole address space shared. A child of the benchmark
// itself (a Go program with megabytes of heap) would report at least the
// benchmark's size; a child of this small program reports its own.
//
//	spawn command [args...]    # result on fd 3, the command's output on 1 and 2
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Result is what is written to fd 3.
type Result struct {
	WallNS   int64 `json:"wall_ns"`
	UserNS   int64 `json:"user_ns"`
	SysNS    int64 `json:"sys_ns"`
	MaxRSSKB int64 `json:"max_rss_kib"`
	Exit     int   `json:"exit"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: spawn command [args...]")
		os.Exit(2)
	}
	out := os.NewFile(3, "result")
	path, err := exec.LookPath(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(2)
	}
	attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}}
	start := time.Now()
	pid, err := syscall.ForkExec(path, os.Args[1:], attr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(2)
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	for {
		_, err = syscall.Wait4(pid, &ws, 0, &ru)
		if err != syscall.EINTR {
			break
		}
	}
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawn: wait:", err)
		os.Exit(2)
	}
	r := Result{WallNS: wall.Nanoseconds(), UserNS: ru.Utime.Nano(), SysNS: ru.Stime.Nano(), MaxRSSKB: ru.Maxrss, Exit: ws.ExitStatus()}
	if err := json.NewEncoder(out).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(2)
	}
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tmux drives one tmux server on a private socket.
type tmux struct {
	socket string
}

// newTmux returns a tmux on a socket file of its own in the bench's
// temporary folder (removed with it; a killed server's socket is not
// reused).
func (b *bench) newTmux(name string, n int) *tmux {
	return &tmux{socket: filepath.Join(b.dir, fmt.Sprintf("tmux-%s-%d", name, n))}
}

func (t *tmux) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", t.socket}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (t *tmux) kill() { _, _ = t.run("kill-server") }

// start runs shell command script in a new 100×30 session "s".
func (t *tmux) start(env []string, script string) error {
	args := []string{"-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "100", "-y", "30"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	_, err := t.run(append(args, "sh", "-c", script)...)
	return err
}

func (t *tmux) capture() string {
	out, _ := t.run("capture-pane", "-p", "-t", "s")
	return out
}

// waitAll polls the pane every poll until it shows every text.
func (t *tmux) waitAll(limit, poll time.Duration, texts ...string) (string, error) {
	deadline := time.Now().Add(limit)
	var screen string
	for time.Now().Before(deadline) {
		screen = t.capture()
		ok := true
		for _, x := range texts {
			if !strings.Contains(screen, x) {
				ok = false
				break
			}
		}
		if ok {
			return screen, nil
		}
		time.Sleep(poll)
	}
	return screen, fmt.Errorf("waiting for %q; the screen is:\n%s", texts, screen)
}

func (t *tmux) pid() (int, error) {
	out, err := t.run("display-message", "-p", "-t", "s", "#{pane_pid}")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// termEnv is the terminal the program sees in tmux.
func (b *bench) termEnv() []string {
	return []string{"TERM=xterm-256color", "NO_COLOR=", "CDFLOGIN_HOME=" + b.home, "SSL_CERT_FILE=" + b.caFile,
		"CDFLOGIN_KEYRING=off", "BROWSER=false"}
}

// firstFrameTmux launches plain `cdflogin` in tmux and measures until the
// profile screen shows every profile. The pane is polled every 2 ms, so
// the numbers carry a few ms of polling and tmux latency.
func (b *bench) firstFrameTmux() error {
	var samples []float64
	for i := 0; i <= b.runs; i++ {
		t := b.newTmux("frame", i)
		start := time.Now()
		if err := t.start(b.termEnv(), "exec "+shellQuote(b.bin)); err != nil {
			return err
		}
		_, err := t.waitAll(30*time.Second, 2*time.Millisecond, "dev", "web", "app", "cert")
		elapsed := time.Since(start)
		t.kill()
		if err != nil {
			return fmt.Errorf("tmux first frame: %w", err)
		}
		if i > 0 {
			samples = append(samples, float64(elapsed.Microseconds())/1000)
		}
	}
	b.add(row{What: "TUI first frame in tmux (launch → profile list on screen)", Value: summarize(samples).ms(),
		Note: "includes tmux session start and 2 ms pane polling"})
	return nil
}

// peakRSSDemo runs `cdflogin demo` in tmux, signs in with the device
// code and reads the process's peak RSS (VmHWM) on the token screen.
func (b *bench) peakRSSDemo() error {
	t := b.newTmux("demo", 0)
	defer t.kill()
	env := append(b.termEnv(), "CDFLOGIN_HOME="+filepath.Join(b.dir, "demo-home"))
	if err := t.start(env, "exec "+shellQuote(b.bin)+" demo"); err != nil {
		return err
	}
	steps := []struct{ wait, key string }{
		{"sandbox-device", "Enter"},
		{"> Device code", "Enter"},
		{"Waiting for you to sign in", "a"},
		{"refreshed 0×", ""},
	}
	for _, st := range steps {
		if _, err := t.waitAll(60*time.Second, 50*time.Millisecond, st.wait); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if st.key != "" {
			if _, err := t.run("send-keys", "-t", "s", st.key); err != nil {
				return err
			}
		}
	}
	pid, err := t.pid()
	if err != nil {
		return err
	}
	hwm, err := procStatusKB(pid, "VmHWM")
	if err != nil {
		return err
	}
	b.add(row{What: "Peak RSS, `cdflogin demo` through a device-code sign-in to the token screen", Value: fmt.Sprintf("%.1f MB", float64(hwm)/1024),
		Target: "≤ 30 MB", Missed: hwm > 30*1024, Note: "VmHWM; the demo process also runs the sandbox (RSA keys, TLS servers)"})
	_, _ = t.run("send-keys", "-t", "s", "q")
	return nil
}

// idleCost runs plain `cdflogin` in tmux, opens the app profile's cached
// token, and watches the live token screen for b.idle: CPU time of the
// process from /proc/PID/stat and the bytes it wrote to the terminal
// (tmux pipe-pane).
func (b *bench) idleCost() error {
	t := b.newTmux("idle", 0)
	defer t.kill()
	out := filepath.Join(b.dir, "pane.out")
	if err := t.start(b.termEnv(), "exec "+shellQuote(b.bin)); err != nil {
		return err
	}
	if _, err := t.waitAll(30*time.Second, 50*time.Millisecond, "cert"); err != nil {
		return err
	}
	// Move the cursor to the app profile (signed in by flowRequests).
	for i := 0; ; i++ {
		if strings.Contains(t.capture(), "> app ") {
			break
		}
		if i == 10 {
			return fmt.Errorf("idle: the cursor does not reach the app profile:\n%s", t.capture())
		}
		if _, err := t.run("send-keys", "-t", "s", "Down"); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := t.run("send-keys", "-t", "s", "Enter"); err != nil {
		return err
	}
	if _, err := t.waitAll(30*time.Second, 50*time.Millisecond, "Use the cached sign-in"); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if strings.Contains(t.capture(), "> Use the cached sign-in") {
			break
		}
		if i == 10 {
			return fmt.Errorf("idle: the cursor does not reach the cached sign-in:\n%s", t.capture())
		}
		if _, err := t.run("send-keys", "-t", "s", "Up"); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := t.run("send-keys", "-t", "s", "Enter"); err != nil {
		return err
	}
	if _, err := t.waitAll(30*time.Second, 50*time.Millisecond, "refreshed 0×"); err != nil {
		return err
	}
	pid, err := t.pid()
	if err != nil {
		return err
	}
	// Let the screen settle (CDF access loads), then watch.
	time.Sleep(3 * time.Second)
	if _, err := t.run("pipe-pane", "-O", "-t", "s", "cat > "+shellQuote(out)); err != nil {
		return err
	}
	cpu0, err := procCPUTicks(pid)
	if err != nil {
		return err
	}
	task0, err := procTaskStats(pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(b.idle)
	cpu1, err := procCPUTicks(pid)
	if err != nil {
		return err
	}
	task1, err := procTaskStats(pid)
	if err != nil {
		return err
	}
	window := time.Since(t0)
	if _, err := t.run("pipe-pane", "-t", "s"); err != nil {
		return err
	}
	data, _ := os.ReadFile(out)
	const hz = 100 // USER_HZ on Linux
	tickSec := float64(cpu1-cpu0) / hz
	cpuSec := float64(task1.cpuNs-task0.cpuNs) / 1e9
	pct := 100 * cpuSec / window.Seconds()
	b.add(row{What: fmt.Sprintf("Idle CPU, live token screen of `cdflogin` (%s)", window.Round(time.Second)), Value: fmt.Sprintf("%.3f CPU s = %.3f %% of a core", cpuSec, pct),
		Target: "≤ 0.2 % of a core", Missed: pct > 0.2,
		Note: fmt.Sprintf("time on CPU of all threads, /proc/PID/task/*/schedstat (ns); utime+stime in 10 ms ticks: %.2f s", tickSec)})
	b.add(row{What: "Wake-ups while idle", Value: fmt.Sprintf("%.1f /s", float64(task1.switches-task0.switches)/window.Seconds()),
		Note: "context switches of all threads (/proc/PID/task/*/status): each is the process waking up"})
	rate := row{What: "Terminal output while idle", Value: fmt.Sprintf("%.0f bytes/s", float64(len(data))/window.Seconds()),
		Note: "bytes written to the pty (tmux pipe-pane); the countdown changes once a second"}
	if frames := strings.Count(string(data), "\x1b[?2026h"); frames > 0 {
		rate.Value += fmt.Sprintf(", %.2f frames/s", float64(frames)/window.Seconds())
		rate.Note += "; frames counted by synchronized-output markers"
	}
	b.add(rate)
	if err := b.keyLatency(t); err != nil {
		return err
	}
	_, _ = t.run("send-keys", "-t", "s", "q")
	return nil
}

// keyLatency presses ? on the idle token screen (full help on, then off)
// and measures until tmux shows the change: how long a key takes to be
// echoed after the screen has been idle. Each press follows 300 ms of
// quiet, so every sample starts from an idle renderer.
func (b *bench) keyLatency(t *tmux) error {
	const marker = "previous tab" // only in the full help
	var samples []float64
	for i := 0; i < 2*b.runs; i++ {
		time.Sleep(300 * time.Millisecond)
		want := i%2 == 0 // the odd presses hide the full help again
		start := time.Now()
		if _, err := t.run("send-keys", "-t", "s", "?"); err != nil {
			return err
		}
		for {
			if strings.Contains(t.capture(), marker) == want {
				break
			}
			if time.Since(start) > 10*time.Second {
				return fmt.Errorf("key latency: the full help did not toggle:\n%s", t.capture())
			}
			time.Sleep(time.Millisecond)
		}
		samples = append(samples, float64(time.Since(start).Microseconds())/1000)
	}
	b.add(row{What: "Key press to screen, after idle (tmux)", Value: summarize(samples).ms(),
		Note: "? toggles the full help on the idle token screen; includes tmux send-keys and capture-pane (a few ms each)"})
	return nil
}

// taskStats is what the kernel counts for all threads of a process.
type taskStats struct {
	cpuNs    int64 // time on CPU, summed over threads
	switches int64 // voluntary + involuntary context switches
}

// procTaskStats sums /proc/PID/task/*/schedstat (first field: ns on CPU)
// and the context switches in /proc/PID/task/*/status.
func procTaskStats(pid int) (taskStats, error) {
	var st taskStats
	dirs, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(dirs) == 0 {
		return st, fmt.Errorf("threads of %d: %v", pid, err)
	}
	for _, d := range dirs {
		sched, err := os.ReadFile(filepath.Join(d, "schedstat"))
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(sched))
		if len(f) < 1 {
			return st, fmt.Errorf("%s/schedstat: unexpected format", d)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return st, fmt.Errorf("%s/schedstat: %w", d, err)
		}
		st.cpuNs += ns
		status, err := os.ReadFile(filepath.Join(d, "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok || (k != "voluntary_ctxt_switches" && k != "nonvoluntary_ctxt_switches") {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return st, fmt.Errorf("%s/status: %w", d, err)
			}
			st.switches += n
		}
	}
	return st, nil
}

// procCPUTicks returns utime+stime of pid in clock ticks.
func procCPUTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start after ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime/stime", pid)
	}
	return u + st, nil
}

// procStatusKB returns a "kB" field of /proc/PID/status.
func procStatusKB(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, field)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Command runbench measures cdflogin as a user meets it and prints a table:
// process start (version, profile list), the interactive program's first
// frame (in process and in tmux), the idle cost of the live token screen,
// peak memory of a device-code sign-in, binary size, and how many HTTP
// requests each flow sends to the sandbox. `cdflogin token` on a warm
// cache is measured by bench/tokenbench (bench/token.sh); pass its JSON
// with -token-json to have it in the same table.
//
// Timings are medians of -runs runs with min and max. Nothing here is a
// test: numbers are printed, targets are flagged, nothing fails on a slow
// machine.
//
//	go run ./bench/internal/runbench -runs 10 -idle 60s
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognite-tools/cdflogin/bench/internal/msalcache"
	"github.com/cognite-tools/cdflogin/bench/internal/release"
	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/tui"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

// row is one line of the table.
type row struct {
	What   string `json:"what"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
	Missed bool   `json:"missed,omitempty"`
	Note   string `json:"note,omitempty"`
}

// stats is median/min/max of samples.
type stats struct {
	Median, Min, Max float64
	N                int
}

func summarize(samples []float64) stats {
	s := slices.Clone(samples)
	slices.Sort(s)
	if len(s) == 0 {
		return stats{}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{Median: med, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

func (s stats) ms() string {
	return fmt.Sprintf("%.1f ms (min %.1f, max %.1f, n=%d)", s.Median, s.Min, s.Max, s.N)
}

type bench struct {
	runs   int
	idle   time.Duration
	dir    string
	bin    string
	home   string
	caFile string
	env    []string
	sb     *sandbox.Sandbox
	rows   []row

	idleOnly bool   // -idle-only
	modfile  string // -modfile: build with another go.mod
}

func main() {
	runs := flag.Int("runs", 10, "runs per timing (at least 10)")
	idle := flag.Duration("idle", 60*time.Second, "how long the live token screen is watched for its idle cost")
	tokenJSON := flag.String("token-json", "", "JSON written by bench/tokenbench -json, to include in the table")
	asJSON := flag.Bool("json", false, "print the rows as JSON instead of a Markdown table")
	skipTmux := flag.Bool("no-tmux", false, "skip the measurements that need tmux")
	idleOnly := flag.Bool("idle-only", false, "measure only the idle cost of the live token screen (and the sign-in it needs)")
	modfile := flag.String("modfile", "", "build cdflogin with this go.mod instead (e.g. one without the Bubble Tea patch, see bench/idle.sh)")
	flag.Parse()
	if *runs < 10 {
		fmt.Fprintln(os.Stderr, "runbench: -runs must be at least 10")
		os.Exit(2)
	}
	b := &bench{runs: *runs, idle: *idle, idleOnly: *idleOnly, modfile: *modfile}
	if err := b.run(*tokenJSON, *skipTmux); err != nil {
		fmt.Fprintln(os.Stderr, "runbench:", err)
		os.Exit(1)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(b.rows)
		return
	}
	b.print(os.Stdout)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "runbench: "+format+"\n", args...)
}

func (b *bench) add(r row) {
	b.rows = append(b.rows, r)
	b.logf("%s: %s", r.What, r.Value)
}

func (b *bench) print(w io.Writer) {
	fmt.Fprintln(w, "| Measurement | Result | Target | Notes |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range b.rows {
		target := r.Target
		if r.Missed {
			target += " **MISSED**"
		} else if target != "" {
			target += " ✓"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.What, r.Value, target, r.Note)
	}
}

func (b *bench) run(tokenJSON string, skipTmux bool) error {
	dir, err := os.MkdirTemp("", "cdflogin-runbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.dir = dir

	if err := b.binaries(); err != nil {
		return err
	}
	if tokenJSON != "" {
		if err := b.tokenRows(tokenJSON); err != nil {
			return err
		}
	}

	sb, err := sandbox.Start(sandbox.Options{DeviceInterval: time.Second})
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer sb.Close()
	b.sb = sb
	if err := b.setupHome(); err != nil {
		return err
	}
	if b.idleOnly {
		if err := b.flowRequests(); err != nil { // signs in the app profile
			return err
		}
		return b.idleCost()
	}
	if err := b.processStart(); err != nil {
		return err
	}
	if err := b.flowRequests(); err != nil {
		return err
	}
	if err := b.firstFrameInProcess(); err != nil {
		return err
	}
	if skipTmux {
		return nil
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		b.add(row{What: "tmux measurements", Value: "skipped", Note: "tmux is not installed"})
		return nil
	}
	if err := b.firstFrameTmux(); err != nil {
		return err
	}
	if err := b.peakRSSDemo(); err != nil {
		return err
	}
	return b.idleCost()
}

// binaries builds cdflogin as released (stripped) and with symbols.
func (b *bench) binaries() error {
	b.bin = filepath.Join(b.dir, "cdflogin")
	stripped := filepath.Join(b.dir, "cdflogin-stripped")
	b.logf("building cdflogin…")
	for _, c := range [][]string{
		{"build", "-o", b.bin, "."},
		{"build", "-trimpath", "-ldflags=-s -w", "-o", stripped, "."},
	} {
		if b.modfile != "" {
			c = append([]string{c[0], "-modfile", b.modfile}, c[1:]...)
		}
		cmd := exec.Command("go", c...)
		cmd.Env = release.BuildEnv()
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go %s: %w", strings.Join(c, " "), err)
		}
	}
	for _, f := range []struct{ name, path, note string }{
		{"Binary size", b.bin, "CGO_ENABLED=0 go build"},
		{"Binary size, stripped", stripped, "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'"},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			return err
		}
		b.add(row{What: f.name, Value: fmt.Sprintf("%.1f MiB", float64(st.Size())/(1<<20)), Note: f.note})
	}
	return nil
}

// tokenRows turns tokenbench's JSON into rows.
func (b *bench) tokenRows(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var results []struct {
		Case        string  `json:"case"`
		Runs        int     `json:"runs"`
		MedianMS    float64 `json:"median_ms"`
		MinMS       float64 `json:"min_ms"`
		MaxMS       float64 `json:"max_ms"`
		RequestsMax int     `json:"requests_max"`
	}
	if err := json.Unmarshal(data, &results); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range results {
		s := stats{Median: r.MedianMS, Min: r.MinMS, Max: r.MaxMS, N: r.Runs}
		rw := row{What: "`cdflogin token`, " + r.Case, Value: s.ms() + fmt.Sprintf("; ≤%d HTTP requests per run", r.RequestsMax)}
		if strings.HasPrefix(r.Case, "warm") {
			rw.Target = "≤ 10 ms median, 0 requests"
			rw.Missed = r.MedianMS > 10 || r.RequestsMax > 0
		}
		b.add(rw)
	}
	return nil
}

const profilesYAML = `profiles:
  dev:
    tenant: {{TENANT}}
    client_id: {{DEVICE}}
    cluster: westeurope-1
    project: {{PROJECT}}
    flow: device
    authority: {{AUTHORITY}}
    cdf_url: {{CDF}}
  web:
    tenant: {{TENANT}}
    client_id: {{BROWSER}}
    cluster: westeurope-1
    project: {{PROJECT}}
    flow: browser
    redirect_port: {{PORT}}
    authority: {{AUTHORITY}}
    cdf_url: {{CDF}}
  app:
    tenant: {{TENANT}}
    client_id: {{SECRET}}
    cluster: westeurope-1
    project: {{PROJECT}}
    flow: secret
    client_secret: env:APP_SECRET
    authority: {{AUTHORITY}}
    cdf_url: {{CDF}}
  cert:
    tenant: {{TENANT}}
    client_id: {{CERT}}
    cluster: westeurope-1
    project: {{PROJECT}}
    flow: certificate
    certificate: {{CERTFILE}}
    authority: {{AUTHORITY}}
    cdf_url: {{CDF}}
`

func (b *bench) setupHome() error {
	b.home = filepath.Join(b.dir, "home")
	if err := os.MkdirAll(b.home, 0o700); err != nil {
		return err
	}
	b.caFile = filepath.Join(b.dir, "sandbox-ca.pem")
	if err := os.WriteFile(b.caFile, b.sb.CAPEM(), 0o600); err != nil {
		return err
	}
	w := b.sb.World()
	certApp, ok := w.App(sandbox.AppCertificate)
	if !ok || len(certApp.Certificates) == 0 {
		return errors.New("the sandbox has no certificate app")
	}
	certFile := filepath.Join(b.dir, "cert.pem")
	if err := os.WriteFile(certFile, certApp.Certificates[0].PEM(), 0o600); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	r := strings.NewReplacer(
		"{{TENANT}}", w.TenantID, "{{DEVICE}}", sandbox.DeviceAppID, "{{BROWSER}}", sandbox.BrowserAppID,
		"{{SECRET}}", sandbox.SecretAppID, "{{CERT}}", sandbox.CertificateAppID, "{{PROJECT}}", sandbox.ProjectName,
		"{{AUTHORITY}}", b.sb.AuthorityURL(), "{{CDF}}", b.sb.CDFURL(), "{{CERTFILE}}", certFile, "{{PORT}}", strconv.Itoa(port),
	)
	if err := os.WriteFile(filepath.Join(b.home, "profiles.yaml"), []byte(r.Replace(profilesYAML)), 0o600); err != nil {
		return err
	}
	b.env = append(os.Environ(), "CDFLOGIN_HOME="+b.home, "SSL_CERT_FILE="+b.caFile,
		"APP_SECRET="+sandbox.SecretAppSecret, "NO_COLOR=1", "CDFLOGIN_KEYRING=off", "BROWSER=false")
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (b *bench) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, b.bin, args...)
	c.Env = b.env
	return c
}

// timeRuns runs args b.runs times (after one warm-up run) and returns the
// wall times in ms.
func (b *bench) timeRuns(args ...string) (stats, error) {
	ctx := context.Background()
	var samples []float64
	for i := 0; i <= b.runs; i++ {
		c := b.cmd(ctx, args...)
		var stderr bytes.Buffer
		c.Stdout, c.Stderr = io.Discard, &stderr
		start := time.Now()
		err := c.Run()
		elapsed := time.Since(start)
		if err != nil {
			return stats{}, fmt.Errorf("cdflogin %s: %w: %s", strings.Join(args, " "), err, stderr.String())
		}
		if i > 0 { // the first run warms the page cache
			samples = append(samples, float64(elapsed.Microseconds())/1000)
		}
	}
	return summarize(samples), nil
}

func (b *bench) processStart() error {
	for _, c := range []struct {
		name string
		args []string
		note string
	}{
		{"`cdflogin version` (process start)", []string{"version"}, "the floor for any command of this binary"},
		{"`cdflogin profile list` (4 profiles)", []string{"profile", "list"}, "reads profiles.yaml and each profile's cache state"},
	} {
		s, err := b.timeRuns(c.args...)
		if err != nil {
			return err
		}
		b.add(row{What: c.name, Value: s.ms(), Note: c.note})
	}
	return nil
}

var (
	userCodeRE = regexp.MustCompile(`enter the code ([A-Z0-9-]+)`)
	authURLRE  = regexp.MustCompile(`(?m)^\s+(https://\S+/authorize\?\S+)$`)
)

// login runs `cdflogin login -p name --plain` and answers the sign-in the
// way a person would (approving the device code, signing in on the
// browser page). It returns the process's peak RSS in KiB.
func (b *bench) login(name string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := b.cmd(ctx, "login", "-p", name, "--plain")
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	c.Stderr = io.MultiWriter(&stderr, pw)
	c.Stdout = io.Discard
	if err := c.Start(); err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		done := false
		for sc.Scan() {
			line := sc.Text()
			if done {
				continue
			}
			if m := userCodeRE.FindStringSubmatch(line); m != nil {
				_ = b.sb.ApproveDeviceCode(m[1], sandbox.AliceUsername)
				done = true
			}
			if m := authURLRE.FindStringSubmatch(line); m != nil {
				go func(u string) { _, _ = b.sb.SignInAs(ctx, u, sandbox.AliceUsername) }(m[1])
				done = true
			}
		}
	}()
	err := c.Wait()
	_ = pw.Close()
	wg.Wait()
	if err != nil {
		return 0, fmt.Errorf("cdflogin login -p %s: %w: %s", name, err, stderr.String())
	}
	return peakRSSKiB(c.ProcessState), nil
}

// counts renders the sandbox's request counts (admin API excluded).
func (b *bench) counts() (string, int) {
	total := 0
	var parts []string
	for k, v := range b.sb.Counts() {
		if k == "admin" || strings.HasPrefix(k, "admin:") {
			continue
		}
		if !strings.Contains(k, ":") {
			total += v
		}
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "none", 0
	}
	return strings.Join(parts, ", "), total
}

// flowRequests signs in with each flow and counts what reached the sandbox.
func (b *bench) flowRequests() error {
	for _, f := range []struct{ profile, flow, note string }{
		{"dev", "device code", "the polls before approval depend on how fast the person is (interval 1s here)"},
		{"web", "browser (auth code + PKCE)", "authorize/login are the browser's requests, not cdflogin's"},
		{"app", "client secret", ""},
		{"cert", "client certificate", ""},
	} {
		b.sb.ResetRequests()
		rss, err := b.login(f.profile)
		if err != nil {
			return err
		}
		got, _ := b.counts()
		b.add(row{What: "HTTP requests, `login` " + f.flow, Value: got, Note: f.note})
		if f.profile == "dev" {
			b.add(row{What: "Peak RSS, `cdflogin login --plain` device code", Value: fmt.Sprintf("%.1f MB", float64(rss)/1024),
				Target: "≤ 30 MB", Missed: rss > 30*1024, Note: "ru_maxrss of the process (the sandbox runs elsewhere)"})
		}
	}
	expire := func() error { return msalcache.ExpireAccessTokens(filepath.Join(b.home, "cache", "dev.msal.json")) }
	for _, c := range []struct {
		what   string
		before func() error
		args   []string
	}{
		{"warm `token -p dev` (cached)", nil, []string{"token", "-p", "dev"}},
		{"`token -p dev`, access token expired (refresh)", expire, []string{"token", "-p", "dev"}},
		{"warm `token -p app` (cached)", nil, []string{"token", "-p", "app"}},
	} {
		if c.before != nil {
			if err := c.before(); err != nil {
				return err
			}
		}
		b.sb.ResetRequests()
		var stderr bytes.Buffer
		cmd := b.cmd(context.Background(), c.args...)
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("cdflogin %s: %w: %s", strings.Join(c.args, " "), err, stderr.String())
		}
		got, total := b.counts()
		rw := row{What: "HTTP requests, " + c.what, Value: got}
		if strings.HasPrefix(c.what, "warm") {
			rw.Target, rw.Missed = "0", total > 0
		}
		b.add(rw)
	}
	return nil
}

// firstFrameInProcess runs ui.Run with the real store and flows and
// measures from the call to the first written frame that shows the
// profile list. No hook in ui is needed: the output writer sees it.
func (b *bench) firstFrameInProcess() error {
	store := profiles.NewStore(filepath.Join(b.home, "profiles.yaml"))
	svc := flows.New(flows.Deps{HTTPClient: b.sb.HTTPClient(), CacheDir: filepath.Join(b.home, "cache"), Now: time.Now})
	var samples []float64
	for i := 0; i <= b.runs; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out := &frameWatcher{want: []string{"dev", "web", "app", "cert"}, seen: make(chan struct{})}
		inR, inW := io.Pipe()
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			// The program as the real run builds it (tui.NewConfig), at a
			// fixed size.
			cfg := tui.NewConfig(tui.Deps{
				IO:    &cmdutil.IOStreams{In: inR, Out: out},
				Store: store, Flows: svc, HTTPClient: b.sb.HTTPClient(),
				Getenv: func(k string) string {
					if k == "TERM" {
						return "xterm-256color"
					}
					return ""
				},
			})
			cfg.Width, cfg.Height = 100, 30
			done <- ui.Run(ctx, cfg)
		}()
		var err error
		select {
		case <-out.seen:
		case err = <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		elapsed := time.Since(start)
		cancel()
		_ = inW.Close()
		if err != nil {
			return fmt.Errorf("in-process first frame: %w", err)
		}
		<-done
		if i > 0 {
			samples = append(samples, float64(elapsed.Microseconds())/1000)
		}
	}
	b.add(row{What: "TUI first frame, in process (ui.Run → profile list written)", Value: summarize(samples).ms(),
		Note: "Bubble Tea start-up and first render; process start is the version row"})
	return nil
}

// frameWatcher is the program's output: it signals when everything in
// want has been written.
type frameWatcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want []string
	seen chan struct{}
	once sync.Once
}

func (w *frameWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	s := w.buf.String()
	for _, x := range w.want {
		if !strings.Contains(s, x) {
			return len(p), nil
		}
	}
	w.once.Do(func() { close(w.seen) })
	return len(p), nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

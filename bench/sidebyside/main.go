// Command sidebyside measures cdflogin and int128/kubelogin side by side
// against the sandbox (over TLS on 127.0.0.1, client credentials): a warm
// cached token, a cold one, a refresh, `version`, a hello-world Go process,
// peak RSS and the stripped binary size. Runs are paired and interleaved
// (A B, then B A, …); it prints medians of wall time, CPU time (user+sys
// from the process's rusage), peak RSS and the sandbox's request count,
// and the ratios. Nothing is asserted: it measures and prints.
//
// kubelogin is built from the Go module proxy at a pinned version into a
// private GOBIN (`go install`, CGO_ENABLED=0, -trimpath -ldflags='-s -w',
// as cdflogin is built); none of its code is in this repository. Set
// KUBELOGIN to a binary to skip the build. Where kubelogin cannot be had,
// the table still has the reference client (bench/internal/oidcref): the
// same two requests with the libraries kubelogin uses, and none of its
// framework — a floor, not kubelogin.
//
//	bench/sidebyside.sh                 # 30 pairs per figure
//	bench/sidebyside.sh -pairs 50 -json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/bench/internal/msalcache"
	"github.com/cognite-tools/cdflogin/bench/internal/release"
	"github.com/cognite-tools/cdflogin/bench/internal/sandboxrun"
)

// kubeloginVersion is the kubelogin release measured (KUBELOGIN_VERSION
// overrides it). Its get-token must have --grant-type=client-credentials
// and --oidc-use-access-token (Entra's client-credential answer has no ID
// token).
const kubeloginVersion = "v1.32.0"

// Tools, in the order of the table's columns.
const (
	cdflogin  = "cdflogin"
	kubelogin = "kubelogin"
	reference = "reference"
	hello     = "hello-world"
	spawn     = "spawn" // the launcher, not measured
)

// Sample is one measured process.
type Sample struct {
	WallMS   float64 `json:"wall_ms"`
	CPUMS    float64 `json:"cpu_ms"` // user + sys
	MaxRSSKB int64   `json:"max_rss_kib"`
	Requests int     `json:"requests"`
}

// Figure is one row: the samples of each tool.
type Figure struct {
	Name    string              `json:"name"`
	Samples map[string][]Sample `json:"samples"`
}

// Report is everything measured.
type Report struct {
	Date       string           `json:"date"`
	Commit     string           `json:"commit"`
	Machine    string           `json:"machine"`
	Go         string           `json:"go"`
	LoadBefore string           `json:"load_before"`
	LoadAfter  string           `json:"load_after"`
	Kubelogin  string           `json:"kubelogin"` // version measured, or why it is missing
	Pairs      int              `json:"pairs"`
	Figures    []Figure         `json:"figures"`
	SizeBytes  map[string]int64 `json:"stripped_size_bytes"`
}

func main() {
	pairs := flag.Int("pairs", 30, "paired runs per figure (at least 5)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	flag.Parse()
	if *pairs < 5 {
		fmt.Fprintln(os.Stderr, "sidebyside: -pairs must be at least 5")
		os.Exit(2)
	}
	r, err := run(*pairs, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
		return
	}
	printReport(os.Stdout, r)
}

// bench is one run's state.
type bench struct {
	ctx   context.Context
	dir   string
	bins  map[string]string
	sb    *sandboxrun.Sandbox
	env   []string
	kubes kubeArgs
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "sidebyside: "+format+"\n", args...) }

func run(pairs int, keep bool) (*Report, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "cdflogin-sidebyside-")
	if err != nil {
		return nil, err
	}
	if keep {
		logf("files in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	r := &Report{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Commit:     commit(),
		Machine:    machine(),
		Go:         runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		LoadBefore: loadavg(),
		Pairs:      pairs,
		SizeBytes:  map[string]int64{},
	}
	b := &bench{ctx: ctx, dir: dir, bins: map[string]string{}}
	if err := b.build(r); err != nil {
		return nil, err
	}
	for name, bin := range b.bins {
		if fi, err := os.Stat(bin); err == nil && name != spawn {
			r.SizeBytes[name] = fi.Size()
		}
	}
	b.sb, err = sandboxrun.Start(ctx, b.bins[cdflogin], dir)
	if err != nil {
		return nil, err
	}
	defer b.sb.Stop()
	if err := b.setup(); err != nil {
		return nil, err
	}

	for _, f := range b.figures() {
		logf("measuring %s…", f.name)
		fig, err := b.measure(f, pairs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		r.Figures = append(r.Figures, fig)
	}
	r.LoadAfter = loadavg()
	return r, nil
}

// build makes every binary the way cdflogin's README installs it: static
// (CGO_ENABLED=0), -trimpath, -ldflags='-s -w'.
func (b *bench) build(r *Report) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	for name, pkg := range map[string]string{cdflogin: ".", hello: "./bench/internal/hello", reference: "./bench/internal/oidcref", spawn: "./bench/internal/spawn"} {
		out := filepath.Join(b.dir, name)
		logf("building %s…", name)
		cmd := exec.CommandContext(b.ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
		cmd.Dir = root
		cmd.Env = release.BuildEnv()
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
		}
		b.bins[name] = out
	}
	version := kubeloginVersion
	if v := os.Getenv("KUBELOGIN_VERSION"); v != "" {
		version = v
	}
	bin, err := b.kubelogin(version)
	if err != nil {
		r.Kubelogin = "not measured: " + err.Error()
		logf("kubelogin %s", r.Kubelogin)
		return nil
	}
	b.bins[kubelogin] = bin
	r.Kubelogin = version
	if p := os.Getenv("KUBELOGIN"); p != "" {
		r.Kubelogin = "binary " + filepath.Base(p) + " (KUBELOGIN)"
	}
	return nil
}

// kubelogin returns the kubelogin binary to measure: $KUBELOGIN, or one
// built from the module proxy into a private GOBIN.
func (b *bench) kubelogin(version string) (string, error) {
	bin := os.Getenv("KUBELOGIN")
	if bin == "" {
		gobin := filepath.Join(b.dir, "gobin")
		logf("building kubelogin %s from the Go module proxy…", version)
		cmd := exec.CommandContext(b.ctx, "go", "install", "-trimpath", "-ldflags=-s -w", "github.com/int128/kubelogin@"+version)
		cmd.Dir = b.dir // outside this module: `go install pkg@version` uses kubelogin's own go.mod
		cmd.Env = append(release.BuildEnv(), "GOBIN="+gobin, "GOFLAGS=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go install github.com/int128/kubelogin@%s failed (%v): %s; set KUBELOGIN to a kubelogin binary built with CGO_ENABLED=0 -trimpath -ldflags='-s -w'",
				version, err, strings.TrimSpace(lastLine(string(msg))))
		}
		bin = filepath.Join(gobin, "kubelogin")
	}
	help, err := exec.CommandContext(b.ctx, bin, "get-token", "--help").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s get-token --help: %v", bin, err)
	}
	for _, flag := range []string{"client-credentials", "--oidc-use-access-token"} {
		if !strings.Contains(string(help), flag) {
			return "", fmt.Errorf("this kubelogin's get-token has no %s (needed for Entra's client-credential grant); use a newer release", flag)
		}
	}
	return bin, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// kubeArgs are kubelogin's get-token arguments for the app and the user.
type kubeArgs struct {
	app, user   []string
	userCache   string
	appCache    string
	refreshable bool // the user signed in and kubelogin has --force-refresh
}

// setup writes cdflogin's profiles (trusting the sandbox CA through
// ca_file, as kubelogin does through --certificate-authority), signs the
// user in with each tool (device code, approved over the admin API) and
// warms every cache once.
func (b *bench) setup() error {
	st := b.sb.Settings
	home := filepath.Join(b.dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	common := fmt.Sprintf("    tenant: %s\n    cluster: westeurope-1\n    project: %s\n    authority: %s\n    cdf_url: %s\n    ca_file: %s\n",
		st.TenantID, st.Project, st.Authority, st.CDFURL, b.sb.CAFile)
	profiles := "profiles:\n" +
		"  app:\n" + common + "    client_id: " + st.ClientID("secret") + "\n    flow: secret\n    client_secret: env:APP_SECRET\n" +
		"  user:\n" + common + "    client_id: " + st.ClientID("device") + "\n    flow: device\n"
	if err := os.WriteFile(filepath.Join(home, "profiles.yaml"), []byte(profiles), 0o600); err != nil {
		return err
	}
	// No SSL_CERT_FILE: each tool is told the CA in its own way.
	b.env = append(withoutEnv(os.Environ(), "SSL_CERT_FILE", "SSL_CERT_DIR"), "CDFLOGIN_HOME="+home, "CDFLOGIN_KEYRING=off",
		"APP_SECRET="+sandboxrun.SecretAppSecret, "OIDCREF_SECRET="+sandboxrun.SecretAppSecret, "NO_COLOR=1")

	logf("signing in the user profile (device code)…")
	if err := b.sb.DeviceLogin(b.ctx, b.cmd(cdflogin, "login", "-p", "user", "--plain"), regexp.MustCompile(`enter the code ([A-Z0-9-]+)`)); err != nil {
		return err
	}
	for _, args := range [][]string{{"token", "-p", "app"}, {"token", "-p", "user"}} {
		if err := b.ok(cdflogin, args...); err != nil {
			return err
		}
	}
	if err := b.ok(reference, b.refArgs()...); err != nil {
		return err
	}
	if _, ok := b.bins[kubelogin]; ok {
		b.kubes.appCache = filepath.Join(b.dir, "kube-app-cache")
		b.kubes.userCache = filepath.Join(b.dir, "kube-user-cache")
		issuer := []string{"get-token", "--oidc-issuer-url=" + st.Issuer, "--certificate-authority=" + b.sb.CAFile}
		b.kubes.app = append(slices.Clone(issuer), "--oidc-client-id="+st.ClientID("secret"), "--oidc-client-secret="+sandboxrun.SecretAppSecret,
			"--grant-type=client-credentials", "--oidc-use-access-token", "--oidc-extra-scope="+st.Scope, "--token-cache-dir="+b.kubes.appCache)
		b.kubes.user = append(slices.Clone(issuer), "--oidc-client-id="+st.ClientID("device"), "--grant-type=device-code", "--skip-open-browser",
			"--oidc-extra-scope="+st.Scope, "--oidc-extra-scope=offline_access", "--token-cache-dir="+b.kubes.userCache)
		if err := b.ok(kubelogin, b.kubes.app...); err != nil {
			return err
		}
		help, _ := exec.CommandContext(b.ctx, b.bins[kubelogin], "get-token", "--help").CombinedOutput()
		if strings.Contains(string(help), "--force-refresh") {
			err := b.sb.DeviceLogin(b.ctx, b.cmd(kubelogin, b.kubes.user...), regexp.MustCompile(`\b([A-Z0-9]{9})\b`))
			if err != nil {
				logf("kubelogin's device-code sign-in failed, its refresh is not measured: %v", err)
			} else {
				b.kubes.refreshable = true
			}
		}
	}
	return nil
}

func withoutEnv(env []string, names ...string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(names, name)
	})
}

func (b *bench) refArgs() []string {
	st := b.sb.Settings
	return []string{"-issuer", st.Issuer, "-client-id", st.ClientID("secret"), "-scope", st.Scope,
		"-ca", b.sb.CAFile, "-cache", filepath.Join(b.dir, "reference-cache")}
}

func (b *bench) cmd(tool string, args ...string) *exec.Cmd {
	c := exec.CommandContext(b.ctx, b.bins[tool], args...)
	c.Env = b.env
	return c
}

// ok runs a tool once, unmeasured, and wants it to succeed.
func (b *bench) ok(tool string, args ...string) error {
	if out, err := b.cmd(tool, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return nil
}

// step is how one tool takes part in a figure.
type step struct {
	before func() error // unmeasured, before each run
	args   []string
}

type figure struct {
	name  string
	tools map[string]step
}

func (b *bench) figures() []figure {
	removeAll := func(path string) func() error { return func() error { return os.RemoveAll(path) } }
	warm := figure{name: "warm cached token", tools: map[string]step{
		cdflogin:  {args: []string{"token", "-p", "app"}},
		reference: {args: b.refArgs()},
	}}
	cold := figure{name: "cold client-credential token", tools: map[string]step{
		cdflogin:  {before: func() error { return b.ok(cdflogin, "logout", "-p", "app") }, args: []string{"token", "-p", "app"}},
		reference: {before: removeAll(filepath.Join(b.dir, "reference-cache")), args: b.refArgs()},
	}}
	userCache := filepath.Join(b.dir, "home", "cache", "user.msal.json")
	refresh := figure{name: "refresh (user token)", tools: map[string]step{
		cdflogin: {before: func() error { return msalcache.ExpireAccessTokens(userCache) }, args: []string{"token", "-p", "user"}},
	}}
	version := figure{name: "version", tools: map[string]step{
		cdflogin: {args: []string{"version"}},
	}}
	if _, ok := b.bins[kubelogin]; ok {
		warm.tools[kubelogin] = step{args: b.kubes.app}
		cold.tools[kubelogin] = step{before: removeAll(b.kubes.appCache), args: b.kubes.app}
		if b.kubes.refreshable {
			refresh.tools[kubelogin] = step{args: append(slices.Clone(b.kubes.user), "--force-refresh")}
		}
		version.tools[kubelogin] = step{args: []string{"--version"}}
	}
	helloFig := figure{name: "hello-world Go process", tools: map[string]step{hello: {}}}
	return []figure{helloFig, warm, cold, refresh, version}
}

// measure runs the figure's tools pairs times each, interleaved: A B C,
// then C B A, and so on.
func (b *bench) measure(f figure, pairs int) (Figure, error) {
	var order []string
	for _, t := range []string{cdflogin, kubelogin, reference, hello} {
		if _, ok := f.tools[t]; ok {
			order = append(order, t)
		}
	}
	fig := Figure{Name: f.name, Samples: map[string][]Sample{}}
	for i := range pairs {
		seq := slices.Clone(order)
		if i%2 == 1 {
			slices.Reverse(seq)
		}
		for _, tool := range seq {
			st := f.tools[tool]
			if st.before != nil {
				if err := st.before(); err != nil {
					return fig, err
				}
			}
			s, err := b.once(tool, st.args)
			if err != nil {
				return fig, err
			}
			fig.Samples[tool] = append(fig.Samples[tool], s)
		}
	}
	return fig, nil
}

// once runs one measured process through spawn, which times it and
// reads its rusage (see bench/internal/spawn for why not from here).
func (b *bench) once(tool string, args []string) (Sample, error) {
	if err := b.sb.ResetRequests(b.ctx); err != nil {
		return Sample{}, err
	}
	c := exec.CommandContext(b.ctx, b.bins[spawn], append([]string{b.bins[tool]}, args...)...)
	c.Env = b.env
	c.Stdout = io.Discard
	var stderr strings.Builder
	c.Stderr = &stderr
	rd, wr, err := os.Pipe()
	if err != nil {
		return Sample{}, err
	}
	defer rd.Close()
	c.ExtraFiles = []*os.File{wr}
	err = c.Start()
	wr.Close()
	if err != nil {
		return Sample{}, err
	}
	var res struct {
		WallNS   int64 `json:"wall_ns"`
		UserNS   int64 `json:"user_ns"`
		SysNS    int64 `json:"sys_ns"`
		MaxRSSKB int64 `json:"max_rss_kib"`
		Exit     int   `json:"exit"`
	}
	decErr := json.NewDecoder(rd).Decode(&res)
	if err := c.Wait(); err != nil || decErr != nil || res.Exit != 0 {
		return Sample{}, fmt.Errorf("%s %s: exit %d (%v, %v)\n%s", tool, strings.Join(args, " "), res.Exit, err, decErr, stderr.String())
	}
	n, err := b.sb.CountRequests(b.ctx)
	if err != nil {
		return Sample{}, err
	}
	return Sample{WallMS: float64(res.WallNS) / 1e6, CPUMS: float64(res.UserNS+res.SysNS) / 1e6, MaxRSSKB: res.MaxRSSKB, Requests: n}, nil
}

// Stats are the medians of one tool's samples in a figure.
type Stats struct {
	Wall, CPU, RSSMiB float64
	Requests          string
	N                 int
}

func statsOf(s []Sample) Stats {
	if len(s) == 0 {
		return Stats{}
	}
	var wall, cpu, rss []float64
	var req []int
	for _, x := range s {
		wall, cpu, rss, req = append(wall, x.WallMS), append(cpu, x.CPUMS), append(rss, float64(x.MaxRSSKB)/1024), append(req, x.Requests)
	}
	reqs := fmt.Sprint(slices.Min(req))
	if slices.Max(req) != slices.Min(req) {
		reqs += "–" + fmt.Sprint(slices.Max(req))
	}
	return Stats{Wall: median(wall), CPU: median(cpu), RSSMiB: median(rss), Requests: reqs, N: len(s)}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func printReport(w io.Writer, r *Report) {
	fmt.Fprintf(w, "cdflogin and kubelogin side by side, %d interleaved pairs per figure, medians\n\n", r.Pairs)
	fmt.Fprintf(w, "date %s · commit %s · %s · %s\nload average before %s, after %s\nkubelogin: %s\n\n", r.Date, r.Commit, r.Machine, r.Go, r.LoadBefore, r.LoadAfter, r.Kubelogin)
	fmt.Fprintln(w, "| figure | tool | wall | CPU (user+sys) | peak RSS | requests |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	med := map[string]map[string]Stats{}
	for _, f := range r.Figures {
		med[f.Name] = map[string]Stats{}
		for _, tool := range []string{cdflogin, kubelogin, reference, hello} {
			s, ok := f.Samples[tool]
			if !ok {
				continue
			}
			st := statsOf(s)
			med[f.Name][tool] = st
			fmt.Fprintf(w, "| %s | %s | %.1f ms | %.1f ms | %.1f MiB | %s |\n", f.Name, tool, st.Wall, st.CPU, st.RSSMiB, st.Requests)
		}
	}
	fmt.Fprintln(w, "\n| stripped binary (-trimpath -s -w) | size |\n|---|---|")
	for _, tool := range []string{cdflogin, kubelogin, reference, hello} {
		if n, ok := r.SizeBytes[tool]; ok {
			fmt.Fprintf(w, "| %s | %.2f MiB (%d bytes) |\n", tool, float64(n)/(1<<20), n)
		}
	}

	helloWall := med["hello-world Go process"][hello].Wall
	fmt.Fprintln(w, "\nRatios (cdflogin ÷ other; below 1 is cdflogin ahead):")
	for _, other := range []string{kubelogin, reference} {
		any := false
		for _, f := range r.Figures {
			a, okA := med[f.Name][cdflogin]
			o, okO := med[f.Name][other]
			if !okA || !okO || o.Wall == 0 {
				continue
			}
			any = true
			fmt.Fprintf(w, "  %-30s vs %-9s wall %.2f  CPU %.2f  peak RSS %.2f\n", f.Name, other, a.Wall/o.Wall, ratio(a.CPU, o.CPU), ratio(a.RSSMiB, o.RSSMiB))
		}
		if a, o := r.SizeBytes[cdflogin], r.SizeBytes[other]; any && o > 0 {
			fmt.Fprintf(w, "  %-30s vs %-9s %.2f\n", "stripped binary", other, float64(a)/float64(o))
		}
	}
	if helloWall > 0 {
		for _, tool := range []string{cdflogin, kubelogin, reference} {
			if s, ok := med["warm cached token"][tool]; ok {
				fmt.Fprintf(w, "  warm cached token, %-9s ÷ hello-world  %.2f\n", tool, s.Wall/helloWall)
			}
		}
	}

	fmt.Fprintln(w, "\nTargets (issue 18), against kubelogin:")
	k, ok := med["cold client-credential token"][kubelogin]
	if !ok {
		fmt.Fprintf(w, "  not judged: kubelogin %s\n", r.Kubelogin)
	} else {
		c := med["cold client-credential token"][cdflogin]
		check(w, "cold token wall ≤ 0.9× kubelogin", c.Wall/k.Wall, 0.9)
		check(w, "cold token CPU ≤ kubelogin", ratio(c.CPU, k.CPU), 1)
		check(w, "cold token peak RSS ≤ kubelogin", ratio(c.RSSMiB, k.RSSMiB), 1)
		check(w, "stripped binary ≤ kubelogin", float64(r.SizeBytes[cdflogin])/float64(r.SizeBytes[kubelogin]), 1)
	}
	if helloWall > 0 {
		check(w, "warm token ≤ 2.5× hello-world", med["warm cached token"][cdflogin].Wall/helloWall, 2.5)
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func check(w io.Writer, what string, got, limit float64) {
	mark := "met"
	if got > limit {
		mark = "MISSED"
	}
	fmt.Fprintf(w, "  %-36s %.2f (limit %.2f) %s\n", what, got, limit, mark)
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if exec.Command("git", "diff", "--quiet", "HEAD", "--", ".").Run() != nil {
		c += " (+ uncommitted changes)"
	}
	return c
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d cores, %s", runtime.NumCPU(), model)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

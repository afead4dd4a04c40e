// Command tokenbench measures `cdflogin token` as a script sees it: the
// wall time of the whole process on a warm cache (the token is cached and
// valid) and on a cold one (no cached token: a new app token, or a
// refresh), and how many HTTP requests the sandbox received for each run.
// A warm run must make none.
//
// It builds the cdflogin binary, runs `cdflogin sandbox --write-ca` as its
// own process, and talks to the sandbox only over HTTP (its admin API), as
// any other program would.
//
//	go run ./bench/tokenbench            # 20 runs per case
//	go run ./bench/tokenbench -runs 50 -json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/bench/internal/msalcache"
	"github.com/cognite-tools/cdflogin/bench/internal/release"
	"github.com/cognite-tools/cdflogin/bench/internal/sandboxrun"
)

// Result is one measured case.
type Result struct {
	Case        string    `json:"case"`
	Runs        int       `json:"runs"`
	MedianMS    float64   `json:"median_ms"`
	MinMS       float64   `json:"min_ms"`
	MaxMS       float64   `json:"max_ms"`
	Requests    []int     `json:"requests_per_run"` // HTTP requests the sandbox saw, per run
	RequestsMax int       `json:"requests_max"`
	Samples     []float64 `json:"samples_ms"`
}

func main() {
	runs := flag.Int("runs", 20, "runs per case (at least 10)")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	flag.Parse()
	if *runs < 10 {
		fmt.Fprintln(os.Stderr, "tokenbench: -runs must be at least 10")
		os.Exit(2)
	}
	if err := run(*runs, *asJSON, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "tokenbench:", err)
		os.Exit(1)
	}
}

func run(runs int, asJSON, keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "cdflogin-bench-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "tokenbench: files in", dir)
	}
	bin := filepath.Join(dir, "cdflogin")
	fmt.Fprintln(os.Stderr, "tokenbench: building cdflogin…")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Env = release.BuildEnv()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	sb, err := sandboxrun.Start(ctx, bin, dir)
	if err != nil {
		return err
	}
	defer sb.Stop()
	st := sb.Settings

	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(home, "profiles.yaml"), []byte(profilesYAML(st)), 0o600); err != nil {
		return err
	}
	env := append(os.Environ(), "CDFLOGIN_HOME="+home, "SSL_CERT_FILE="+sb.CAFile, "APP_SECRET="+sandboxrun.SecretAppSecret, "NO_COLOR=1")
	cdflogin := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		return c
	}

	// A user sign-in for the refresh case: device code approved over the
	// admin API.
	fmt.Fprintln(os.Stderr, "tokenbench: signing in the user profile (device code)…")
	if err := sb.DeviceLogin(ctx, cdflogin("login", "-p", "user", "--plain"), codeLine); err != nil {
		return err
	}

	logout := func() error {
		if b, err := cdflogin("logout", "-p", "app").CombinedOutput(); err != nil {
			return fmt.Errorf("logout: %v\n%s", err, b)
		}
		return nil
	}
	expire := func() error { return msalcache.ExpireAccessTokens(filepath.Join(home, "cache", "user.msal.json")) }
	cases := []struct {
		name   string
		before func() error // run before each measured run, not measured
		args   []string
	}{
		{"warm, app token (secret profile)", nil, []string{"token", "-p", "app"}},
		{"cold, app token: logout then token (client credentials)", logout, []string{"token", "-p", "app"}},
		{"warm, user token (device profile)", nil, []string{"token", "-p", "user"}},
		{"cold, user token: refresh (access token expired)", expire, []string{"token", "-p", "user"}},
	}
	// Warm the app cache once so that its warm case starts warm.
	if b, err := cdflogin("token", "-p", "app").CombinedOutput(); err != nil {
		return fmt.Errorf("first app token: %v\n%s", err, b)
	}
	var results []Result
	for _, c := range cases {
		r := Result{Case: c.name, Runs: runs}
		for i := 0; i < runs; i++ {
			if c.before != nil {
				if err := c.before(); err != nil {
					return err
				}
			}
			if err := sb.ResetRequests(ctx); err != nil {
				return err
			}
			cmd := cdflogin(c.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", strings.Join(c.args, " "), err, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "eyJ") {
				return fmt.Errorf("%s printed no token", strings.Join(c.args, " "))
			}
			n, err := sb.CountRequests(ctx)
			if err != nil {
				return err
			}
			r.Samples = append(r.Samples, float64(elapsed.Microseconds())/1000)
			r.Requests = append(r.Requests, n)
			r.RequestsMax = max(r.RequestsMax, n)
		}
		sorted := slices.Clone(r.Samples)
		slices.Sort(sorted)
		r.MinMS, r.MaxMS = sorted[0], sorted[len(sorted)-1]
		r.MedianMS = median(sorted)
		results = append(results, r)
	}

	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Printf("cdflogin token, %d runs per case, wall time of the whole process\n\n", runs)
	fmt.Printf("%-58s %9s %9s %9s %10s\n", "case", "median", "min", "max", "requests")
	for _, r := range results {
		fmt.Printf("%-58s %7.1fms %7.1fms %7.1fms %10s\n", r.Case, r.MedianMS, r.MinMS, r.MaxMS, requestsText(r.Requests))
	}
	for _, r := range results {
		if strings.HasPrefix(r.Case, "warm") && r.RequestsMax != 0 {
			return fmt.Errorf("%s: %d HTTP requests on a warm cache, want 0", r.Case, r.RequestsMax)
		}
	}
	return nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// requestsText is "0" when every run made the same number, else "min-max".
func requestsText(per []int) string {
	lo, hi := slices.Min(per), slices.Max(per)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func profilesYAML(st sandboxrun.Settings) string {
	client := map[string]string{"secret": st.ClientID("secret"), "device": st.ClientID("device")}
	common := fmt.Sprintf("    tenant: %s\n    cluster: westeurope-1\n    project: %s\n    authority: %s\n    cdf_url: %s\n",
		st.TenantID, st.Project, st.Authority, st.CDFURL)
	return "profiles:\n" +
		"  app:\n" + common + "    client_id: " + client["secret"] + "\n    flow: secret\n    client_secret: env:APP_SECRET\n" +
		"  user:\n" + common + "    client_id: " + client["device"] + "\n    flow: device\n"
}

var codeLine = regexp.MustCompile(`enter the code ([A-Z0-9-]+)`)

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
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cognite-tools/cdflogin/bench/internal/release"
)

// sandboxSettings is the part of `cdflogin sandbox`'s settings JSON used here.
type sandboxSettings struct {
	Authority string `json:"authority"`
	TenantID  string `json:"tenant_id"`
	CDFURL    string `json:"cdf_url"`
	Project   string `json:"project"`
	AdminURL  string `json:"admin_url"`
	Apps      []struct {
		Key      string `json:"key"`
		ClientID string `json:"client_id"`
	} `json:"apps"`
}

// secretAppSecret is the sandbox secret app's published test secret.
const secretAppSecret = "sandbox-secret~Q8x7.Fq2-local-only"

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

	caFile := filepath.Join(dir, "sandbox-ca.pem")
	sb := exec.CommandContext(ctx, bin, "sandbox", "--write-ca", caFile, "--device-interval", "1s")
	sb.Stderr = io.Discard
	out, err := sb.StdoutPipe()
	if err != nil {
		return err
	}
	if err := sb.Start(); err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer func() {
		_ = sb.Process.Signal(syscall.SIGINT)
		_ = sb.Wait()
	}()
	var st sandboxSettings
	if err := json.NewDecoder(bufio.NewReader(out)).Decode(&st); err != nil {
		return fmt.Errorf("read the sandbox settings: %w", err)
	}
	admin, err := adminClient(caFile)
	if err != nil {
		return err
	}

	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(home, "profiles.yaml"), []byte(profilesYAML(st)), 0o600); err != nil {
		return err
	}
	env := append(os.Environ(), "CDFLOGIN_HOME="+home, "SSL_CERT_FILE="+caFile, "APP_SECRET="+secretAppSecret, "NO_COLOR=1")
	cdflogin := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = env
		return c
	}

	// A user sign-in for the refresh case: device code approved over the
	// admin API.
	fmt.Fprintln(os.Stderr, "tokenbench: signing in the user profile (device code)…")
	if err := deviceLogin(ctx, cdflogin("login", "-p", "user", "--plain"), admin, st.AdminURL); err != nil {
		return err
	}

	cases := []struct {
		name   string
		before []string // run before each measured run, not measured
		args   []string
	}{
		{"warm, app token (secret profile)", nil, []string{"token", "-p", "app"}},
		{"cold, app token: logout then token (client credentials)", []string{"logout", "-p", "app"}, []string{"token", "-p", "app"}},
		{"warm, user token (device profile)", nil, []string{"token", "-p", "user"}},
		{"cold, user token: refresh (--min-valid 2h)", nil, []string{"token", "-p", "user", "--min-valid", "2h"}},
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
				if b, err := cdflogin(c.before...).CombinedOutput(); err != nil {
					return fmt.Errorf("%s: %v\n%s", strings.Join(c.before, " "), err, b)
				}
			}
			if err := resetRequests(ctx, admin, st.AdminURL); err != nil {
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
			n, err := countRequests(ctx, admin, st.AdminURL)
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

func profilesYAML(st sandboxSettings) string {
	client := map[string]string{}
	for _, a := range st.Apps {
		client[a.Key] = a.ClientID
	}
	common := fmt.Sprintf("    tenant: %s\n    cluster: westeurope-1\n    project: %s\n    authority: %s\n    cdf_url: %s\n",
		st.TenantID, st.Project, st.Authority, st.CDFURL)
	return "profiles:\n" +
		"  app:\n" + common + "    client_id: " + client["secret"] + "\n    flow: secret\n    client_secret: env:APP_SECRET\n" +
		"  user:\n" + common + "    client_id: " + client["device"] + "\n    flow: device\n"
}

func adminClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("the sandbox CA file holds no certificate")
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

func resetRequests(ctx context.Context, c *http.Client, adminURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, adminURL+"/requests", nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("reset the sandbox request log: %w", err)
	}
	resp.Body.Close()
	return nil
}

// countRequests is the number of Entra and CDF requests the sandbox logged
// (its admin API's own requests left out).
func countRequests(ctx context.Context, c *http.Client, adminURL string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, adminURL+"/requests", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("read the sandbox request log: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Requests []struct {
			Endpoint string `json:"endpoint"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, fmt.Errorf("read the sandbox request log: %w", err)
	}
	n := 0
	for _, r := range body.Requests {
		if r.Endpoint != "admin" && !strings.HasPrefix(r.Endpoint, "admin:") {
			n++
		}
	}
	return n, nil
}

var codeLine = regexp.MustCompile(`enter the code ([A-Z0-9-]+)`)

// deviceLogin runs a plain device-code login and approves its code as the
// sandbox's alice through the admin API.
func deviceLogin(ctx context.Context, cmd *exec.Cmd, c *http.Client, adminURL string) error {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var seen bytes.Buffer
	sc := bufio.NewScanner(stderr)
	approved := false
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if m := codeLine.FindStringSubmatch(sc.Text()); m != nil && !approved {
			body := fmt.Sprintf(`{"user_code":%q,"username":"alice@sandbox.onmicrosoft.com"}`, m[1])
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, adminURL+"/device/approve", strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				return fmt.Errorf("approve the device code: %w", err)
			}
			resp.Body.Close()
			approved = true
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("device-code login: %v\n%s", err, seen.String())
	}
	return nil
}

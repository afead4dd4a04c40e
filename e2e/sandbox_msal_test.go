package e2e_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// TestSandboxWithMSALInAnotherProcess is issue 2's "done when": the
// cdflogin binary runs `cdflogin sandbox --write-ca`, and a separate
// process that uses only MSAL Go (e2e/internal/msalprobe) completes client
// credentials (secret and certificate), device code approved on the
// verification page over HTTP, auth code + PKCE through the browser double
// and a refresh, trusting the CA through SSL_CERT_FILE.
func TestSandboxWithMSALInAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	cdflogin := filepath.Join(dir, "cdflogin")
	probe := filepath.Join(dir, "msalprobe")
	goBuild(t, cdflogin, "..")
	goBuild(t, probe, "./internal/msalprobe")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	caFile := filepath.Join(dir, "ca.pem")
	certFile := filepath.Join(dir, "cert.pem")
	sbCmd := exec.CommandContext(ctx, cdflogin, "sandbox", "--write-ca", caFile, "--write-cert", certFile,
		"--device-interval", "1s", "--token-lifetime", "2m")
	sbCmd.Env = append(os.Environ(), "CDFLOGIN_HOME="+filepath.Join(dir, "home"))
	sbCmd.Cancel = func() error { return sbCmd.Process.Signal(os.Interrupt) }
	sbCmd.WaitDelay = 5 * time.Second
	sbOut, err := sbCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var sbErr strings.Builder
	sbCmd.Stderr = &sbErr
	if err := sbCmd.Start(); err != nil {
		t.Fatalf("start cdflogin sandbox: %v", err)
	}
	t.Cleanup(func() {
		_ = sbCmd.Process.Signal(os.Interrupt)
		_ = sbCmd.Wait()
	})
	var settings sandbox.Settings
	if err := json.NewDecoder(sbOut).Decode(&settings); err != nil {
		t.Fatalf("read sandbox settings: %v (stderr: %s)", err, sbErr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, sbOut) }()
	if settings.CAFile != caFile {
		t.Errorf("settings ca_file = %q, want %q", settings.CAFile, caFile)
	}
	if info, err := os.Stat(certFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("certificate file: %v %v", info, err)
	}
	client := clientTrusting(t, caFile)

	appID := func(key string) string {
		for _, a := range settings.Apps {
			if a.Key == key {
				return a.ClientID
			}
		}
		t.Fatalf("settings lack app %q", key)
		return ""
	}
	pr := exec.CommandContext(ctx, probe,
		"-authority", settings.Authority, "-scope", settings.Scope,
		"-secret-app", appID(sandbox.AppSecret), "-cert-app", appID(sandbox.AppCertificate), "-cert-file", certFile,
		"-device-app", appID(sandbox.AppDevice), "-browser-app", appID(sandbox.AppBrowser))
	pr.Env = append(os.Environ(), "SSL_CERT_FILE="+caFile, "SSL_CERT_DIR="+filepath.Join(dir, "no-such-dir"),
		"MSALPROBE_SECRET="+sandbox.SecretAppSecret)
	prOut, err := pr.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var prErr strings.Builder
	pr.Stderr = &prErr
	if err := pr.Start(); err != nil {
		t.Fatalf("start msalprobe: %v", err)
	}
	done := map[string]string{}
	sc := bufio.NewScanner(prOut)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "DEVICE":
			if len(f) != 3 {
				t.Fatalf("probe: %q", sc.Text())
			}
			if err := sandbox.ApproveDeviceCodeHTTP(ctx, client, f[1], f[2], sandbox.AliceUsername); err != nil {
				t.Errorf("approve device code on the page: %v", err)
			}
		case "AUTHORIZE":
			status, err := sandbox.SignInAs(ctx, client, f[1], sandbox.AliceUsername)
			if err != nil || status != http.StatusOK {
				t.Errorf("sign in through the browser double: status %d, %v", status, err)
			}
		case "OK":
			who := ""
			if len(f) > 2 {
				who = f[2]
			}
			done[f[1]] = who
		default:
			t.Errorf("probe said %q", sc.Text())
		}
	}
	if err := pr.Wait(); err != nil {
		t.Fatalf("msalprobe: %v\nstderr: %s\nsandbox stderr: %s", err, prErr.String(), sbErr.String())
	}
	want := map[string]string{
		"secret":      appID(sandbox.AppSecret),
		"certificate": appID(sandbox.AppCertificate),
		"device":      sandbox.AliceUsername,
		"interactive": sandbox.AliceUsername,
		"refresh":     sandbox.AliceUsername,
	}
	for step, who := range want {
		if done[step] != who {
			t.Errorf("step %s: got %q, want %q", step, done[step], who)
		}
	}

	// The sandbox's own account of what happened, through the admin API.
	var log struct {
		Counts map[string]int `json:"counts"`
	}
	getJSON(t, client, settings.AdminURL+"/requests", &log)
	for key, min := range map[string]int{
		"discovery": 1, "devicecode": 1, "authorize": 1, "login": 1, "devicelogin": 3,
		"token:client_credentials": 2, "token:device_code": 1, "token:authorization_code": 1, "token:refresh_token": 1,
	} {
		if log.Counts[key] < min {
			t.Errorf("sandbox counted %s = %d, want ≥ %d (all: %v)", key, log.Counts[key], min, log.Counts)
		}
	}
}

func goBuild(t *testing.T, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

func clientTrusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

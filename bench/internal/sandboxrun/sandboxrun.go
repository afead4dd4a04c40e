// Package sandboxrun runs `cdflogin sandbox` as its own process for the
// benchmarks and talks to it over HTTP only (its admin API), as any other
// program would.
package sandboxrun

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// SecretAppSecret is the sandbox secret app's published test secret.
const SecretAppSecret = "sandbox-secret~Q8x7.Fq2-local-only"

// Settings is the part of `cdflogin sandbox`'s settings JSON used here.
type Settings struct {
	Authority string `json:"authority"`
	Issuer    string `json:"issuer"`
	TenantID  string `json:"tenant_id"`
	CDFURL    string `json:"cdf_url"`
	Scope     string `json:"scope"`
	Project   string `json:"project"`
	AdminURL  string `json:"admin_url"`
	Apps      []struct {
		Key      string `json:"key"`
		ClientID string `json:"client_id"`
	} `json:"apps"`
}

// ClientID is the client ID of the sandbox app with the given key
// (browser, device, secret, certificate, …), or "".
func (s Settings) ClientID(key string) string {
	for _, a := range s.Apps {
		if a.Key == key {
			return a.ClientID
		}
	}
	return ""
}

// Sandbox is a running `cdflogin sandbox` process.
type Sandbox struct {
	Settings
	// CAFile is the sandbox CA certificate (PEM).
	CAFile string
	admin  *http.Client
	cmd    *exec.Cmd
}

// Start runs bin's sandbox with its CA written into dir, and waits for its
// settings.
func Start(ctx context.Context, bin, dir string) (*Sandbox, error) {
	caFile := filepath.Join(dir, "sandbox-ca.pem")
	cmd := exec.CommandContext(ctx, bin, "sandbox", "--write-ca", caFile, "--device-interval", "1s")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the sandbox: %w", err)
	}
	s := &Sandbox{CAFile: caFile, cmd: cmd}
	if err := json.NewDecoder(bufio.NewReader(out)).Decode(&s.Settings); err != nil {
		s.Stop()
		return nil, fmt.Errorf("read the sandbox settings: %w", err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		s.Stop()
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		s.Stop()
		return nil, errors.New("the sandbox CA file holds no certificate")
	}
	s.admin = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return s, nil
}

// Stop interrupts the sandbox and waits for it to end.
func (s *Sandbox) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	_ = s.cmd.Wait()
}

// ResetRequests clears the sandbox's request log.
func (s *Sandbox) ResetRequests(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.AdminURL+"/requests", nil)
	if err != nil {
		return err
	}
	resp, err := s.admin.Do(req)
	if err != nil {
		return fmt.Errorf("reset the sandbox request log: %w", err)
	}
	resp.Body.Close()
	return nil
}

// CountRequests is the number of Entra and CDF requests the sandbox logged
// since the last reset (its admin API's own requests left out).
func (s *Sandbox) CountRequests(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.AdminURL+"/requests", nil)
	if err != nil {
		return 0, err
	}
	resp, err := s.admin.Do(req)
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

// DeviceLogin runs cmd, a device-code sign-in that names its user code on
// stderr (code matches it, with the code as its first group), and approves
// the code as the sandbox's alice through the admin API.
func (s *Sandbox) DeviceLogin(ctx context.Context, cmd *exec.Cmd, code *regexp.Regexp) error {
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
		if m := code.FindStringSubmatch(sc.Text()); m != nil && !approved {
			body := fmt.Sprintf(`{"user_code":%q,"username":"alice@sandbox.onmicrosoft.com"}`, m[1])
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.AdminURL+"/device/approve", strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := s.admin.Do(req)
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

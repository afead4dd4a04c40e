package sandbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	sandboxcmd "github.com/cognite-tools/cdflogin/command/sandbox"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// syncBuffer is a bytes.Buffer safe to read while Run writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	ready := make(chan sandbox.Settings, 1)
	opts := &sandboxcmd.Options{
		IO:             &cmdutil.IOStreams{Out: out, ErrOut: errOut},
		Addr:           "127.0.0.1:0",
		CDFAddr:        "127.0.0.1:0",
		WriteCA:        filepath.Join(dir, "ca.pem"),
		WriteCert:      filepath.Join(dir, "cert.pem"),
		WriteSettings:  filepath.Join(dir, "settings.json"),
		DeviceInterval: time.Second,
		TokenLifetime:  time.Hour,
		Ready:          func(s sandbox.Settings) { ready <- s },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sandboxcmd.Run(ctx, opts) }()
	var st sandbox.Settings
	select {
	case st = <-ready:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	}

	var printed sandbox.Settings
	if err := json.Unmarshal([]byte(out.String()), &printed); err != nil {
		t.Fatalf("stdout is not the settings JSON: %v\n%s", err, out.String())
	}
	if printed.Authority != st.Authority || printed.CAFile != opts.WriteCA || printed.DeviceInterval != "1s" {
		t.Errorf("printed settings: %+v", printed)
	}
	if b, err := os.ReadFile(opts.WriteSettings); err != nil || string(b) != out.String() {
		t.Errorf("settings file: %v\n%s", err, b)
	}
	if !strings.Contains(errOut.String(), "Sandbox running") {
		t.Errorf("stderr: %q", errOut.String())
	}
	if info, err := os.Stat(opts.WriteCert); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("cert file: %v %v", info, err)
	}

	// The written CA is what lets another client in.
	pem, err := os.ReadFile(opts.WriteCA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA file holds no certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := c.Get(st.Authority + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("discovery with the written CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("discovery: %s", resp.Status)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := c.Get(st.Authority + "/v2.0/.well-known/openid-configuration"); err == nil {
		t.Error("sandbox still serving after the context ended")
	}
}

func TestRunUsageErrors(t *testing.T) {
	for name, opts := range map[string]*sandboxcmd.Options{
		"interval":  {DeviceInterval: 0, TokenLifetime: time.Hour},
		"lifetime":  {DeviceInterval: time.Second, TokenLifetime: -time.Second},
		"bad addr":  {DeviceInterval: time.Second, TokenLifetime: time.Hour, Addr: "256.1.1.1:99999"},
		"ca in dir": {DeviceInterval: time.Second, TokenLifetime: time.Hour, WriteCA: filepath.Join(t.TempDir(), "missing", "ca.pem")},
	} {
		t.Run(name, func(t *testing.T) {
			opts.IO = &cmdutil.IOStreams{Out: &syncBuffer{}, ErrOut: &syncBuffer{}}
			if opts.Addr == "" {
				opts.Addr = "127.0.0.1:0"
			}
			opts.CDFAddr = "127.0.0.1:0"
			err := sandboxcmd.Run(context.Background(), opts)
			if err == nil {
				t.Fatal("no error")
			}
			if (name == "interval" || name == "lifetime") && cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Errorf("exit code %d", cmdutil.ExitCode(err))
			}
		})
	}
}

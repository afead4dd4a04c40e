package flows

import (
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

type customRT struct{}

func (customRT) RoundTrip(*http.Request) (*http.Response, error) { return nil, http.ErrNotSupported }

func TestHTTPClient(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		base    *http.Client
		caFile  string
		wantErr string
		reach   bool // the TLS test server is trusted
	}{
		{name: "default client, no CA", reach: false},
		{name: "default client + ca_file", caFile: caFile, reach: true},
		{name: "injected client keeps its roots", base: srv.Client(), reach: true},
		{name: "injected client + ca_file", base: srv.Client(), caFile: caFile, reach: true},
		{name: "ca_file missing", caFile: filepath.Join(dir, "nope.pem"), wantErr: "read ca_file"},
		{name: "ca_file not PEM", caFile: notPEM, wantErr: "no PEM certificate"},
		{name: "custom transport + ca_file", base: &http.Client{Transport: customRT{}}, caFile: caFile, wantErr: "custom HTTP transport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *tls.Config
			if tt.base != nil {
				if tr, ok := tt.base.Transport.(*http.Transport); ok {
					before = tr.TLSClientConfig
				}
			}
			c, err := HTTPClient(tt.base, profiles.Profile{Name: "p", CAFile: tt.caFile})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range transportsOf(t, c) {
				if tr.Proxy == nil {
					t.Error("HTTPS_PROXY is not honoured (Proxy is nil)")
				}
				if tt.base != nil {
					if orig, ok := tt.base.Transport.(*http.Transport); ok && (orig == tr || orig.TLSClientConfig != before) {
						t.Error("the injected client's transport was modified")
					}
				}
			}
			resp, err := c.Get(srv.URL)
			if tt.reach {
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				resp.Body.Close()
			} else if err == nil {
				resp.Body.Close()
				t.Fatal("an untrusted server was reached")
			}
		})
	}
}

// transportsOf returns the *http.Transports c sends requests through: its
// transport, or both of a rootsTransport (the full one built).
func transportsOf(t *testing.T, c *http.Client) []*http.Transport {
	t.Helper()
	switch tr := c.Transport.(type) {
	case *http.Transport:
		return []*http.Transport{tr}
	case *rootsTransport:
		return []*http.Transport{tr.first, tr.full()}
	default:
		t.Fatalf("transport %T", c.Transport)
		return nil
	}
}

// tracingRT stands for httplog.Transport: it decorates another transport
// and counts the requests it sees.
type tracingRT struct {
	base  http.RoundTripper
	count *int
}

func (t tracingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	*t.count++
	return t.base.RoundTrip(r)
}
func (t tracingRT) Unwrap() http.RoundTripper { return t.base }
func (t tracingRT) Rewrap(b http.RoundTripper) http.RoundTripper {
	return tracingRT{base: b, count: t.count}
}

// A --verbose trace around the transport must not stop ca_file from
// applying, and the trace must still see the requests.
func TestHTTPClientThroughTracingTransport(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	var seen int
	base := &http.Client{Transport: tracingRT{base: http.DefaultTransport, count: &seen}}
	c, err := HTTPClient(base, profiles.Profile{Name: "p", CAFile: caFile})
	if err != nil {
		t.Fatalf("HTTPClient: %v", err)
	}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET with ca_file through the trace: %v", err)
	}
	resp.Body.Close()
	if seen != 1 {
		t.Errorf("the trace saw %d requests, want 1", seen)
	}
}

// A server that never answers must not hang cdflogin: every client from
// HTTPClient has a bound, also when the base is a bare tracing client
// (--verbose, --debug-log) with Timeout 0; a base's own bound is kept.
func TestHTTPClientTimeout(t *testing.T) {
	var n int
	tests := []struct {
		name string
		base *http.Client
		want time.Duration
	}{
		{name: "no base", base: nil, want: DefaultHTTPTimeout},
		{name: "base without timeout", base: &http.Client{}, want: DefaultHTTPTimeout},
		{name: "tracing base without timeout", base: &http.Client{Transport: tracingRT{base: http.DefaultTransport, count: &n}}, want: DefaultHTTPTimeout},
		{name: "custom transport without timeout", base: &http.Client{Transport: customRT{}}, want: DefaultHTTPTimeout},
		{name: "base with its own timeout", base: &http.Client{Timeout: 5 * time.Second}, want: 5 * time.Second},
		{name: "tracing base with its own timeout", base: &http.Client{Timeout: 7 * time.Second, Transport: tracingRT{base: http.DefaultTransport, count: &n}}, want: 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before time.Duration
			if tt.base != nil {
				before = tt.base.Timeout
			}
			c, err := HTTPClient(tt.base, profiles.Profile{Name: "p"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Timeout != tt.want {
				t.Errorf("Timeout = %v, want %v", c.Timeout, tt.want)
			}
			if tt.base != nil && tt.base.Timeout != before {
				t.Errorf("the base client was modified: Timeout %v → %v", before, tt.base.Timeout)
			}
		})
	}
}

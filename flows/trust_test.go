package flows

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// otherCA is a self-signed CA certificate (PEM) that signed nothing the
// tests' servers present.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: "another CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// quietTLSServer is httptest.NewTLSServer without the log line of each
// handshake a test makes fail on purpose.
func quietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func serverPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// fakeTrust is a trustEnv over a map of files and variables.
func fakeTrust(goos string, vars map[string]string, files map[string][]byte, certFiles ...string) trustEnv {
	return trustEnv{
		goos:   goos,
		getenv: func(k string) string { return vars[k] },
		readFile: func(name string) ([]byte, error) {
			if b, ok := files[name]; ok {
				return b, nil
			}
			return nil, os.ErrNotExist
		},
		certFiles: certFiles,
	}
}

// The first roots are the ones named explicitly, else the first bundle
// file Go would read; nothing (Go's own roots, as before) elsewhere than
// Linux or when nothing could be read.
func TestFirstRoots(t *testing.T) {
	srv := quietTLSServer(http.NotFoundHandler())
	defer srv.Close()
	serverCert := srv.Certificate()
	a, b := serverPEM(srv), otherCA(t)
	files := map[string][]byte{"/a.pem": a, "/b.pem": b, "/junk": []byte("no PEM here")}
	tests := []struct {
		name     string
		env      trustEnv
		caPEM    []byte
		want     bool // a pool is returned
		verifies bool // it verifies the test server's certificate
	}{
		{"not Linux, even with SSL_CERT_FILE", fakeTrust("darwin", map[string]string{"SSL_CERT_FILE": "/a.pem"}, files, "/a.pem"), nil, false, false},
		{"not Linux, even with a ca_file", fakeTrust("windows", nil, files), a, false, false},
		{"SSL_CERT_FILE", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": "/a.pem"}, files, "/b.pem"), nil, true, true},
		{"SSL_CERT_FILE of another CA: the bundle is not added", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": "/b.pem"}, files, "/a.pem"), nil, true, false},
		{"SSL_CERT_FILE missing: Go reads no bundle either", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": "/nope"}, files, "/a.pem"), nil, false, false},
		{"SSL_CERT_FILE without a certificate", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": "/junk"}, files, "/a.pem"), nil, false, false},
		{"ca_file alone, no bundle", fakeTrust("linux", nil, files, "/b.pem"), a, true, true},
		{"ca_file and SSL_CERT_FILE", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": "/b.pem"}, files), a, true, true},
		{"the first bundle file found", fakeTrust("linux", nil, files, "/nope", "/a.pem", "/b.pem"), nil, true, true},
		{"only the first bundle file found", fakeTrust("linux", nil, files, "/b.pem", "/a.pem"), nil, true, false},
		{"no bundle file", fakeTrust("linux", nil, files, "/nope"), nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := tt.env.firstRoots(tt.caPEM)
			if (pool != nil) != tt.want {
				t.Fatalf("pool = %v, want one: %v", pool, tt.want)
			}
			if pool == nil {
				return
			}
			_, err := serverCert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"})
			if (err == nil) != tt.verifies {
				t.Errorf("verify: %v, want success %v", err, tt.verifies)
			}
		})
	}
}

// countingTransport is a transport trusting roots that counts its dials.
func countingTransport(roots *x509.CertPool, dials *atomic.Int32) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	d := &net.Dialer{}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	return tr
}

func poolOf(t *testing.T, pemData []byte) *x509.CertPool {
	t.Helper()
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pemData) {
		t.Fatal("no certificate")
	}
	return p
}

// A host the first roots cannot verify is asked again with the full roots:
// the request (with its body) reaches the server once, and the host's
// later requests go straight to the full roots. A host the first roots
// verify never builds the full ones.
func TestRootsTransportFallsBack(t *testing.T) {
	var bodies []string
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	var firstDials, fullDials atomic.Int32
	fullBuilt := 0
	rt := newRootsTransport(countingTransport(poolOf(t, otherCA(t)), &firstDials), func() *http.Transport {
		fullBuilt++
		return countingTransport(poolOf(t, serverPEM(srv)), &fullDials)
	})
	defer rt.CloseIdleConnections()
	c := &http.Client{Transport: rt}
	for i, body := range []string{"grant_type=client_credentials", "second"} {
		resp, err := c.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if got := strings.Join(bodies, "|"); got != "grant_type=client_credentials|second" {
		t.Errorf("the server received %q, want each body once", got)
	}
	if n := firstDials.Load(); n != 1 {
		t.Errorf("first roots dialled %d times, want 1 (later requests go to the full roots)", n)
	}
	if fullBuilt != 1 || fullDials.Load() != 1 {
		t.Errorf("full roots built %d times, dialled %d times; want 1 and 1 (one kept-alive connection)", fullBuilt, fullDials.Load())
	}

	// The first roots verify: the full ones are never built.
	var d1, d2 atomic.Int32
	built := false
	rt2 := newRootsTransport(countingTransport(poolOf(t, serverPEM(srv)), &d1), func() *http.Transport {
		built = true
		return countingTransport(nil, &d2)
	})
	defer rt2.CloseIdleConnections()
	resp, err := (&http.Client{Transport: rt2}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if built {
		t.Error("the full roots were built although the first ones verified the server")
	}
}

// When neither set verifies the server, the error is the one the full
// roots give, exactly as without the first set.
func TestRootsTransportErrorIsTheFullOne(t *testing.T) {
	srv := quietTLSServer(http.NotFoundHandler())
	defer srv.Close()
	var n atomic.Int32
	full := func() *http.Transport { return countingTransport(poolOf(t, otherCA(t)), &n) }
	_, want := (&http.Client{Transport: full()}).Get(srv.URL)
	rt := newRootsTransport(countingTransport(poolOf(t, otherCA(t)), &n), full)
	_, err := (&http.Client{Transport: rt}).Get(srv.URL)
	var verr *tls.CertificateVerificationError
	if err == nil || !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a certificate verification error", err)
	}
	if err.Error() != want.Error() {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// A body that cannot be sent again goes to the full roots at once.
func TestRootsTransportUnrewindableBody(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	var firstDials, fullDials atomic.Int32
	rt := newRootsTransport(countingTransport(poolOf(t, serverPEM(srv)), &firstDials), func() *http.Transport {
		return countingTransport(poolOf(t, serverPEM(srv)), &fullDials)
	})
	defer rt.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, srv.URL, io.MultiReader(strings.NewReader("once")))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "once" || firstDials.Load() != 0 || fullDials.Load() != 1 {
		t.Errorf("answer %q, first dials %d, full dials %d; want %q, 0, 1", b, firstDials.Load(), fullDials.Load(), "once")
	}
}

// HTTPClient on Linux: SSL_CERT_FILE or a ca_file naming the server's CA
// is enough, and the system roots are not needed for it.
func TestHTTPClientFirstRoots(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, serverPEM(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{caFile: serverPEM(srv)}
	tests := []struct {
		name   string
		env    trustEnv
		caFile string
	}{
		{"SSL_CERT_FILE", fakeTrust("linux", map[string]string{"SSL_CERT_FILE": caFile}, files), ""},
		{"ca_file", fakeTrust("linux", nil, files), caFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := httpClient(nil, profiles.Profile{Name: "p", CAFile: tt.caFile}, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			rt, ok := c.Transport.(*rootsTransport)
			if !ok {
				t.Fatalf("transport %T, want the first roots tried first", c.Transport)
			}
			defer rt.CloseIdleConnections()
			if rt.first.Proxy == nil || !rt.first.ForceAttemptHTTP2 {
				t.Error("the first transport lost HTTPS_PROXY or HTTP/2")
			}
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if rt.fullUsed {
				t.Error("the full roots were used although the first ones verify the server")
			}
		})
	}
}

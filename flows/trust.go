package flows

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"runtime"
	"sync"
)

// On Linux, Go's system roots are every certificate in SSL_CERT_FILE (or
// the first bundle file found) plus every file of the certificate
// directories (/etc/ssl/certs: about 140 files, most of them the bundle's
// certificates again). Parsing them is most of the CPU time and memory of
// a new token: a cold `cdflogin token` against a tenant on 127.0.0.1
// spent 80 % of its instructions there (docs/performance.md).
//
// So the flows verify a server first against the roots named explicitly
// (a profile's ca_file and SSL_CERT_FILE), or when there are none, against
// the one bundle file Go reads first; only for a host whose chain those do
// not verify is the full set loaded, and the request made again with it.
// What is trusted does not change: a chain that verifies against a part of
// the roots verifies against all of them, and when the part fails, the
// answer (success or the error) is the one the full set gives, as before.
// No request is sent twice: a failed verification ends the connection
// before any of the request is written.

// linuxCertFiles are the bundle files Go's crypto/x509 tries on Linux, in
// its order (crypto/x509/root_linux.go).
var linuxCertFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo etc.
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine Linux
}

// trustEnv is what decides the first roots: the operating system, the
// environment and the files. systemTrust is the real one.
type trustEnv struct {
	goos      string
	getenv    func(string) string
	readFile  func(string) ([]byte, error)
	certFiles []string
}

var systemTrust = trustEnv{goos: runtime.GOOS, getenv: os.Getenv, readFile: os.ReadFile, certFiles: linuxCertFiles}

// firstRoots returns the roots to try first, with caPEM (a profile's
// ca_file, may be nil) among them, or nil when there is no cheaper set
// than Go's full one (not Linux, or nothing could be read).
func (e trustEnv) firstRoots(caPEM []byte) *x509.CertPool {
	if e.goos != "linux" {
		return nil
	}
	pool := x509.NewCertPool()
	n := 0
	if caPEM != nil && pool.AppendCertsFromPEM(caPEM) {
		n++
	}
	if f := e.getenv("SSL_CERT_FILE"); f != "" {
		if data, err := e.readFile(f); err == nil && pool.AppendCertsFromPEM(data) {
			n++
		}
	} else if caPEM == nil {
		for _, f := range e.certFiles {
			if data, err := e.readFile(f); err == nil {
				if pool.AppendCertsFromPEM(data) {
					n++
				}
				break
			}
		}
	}
	if n == 0 {
		return nil
	}
	return pool
}

// attemptsHTTP2 reports whether tr would try HTTP/2, so that a copy with
// a TLS configuration of its own (which turns the automatic HTTP/2 off)
// can keep doing what tr does (net/http, Transport.onceSetNextProtoDefaults).
func attemptsHTTP2(tr *http.Transport) bool {
	//lint:ignore SA1019 tr.Dial and tr.DialTLS are read only to mirror net/http's own rule.
	return tr.ForceAttemptHTTP2 || (tr.TLSClientConfig == nil && tr.Dial == nil && tr.DialContext == nil && tr.DialTLS == nil && tr.DialTLSContext == nil)
}

// rootsTransport sends a request through first (trusting the first roots)
// unless its host needs full (trusting what Go and the profile's ca_file
// trust together, built on first use): a host whose certificate first
// could not verify, and every request whose body cannot be sent again.
type rootsTransport struct {
	first *http.Transport
	full  func() *http.Transport

	mu        sync.Mutex
	fullHosts map[string]bool
	fullUsed  bool
}

func newRootsTransport(first *http.Transport, full func() *http.Transport) *rootsTransport {
	return &rootsTransport{first: first, full: sync.OnceValue(full), fullHosts: map[string]bool{}}
}

// RoundTrip does req with first, and again with full when first could not
// verify the server's certificate.
func (t *rootsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	t.mu.Lock()
	useFull := !rewindable || t.fullHosts[req.URL.Host]
	t.mu.Unlock()
	if useFull {
		return t.fullTransport().RoundTrip(req)
	}
	resp, err := t.first.RoundTrip(req)
	var verr *tls.CertificateVerificationError
	if err == nil || !errors.As(err, &verr) {
		return resp, err
	}
	t.mu.Lock()
	t.fullHosts[req.URL.Host] = true
	t.mu.Unlock()
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		body, berr := req.GetBody()
		if berr != nil {
			return nil, err
		}
		again.Body = body
	}
	return t.fullTransport().RoundTrip(again)
}

func (t *rootsTransport) fullTransport() *http.Transport {
	t.mu.Lock()
	t.fullUsed = true
	t.mu.Unlock()
	return t.full()
}

// CloseIdleConnections closes the idle connections of both transports.
func (t *rootsTransport) CloseIdleConnections() {
	t.first.CloseIdleConnections()
	t.mu.Lock()
	used := t.fullUsed
	t.mu.Unlock()
	if used {
		t.full().CloseIdleConnections()
	}
}

package flows

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// DefaultHTTPTimeout bounds one request (connection, headers and body)
// of a client from HTTPClient whose base sets no timeout of its own.
const DefaultHTTPTimeout = 60 * time.Second

// HTTPClient returns the client the flows use for a profile: base (or a
// default client) with the profile's ca_file added to the trusted roots
// and HTTPS_PROXY/NO_PROXY honoured. When base is nil or its Timeout is
// zero (no limit, as for a bare tracing client under --verbose), the
// result gets DefaultHTTPTimeout, so that a server that never answers
// cannot hang cdflogin; a positive base Timeout is kept. base itself is
// never modified.
func HTTPClient(base *http.Client, p profiles.Profile) (*http.Client, error) {
	return httpClient(base, p, systemTrust)
}

func httpClient(base *http.Client, p profiles.Profile, env trustEnv) (*http.Client, error) {
	if base == nil {
		base = &http.Client{}
	}
	if base.Timeout == 0 {
		withTimeout := *base
		withTimeout.Timeout = DefaultHTTPTimeout
		base = &withTimeout
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if w, ok := rt.(wrappingTransport); ok {
		// A tracing (or other decorating) transport: apply the profile to
		// the transport it wraps, then wrap the result again, so that
		// --verbose and ca_file work together.
		inner := *base
		inner.Transport = w.Unwrap()
		c, err := httpClient(&inner, p, env)
		if err != nil {
			return nil, err
		}
		c.Transport = w.Rewrap(c.Transport)
		return c, nil
	}
	tr, ok := rt.(*http.Transport)
	if !ok {
		if p.CAFile != "" {
			return nil, fmt.Errorf("profile %q: ca_file cannot be applied to a custom HTTP transport (%T)", p.Name, rt)
		}
		return base, nil
	}
	tr = tr.Clone()
	if tr.Proxy == nil {
		tr.Proxy = http.ProxyFromEnvironment
	}
	var caPEM []byte
	if p.CAFile != "" {
		pem, err := profiles.ReadFileRef("ca_file", p.CAFile)
		if err != nil {
			return nil, fmt.Errorf("profile %q: read ca_file: %w", p.Name, err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("profile %q: ca_file %s holds no PEM certificate", p.Name, p.CAFile)
		}
		caPEM = pem
	}
	c := *base
	ownRoots := tr.TLSClientConfig != nil && tr.TLSClientConfig.RootCAs != nil
	var first *x509.CertPool
	if !ownRoots {
		first = env.firstRoots(caPEM)
	}
	if first == nil {
		c.Transport = withCA(tr, caPEM)
		return &c, nil
	}
	// The full roots are what this transport trusted before: Go's system
	// roots, plus the ca_file. They are loaded only if first fails a host.
	fast := tr.Clone()
	fast.ForceAttemptHTTP2 = attemptsHTTP2(withCAConfig(tr, caPEM != nil))
	fast.TLSClientConfig = tlsConfigOf(tr)
	fast.TLSClientConfig.RootCAs = first
	c.Transport = newRootsTransport(fast, func() *http.Transport { return withCA(tr, caPEM) })
	return &c, nil
}

// withCA returns tr trusting caPEM besides its roots (its own, or else Go's
// system roots); tr itself when caPEM is nil.
func withCA(tr *http.Transport, caPEM []byte) *http.Transport {
	if caPEM == nil {
		return tr
	}
	tr = tr.Clone()
	var pool *x509.CertPool
	if tr.TLSClientConfig != nil && tr.TLSClientConfig.RootCAs != nil {
		pool = tr.TLSClientConfig.RootCAs.Clone()
	} else if sys, err := x509.SystemCertPool(); err == nil {
		pool = sys
	} else {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(caPEM)
	tr.TLSClientConfig = tlsConfigOf(tr)
	tr.TLSClientConfig.RootCAs = pool
	return tr
}

// withCAConfig is tr as withCA leaves its TLS configuration (set or not),
// without loading any roots: for attemptsHTTP2.
func withCAConfig(tr *http.Transport, ca bool) *http.Transport {
	if !ca || tr.TLSClientConfig != nil {
		return tr
	}
	c := tr.Clone()
	c.TLSClientConfig = newTLSConfig()
	return c
}

// tlsConfigOf is a copy of tr's TLS configuration to change, or a new one.
func tlsConfigOf(tr *http.Transport) *tls.Config {
	if tr.TLSClientConfig == nil {
		return newTLSConfig()
	}
	return tr.TLSClientConfig.Clone()
}

// wrappingTransport is a RoundTripper that decorates another one and can
// be rebuilt around a different base (httplog.Transport is one).
type wrappingTransport interface {
	http.RoundTripper
	Unwrap() http.RoundTripper
	Rewrap(base http.RoundTripper) http.RoundTripper
}

var errNoSecretResolver = errors.New("no secret resolver configured")

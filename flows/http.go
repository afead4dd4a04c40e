package flows

import (
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
		c, err := HTTPClient(&inner, p)
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
	if p.CAFile != "" {
		pem, err := profiles.ReadFileRef("ca_file", p.CAFile)
		if err != nil {
			return nil, fmt.Errorf("profile %q: read ca_file: %w", p.Name, err)
		}
		var pool *x509.CertPool
		if tr.TLSClientConfig != nil && tr.TLSClientConfig.RootCAs != nil {
			pool = tr.TLSClientConfig.RootCAs.Clone()
		} else if sys, err := x509.SystemCertPool(); err == nil {
			pool = sys
		} else {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("profile %q: ca_file %s holds no PEM certificate", p.Name, p.CAFile)
		}
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = newTLSConfig()
		} else {
			tr.TLSClientConfig = tr.TLSClientConfig.Clone()
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	c := *base
	c.Transport = tr
	return &c, nil
}

// wrappingTransport is a RoundTripper that decorates another one and can
// be rebuilt around a different base (httplog.Transport is one).
type wrappingTransport interface {
	http.RoundTripper
	Unwrap() http.RoundTripper
	Rewrap(base http.RoundTripper) http.RoundTripper
}

var errNoSecretResolver = errors.New("no secret resolver configured")

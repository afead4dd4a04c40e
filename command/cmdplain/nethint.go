package cmdplain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// NetProblem is the kind of failure to talk to Entra ID or CDF.
type NetProblem string

// The kinds of network failure NetworkHint tells apart.
const (
	NetNone        NetProblem = ""
	NetUnknownCA   NetProblem = "unknown-ca"    // x509: certificate signed by unknown authority
	NetCertificate NetProblem = "certificate"   // other x509 problems: wrong host, expired, not yet valid
	NetTLS         NetProblem = "tls"           // TLS handshake failed
	NetDNS         NetProblem = "dns"           // host name not found
	NetRefused     NetProblem = "refused"       // nothing listens there
	NetTimeout     NetProblem = "timeout"       // no answer in time
	NetReset       NetProblem = "reset"         // connection cut (reset, EOF)
	NetUnavailable NetProblem = "unavailable"   // Entra answered 5xx/429
	NetOther       NetProblem = "other-network" // flows.ErrNetwork with no finer cause
)

// ClassifyNetwork says which kind of network failure err is, from the
// typed errors in its chain and, because MSAL flattens some transport
// errors into text, from Go's well-known messages.
func ClassifyNetwork(err error) NetProblem {
	if err == nil {
		return NetNone
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	var recordErr tls.RecordHeaderError
	var dns *net.DNSError
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	// Go's messages are only trusted on errors known to come from the
	// network, so that, say, "read cache: unexpected EOF" is not called a
	// cut connection.
	network := errors.Is(err, flows.ErrNetwork) || errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &ne)
	msg := err.Error()
	has := func(s ...string) bool {
		if !network {
			return false
		}
		for _, x := range s {
			if strings.Contains(msg, x) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.As(err, &unknownCA) || has("x509: certificate signed by unknown authority"):
		return NetUnknownCA
	case errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verify) || has("x509:", "tls: failed to verify certificate"):
		return NetCertificate
	case errors.As(err, &alert) || errors.As(err, &recordErr) || has("tls: ", "remote error: tls"):
		return NetTLS
	case errors.As(err, &dns) || has("no such host", "server misbehaving"):
		return NetDNS
	case errors.Is(err, syscall.ECONNREFUSED) || has("connection refused"):
		return NetRefused
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) ||
		has("i/o timeout", "Client.Timeout exceeded", "deadline exceeded", "TLS handshake timeout"):
		return NetTimeout
	case errors.Is(err, syscall.ECONNRESET) || has("connection reset", "EOF", "broken pipe"):
		return NetReset
	case has("HTTP 5", "HTTP 429"):
		return NetUnavailable
	case errors.Is(err, flows.ErrNetwork):
		return NetOther
	}
	return NetNone
}

// NetworkHint is the advice for a failure to reach Entra ID or CDF for
// profile p: what to check for a certificate the machine does not trust
// (the profile's ca_file, SSL_CERT_FILE, a TLS-inspecting proxy,
// HTTPS_PROXY), a name that does not resolve, a refused connection, a
// timeout or a cut connection. "" when err is none of these.
func NetworkHint(err error, p profiles.Profile) string {
	caFile := fmt.Sprintf("the profile's ca_file (profiles.yaml: profiles.%s.ca_file)", orName(p.Name))
	if p.CAFile != "" {
		caFile = fmt.Sprintf("the profile's ca_file (now %s, which does not hold the CA that signed this certificate)", p.CAFile)
	}
	switch ClassifyNetwork(err) {
	case NetUnknownCA:
		return "The server's certificate is signed by a certificate authority this machine does not trust: usually a " +
			"TLS-inspecting corporate proxy (or the cdflogin sandbox). Put that CA's certificate (PEM) in " + caFile +
			", or (on Linux) point SSL_CERT_FILE at a PEM bundle that includes it. If you reach the internet through a proxy, " +
			"HTTPS_PROXY must name it (NO_PROXY lists hosts that bypass it)."
	case NetCertificate:
		return "The server's certificate was refused (wrong host name, expired or not yet valid). Check the computer's clock, " +
			"the host in the profile's authority/cdf_url, and any TLS-inspecting proxy (its CA goes in " + caFile +
			" or in SSL_CERT_FILE; HTTPS_PROXY names the proxy)."
	case NetTLS:
		return "The TLS handshake failed: often a proxy or firewall that intercepts or blocks TLS. Check HTTPS_PROXY/NO_PROXY; " +
			"behind a TLS-inspecting proxy put its CA in " + caFile + " or in SSL_CERT_FILE."
	case NetDNS:
		return "The host name could not be resolved: check the spelling of the profile's tenant/authority, cluster or cdf_url, " +
			"and the network, DNS and VPN."
	case NetRefused:
		return "The connection was refused: nothing listens at that address. Check the host and port of the profile's " +
			"authority/cdf_url and HTTPS_PROXY (a proxy that is down refuses connections too)."
	case NetTimeout:
		return "No answer in time: check the network, VPN and proxy (HTTPS_PROXY/NO_PROXY), then retry."
	case NetReset:
		return "The connection was cut before an answer came: often a proxy or firewall. Check HTTPS_PROXY/NO_PROXY and retry."
	case NetUnavailable:
		return "Entra ID, or a proxy on the way, answered with a server error or \"too many requests\": retry in a minute; if it persists, " +
			"check the Azure status page (https://azure.status.microsoft) and any proxy (HTTPS_PROXY)."
	case NetOther:
		return "Check the network and any proxy (HTTPS_PROXY/NO_PROXY); behind a TLS-inspecting proxy set " + caFile + "."
	}
	return ""
}

func orName(name string) string {
	if name == "" {
		return "<name>"
	}
	return name
}

// Hinted is a network failure with advice on what to check printed under
// the error line.
type Hinted struct {
	Err  error
	Hint string
}

func (e *Hinted) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *Hinted) Unwrap() error { return e.Err }

// Details is the advice.
func (e *Hinted) Details() string { return e.Hint }

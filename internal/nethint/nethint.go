// Package nethint tells apart the ways a request can fail to reach a
// server (Entra ID or CDF): a name that does not resolve, a refused or
// cut connection, no answer in time, a certificate this machine does not
// trust, a failed TLS handshake, a proxy that cannot be reached or says
// no. For each it gives the advice a person needs: a one-line summary
// that names the host, the likely cause and what to check.
//
// It is a leaf package (standard library only), so the command line, the
// TUI and the CDF client all give the same advice.
package nethint

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// Kind is the kind of failure to reach a server.
type Kind string

// The kinds of failure Classify tells apart.
const (
	None        Kind = ""
	UnknownCA   Kind = "unknown-ca"    // x509: certificate signed by unknown authority
	Certificate Kind = "certificate"   // other certificate problems: wrong host, expired, not yet valid
	TLS         Kind = "tls"           // TLS handshake failed, or plain HTTP where HTTPS was expected
	Proxy       Kind = "proxy"         // the proxy cannot be reached, or refused to connect onwards
	DNS         Kind = "dns"           // host name not found
	Refused     Kind = "refused"       // nothing listens there
	Timeout     Kind = "timeout"       // no answer in time
	Reset       Kind = "reset"         // connection cut (reset, EOF)
	Unavailable Kind = "unavailable"   // the server answered 5xx/429
	Other       Kind = "other-network" // known to be a network failure, no finer cause
)

// diagnosis is what the error chain says: the kind, a finer reason
// within it, the host and the proxy.
type diagnosis struct {
	kind  Kind
	sub   string // finer reason: "hostname", "expired", "plain-http", "dns-timeout", …
	inner Kind   // for Proxy: what went wrong talking to the proxy (None for a CONNECT answer)
	host  string // the host it failed to reach, "" when unknown
	proxy string // the proxy's address, when a proxy was in the way and is known
	// status is a proxy's answer to CONNECT ("407 Proxy Authentication
	// Required") or the HTTP status of an Unavailable answer ("HTTP 503").
	status string
}

// Classify says which kind of failure to reach a server err is, from the
// typed errors in its chain (net, crypto/x509, crypto/tls, net/url) and,
// when the chain shows it came from the network, from Go's well-known
// messages (MSAL flattens some transport errors into text). unreachable
// says the caller already knows err is a failure to reach the server (for
// example errors.Is(err, flows.ErrNetwork)): Go's messages are then
// trusted even without the types, and an error with no finer cause is
// Other rather than None.
func Classify(err error, unreachable bool) Kind {
	return diagnose(err, unreachable).kind
}

// IsNetwork reports whether err is, by Go's own error types, a failure
// to reach a server: a DNS, dial, TLS, certificate or proxy failure, a
// cut connection or a request that timed out. A bare
// context.DeadlineExceeded (a wait that ran out) is not one, nor is a
// local listener that cannot bind.
func IsNetwork(err error) bool {
	return Classify(err, false) != None
}

// fromNetwork reports whether err's chain holds one of the types Go's
// HTTP client and dialer return, so that its text can be trusted to be
// Go's words about the network (and not, say, "read cache: unexpected
// EOF").
func fromNetwork(err error) bool {
	var ue *url.Error
	var dns *net.DNSError
	if errors.As(err, &ue) || errors.As(err, &dns) {
		return true
	}
	for _, oe := range opErrors(err) {
		if oe.Op != "listen" {
			return true
		}
	}
	return false
}

// opErrors are the *net.OpError values in err's chain, outermost first.
func opErrors(err error) []*net.OpError {
	var out []*net.OpError
	walk(err, func(e error) {
		if oe, ok := e.(*net.OpError); ok {
			out = append(out, oe)
		}
	})
	return out
}

// walk calls f for every error in err's tree, depth first, outermost first.
func walk(err error, f func(error)) {
	if err == nil {
		return
	}
	f(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, f)
		}
	}
}

func diagnose(err error, unreachable bool) diagnosis {
	if err == nil {
		return diagnosis{}
	}
	network := unreachable || fromNetwork(err)
	d := diagnosis{host: hostOf(err)}
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

	// A proxy in the way: Go wraps failures to reach it in a
	// "proxyconnect" *net.OpError, and returns its refusal of CONNECT as
	// the bare status text ("Proxy Authentication Required").
	proxied := false
	for _, oe := range opErrors(err) {
		if oe.Op == "proxyconnect" {
			proxied = true
			if inner := innerAddr(oe.Err); inner != "" {
				d.proxy = inner
			}
			break
		}
	}
	if !proxied && has("proxyconnect ") {
		proxied = true
	}
	if status, ok := connectStatus(err, network); ok {
		d.kind, d.status = Proxy, status
		return d
	}

	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	var recordErr tls.RecordHeaderError
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &unknownCA) || has("x509: certificate signed by unknown authority"):
		d.kind = UnknownCA
	case errors.As(err, &hostErr) || has("x509: certificate is valid for", "x509: certificate is not valid for any names"):
		d.kind, d.sub = Certificate, "hostname"
		if hostErr.Host != "" && d.host == "" {
			d.host = hostErr.Host
		}
	case (errors.As(err, &invalid) && invalid.Reason == x509.Expired) || has("x509: certificate has expired or is not yet valid"):
		d.kind, d.sub = Certificate, "expired"
	case errors.As(err, &invalid) || errors.As(err, &verify) || has("x509:", "tls: failed to verify certificate"):
		d.kind = Certificate
	case has("server gave HTTP response to HTTPS client"):
		d.kind, d.sub = TLS, "plain-http"
	case errors.As(err, &alert) || errors.As(err, &recordErr) || has("tls: ", "remote error: tls", "TLS handshake"):
		d.kind = TLS
		if has("TLS handshake timeout") {
			d.kind = Timeout
		}
	case errors.As(err, &dns) || has("no such host", "server misbehaving"):
		d.kind = DNS
		switch {
		case dns != nil && dns.IsTimeout:
			d.sub = "dns-timeout"
		case dns != nil && !dns.IsNotFound && dns.IsTemporary, has("server misbehaving"):
			d.sub = "dns-server"
		}
		if dns != nil && dns.Name != "" && d.host == "" {
			d.host = dns.Name
		}
	case errors.Is(err, syscall.ECONNREFUSED) || has("connection refused"):
		d.kind = Refused
	case (network && errors.Is(err, context.DeadlineExceeded)) || (network && errors.As(err, &ne) && ne.Timeout()) ||
		has("i/o timeout", "Client.Timeout exceeded", "deadline exceeded"):
		d.kind = Timeout
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		has("connection reset", "EOF", "broken pipe", "connection aborted"):
		d.kind = Reset
	case has("HTTP 5", "HTTP 429"):
		d.kind = Unavailable
		d.status = httpStatusIn(msg)
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) || has("no route to host", "network is unreachable"):
		d.kind, d.sub = Other, "no-route"
	case unreachable:
		d.kind = Other
	}
	if d.kind == None {
		return d
	}
	if proxied {
		switch d.kind {
		case UnknownCA, Certificate, TLS:
			// The proxy's own certificate (an https:// proxy): the
			// certificate advice holds, for the proxy's host.
			if d.proxy != "" {
				d.host = d.proxy
			}
		default:
			d.inner, d.kind = d.kind, Proxy
		}
	}
	return d
}

// innerAddr is the remote address of the first *net.OpError in err's
// chain (the proxy, inside a proxyconnect error), or the name of a
// *net.DNSError.
func innerAddr(err error) string {
	var addr string
	walk(err, func(e error) {
		if addr != "" {
			return
		}
		switch x := e.(type) {
		case *net.OpError:
			if x.Addr != nil {
				addr = x.Addr.String()
			}
		case *net.DNSError:
			addr = x.Name
		}
	})
	return addr
}

// connectStatus reports whether err is a proxy's refusal of CONNECT:
// Go's transport returns it as an error whose whole text is the status
// text ("Proxy Authentication Required", "Forbidden"), inside the
// *url.Error of the request. It returns "407 Proxy Authentication
// Required".
func connectStatus(err error, network bool) (string, bool) {
	var ue *url.Error
	var leaf error
	switch {
	case errors.As(err, &ue):
		leaf = ue.Err
	case network:
		leaf = err
		for {
			u := errors.Unwrap(leaf)
			if u == nil {
				break
			}
			leaf = u
		}
	default:
		return "", false
	}
	if leaf == nil || errors.Unwrap(leaf) != nil {
		return "", false
	}
	text := leaf.Error()
	if text == "" {
		return "", false
	}
	for code := 400; code < 600; code++ {
		if http.StatusText(code) == text {
			return strconv.Itoa(code) + " " + text, true
		}
	}
	return "", false
}

// httpStatusIn finds "HTTP 503" (or 429) in msg.
func httpStatusIn(msg string) string {
	i := strings.Index(msg, "HTTP ")
	for i >= 0 {
		rest := msg[i+5:]
		if len(rest) >= 3 && isDigits(rest[:3]) && (rest[0] == '5' || rest[:3] == "429") {
			return "HTTP " + rest[:3]
		}
		j := strings.Index(rest, "HTTP ")
		if j < 0 {
			break
		}
		i += 5 + j
	}
	return ""
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// hostOf is the host (with its port, when one is given) of the request
// that failed: from the *url.Error in err's chain, else the *net.DNSError's
// name, else the remote address of a dial, else the first quoted http(s)
// URL in err's text (MSAL flattens some errors into text), else "".
func hostOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if h := urlHost(ue.URL); h != "" {
			return h
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.Name != "" {
		return dns.Name
	}
	for _, oe := range opErrors(err) {
		if oe.Op == "proxyconnect" {
			break
		}
		if oe.Addr != nil && oe.Op != "listen" {
			return oe.Addr.String()
		}
	}
	return HostInText(err.Error())
}

// urlHost is the host[:port] of raw, or "".
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " \t\r\n\"") {
		return ""
	}
	return u.Host
}

// HostInText is the host[:port] of the first quoted http:// or https://
// URL in s, as Go's HTTP client writes it (`Post "https://host/path":
// …`), or "" when s has none.
func HostInText(s string) string {
	for {
		i := strings.Index(s, `"http`)
		if i < 0 {
			return ""
		}
		s = s[i+1:]
		end := strings.IndexByte(s, '"')
		if end < 0 {
			return ""
		}
		if h := textHost(s[:end]); h != "" {
			return h
		}
		s = s[end:]
	}
}

// textHost is the host[:port] of an http(s) URL as written in raw (not
// unescaped), or "" when raw is not one.
func textHost(raw string) string {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "http://"); !ok {
			return ""
		}
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:] // never keep user:password
	}
	if rest == "" || strings.ContainsAny(rest, " \t\r\n%\\") {
		return ""
	}
	if _, err := url.Parse("https://" + rest + "/"); err != nil {
		return ""
	}
	return rest
}

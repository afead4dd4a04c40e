package nethint

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cognite-tools/cdflogin/internal/textwrap"
)

// Service is what a request was trying to reach; it names the server in
// the summary and the profile fields that hold its address in the fix.
type Service int

// The services cdflogin talks to.
const (
	AnyService Service = iota // not known: Entra ID or CDF
	Entra                     // Microsoft Entra ID (the profile's authority)
	CDF                       // Cognite Data Fusion (the profile's cluster and cdf_url)
)

// String names the service for people: "Entra ID", "CDF", "the server".
func (s Service) String() string {
	switch s {
	case Entra:
		return "Entra ID"
	case CDF:
		return "CDF"
	}
	return "the server"
}

// fields are the profile settings that hold the service's host.
func (s Service) fields() string {
	switch s {
	case Entra:
		return "authority"
	case CDF:
		return "cluster and cdf_url"
	}
	return "authority, cluster and cdf_url"
}

// Target is what the failed request was for, as the advice names it.
type Target struct {
	Service Service
	// Profile is the profile's name, for "profiles.<name>.ca_file" and
	// the command that sets it; "" when not known.
	Profile string
	// CAFile is the profile's ca_file, when it has one.
	CAFile string
	// Host is the host the request went to, used when err names none.
	Host string
	// Unreachable says the caller knows err is a failure to reach the
	// server (e.g. errors.Is(err, flows.ErrNetwork)); see Classify.
	Unreachable bool
}

// Advice is what to tell a person about a failure to reach a server.
type Advice struct {
	Kind    Kind
	Service Service
	Host    string // the host it failed to reach, with its port if one was given; "" when unknown
	Proxy   string // the proxy in the way, when known
	Problem string // short: "connection refused", "untrusted certificate"; "" for Other
	Cause   string // one sentence, naming the host
	// Fix is what to do, one sentence a line; a command to run comes
	// last, as "Run: …".
	Fix []string
}

// Explain classifies err (see Classify) and returns the advice for it;
// false when err is not a failure to reach a server.
func Explain(err error, t Target) (Advice, bool) {
	d := diagnose(err, t.Unreachable)
	if d.kind == None {
		return Advice{}, false
	}
	a := Advice{Kind: d.kind, Service: t.Service, Host: d.host, Proxy: d.proxy}
	if a.Host == "" {
		a.Host = t.Host
	}
	a.Problem, a.Cause, a.Fix = texts(d, a.Host, t)
	return a, true
}

// Title is the summary without the host, short enough for a status line:
// "Cannot reach Entra ID: connection refused".
func (a Advice) Title() string {
	s := "Cannot reach " + a.Service.String()
	if a.Problem != "" {
		s += ": " + a.Problem
	}
	return s
}

// Summary is one line naming the service, the host and the problem:
// "Cannot reach Entra ID at login.example.com: host name not found (DNS)".
func (a Advice) Summary() string {
	s := "Cannot reach " + a.Service.String()
	switch {
	case a.Host != "" && a.Service == AnyService:
		s = "Cannot reach " + a.Host
	case a.Host != "":
		s += " at " + a.Host
	}
	if a.Kind == Proxy && a.Proxy != "" {
		s += " through the proxy " + a.Proxy
	}
	if a.Problem != "" {
		s += ": " + a.Problem
	}
	return s
}

// String is the advice for a terminal, several lines wrapped at 100
// columns:
//
//	Cannot reach Entra ID at login.example.com: untrusted certificate
//	Cause: …
//	Fix:   …
//	       …
func (a Advice) String() string {
	if a.Kind == None {
		return ""
	}
	var b strings.Builder
	b.WriteString(a.Summary() + "\n")
	if a.Cause != "" {
		b.WriteString(wrap("Cause: ", a.Cause))
	}
	for i, f := range a.Fix {
		label := "       "
		if i == 0 {
			label = "Fix:   "
		}
		b.WriteString(wrap(label, f))
	}
	return strings.TrimRight(b.String(), "\n")
}

// FixText is the fix lines as one paragraph, for a screen that wraps.
func (a Advice) FixText() string { return strings.Join(a.Fix, " ") }

// wrapWidth is the width String wraps at (as the AADSTS explanations).
const wrapWidth = 100

// wrap writes label and text, wrapping at wrapWidth with a hanging
// indent. A parenthesis ("(profiles.yaml: profiles.dev.ca_file)") is
// kept on one line when it fits on one.
func wrap(label, text string) string {
	words := textwrap.KeepParentheses(strings.Fields(text), wrapWidth-utf8.RuneCountInString(label))
	return textwrap.Hanging(label, words, wrapWidth)
}

// texts are the problem, cause and fix for a diagnosis.
func texts(d diagnosis, host string, t Target) (problem, cause string, fix []string) {
	h, svc := host, host // the host, or words for it when unknown
	if h == "" {
		h, svc = "the server", t.Service.String()
	}
	fields := "the profile's " + t.Service.fields()
	proxyEnv := "If you reach the internet through a proxy, HTTPS_PROXY must name it (NO_PROXY lists hosts that bypass it)."
	tlsProxy := fmt.Sprintf("Behind a TLS-inspecting proxy, put its CA certificate (PEM) in %s, or (on Linux) point SSL_CERT_FILE at a PEM bundle that includes it.", caFile(t))

	switch d.kind {
	case UnknownCA:
		problem = "untrusted certificate"
		cause = fmt.Sprintf("The certificate of %s is signed by a certificate authority this machine does not trust: usually a "+
			"TLS-inspecting corporate proxy (or the cdflogin sandbox).", h)
		put := fmt.Sprintf("Put that CA's certificate (PEM) in %s", caFile(t))
		if t.CAFile != "" {
			put = fmt.Sprintf("Add that CA's certificate (PEM) to %s", caFile(t))
		}
		fix = []string{put + ", or (on Linux) point SSL_CERT_FILE at a PEM bundle that includes it.", proxyEnv}
		if t.Profile != "" && t.CAFile == "" {
			fix = append(fix, fmt.Sprintf("Run: cdflogin profile edit %s --ca-file /path/to/ca.pem", t.Profile))
		}
	case Certificate:
		switch d.sub {
		case "hostname":
			problem = "certificate for another host name"
			cause = fmt.Sprintf("The certificate %s presented is not for that host name: a wrong host in %s, or a proxy that intercepts TLS.", h, fields)
			fix = []string{fmt.Sprintf("Check the host in %s.", fields), tlsProxy}
		case "expired":
			problem = "certificate expired or not yet valid"
			cause = fmt.Sprintf("The certificate of %s has expired or is not yet valid by this computer's clock.", h)
			fix = []string{"Check the computer's date, time and time zone.", tlsProxy}
		default:
			problem = "certificate refused"
			cause = fmt.Sprintf("The certificate of %s was refused (wrong host name, expired or not yet valid).", h)
			fix = []string{fmt.Sprintf("Check the computer's clock and the host in %s.", fields), tlsProxy}
		}
	case TLS:
		if d.sub == "plain-http" {
			problem = "plain HTTP where HTTPS was expected"
			cause = fmt.Sprintf("The answer from %s was plain HTTP, not HTTPS: a wrong port, or an address that is not %s.", h, t.Service)
			fix = []string{fmt.Sprintf("Check the URL (https://, host and port) in %s.", fields), "Check HTTPS_PROXY: a proxy's URL normally starts with http://."}
			break
		}
		problem = "TLS handshake failed"
		cause = fmt.Sprintf("The TLS handshake with %s failed: often a proxy or firewall that intercepts or blocks TLS.", h)
		fix = []string{"Check HTTPS_PROXY/NO_PROXY and any firewall.", tlsProxy}
	case DNS:
		problem = "host name not found (DNS)"
		cause = "The host name is not known to this computer's DNS."
		if host != "" {
			cause = fmt.Sprintf("The host name %s is not known to this computer's DNS.", host)
		}
		switch d.sub {
		case "dns-timeout":
			problem = "DNS lookup timed out"
			cause = "The DNS server did not answer in time."
		case "dns-server":
			problem = "DNS server failed"
			cause = "The DNS server failed to look up the host name."
		}
		fix = []string{fmt.Sprintf("Check the spelling of %s.", fields), "Check the network, DNS and VPN.",
			"If this network reaches the internet only through a proxy, set HTTPS_PROXY to it."}
	case Refused:
		problem = "connection refused"
		cause = "Nothing listens at that address, or a firewall rejects the connection."
		if host != "" {
			cause = fmt.Sprintf("Nothing listens at %s, or a firewall rejects the connection.", host)
		}
		fix = []string{fmt.Sprintf("Check the host and port in %s.", fields),
			"Check the network and firewall; if this network reaches the internet only through a proxy, set HTTPS_PROXY to it."}
	case Timeout:
		problem = "no answer in time"
		cause = fmt.Sprintf("No answer came in time from %s, or from something on the way (a proxy, firewall or VPN).", h)
		fix = []string{"Check the network, VPN and proxy (HTTPS_PROXY/NO_PROXY), then retry."}
	case Reset:
		problem = "connection cut"
		cause = fmt.Sprintf("The connection to %s was cut before an answer came: often a proxy or firewall.", h)
		fix = []string{"Check HTTPS_PROXY/NO_PROXY and any firewall, then retry."}
	case Proxy:
		problem, cause, fix = proxyTexts(d, svc)
	case Unavailable:
		problem = "server error or too many requests"
		if d.status != "" {
			problem += " (" + d.status + ")"
		}
		cause = fmt.Sprintf("The answer from %s, or from a proxy on the way, was a server error or \"too many requests\".", svc)
		fix = []string{"Retry in a minute."}
		if t.Service == Entra {
			fix = append(fix, "If it persists, check the Azure status page (https://azure.status.microsoft) and any proxy (HTTPS_PROXY).")
		} else {
			fix = append(fix, "If it persists, check any proxy (HTTPS_PROXY).")
		}
	case Other:
		if d.sub == "no-route" {
			problem = "no route to host"
			cause = fmt.Sprintf("This computer has no network route to %s.", h)
			fix = []string{"Check the network connection and VPN.", proxyEnv}
			break
		}
		fix = []string{"Check the network and any proxy (HTTPS_PROXY/NO_PROXY).",
			fmt.Sprintf("Behind a TLS-inspecting proxy, put its CA certificate (PEM) in %s.", caFile(t))}
	}
	return problem, cause, fix
}

// proxyTexts are the texts of a proxy failure: the proxy cannot be
// reached, or it refused to connect onwards.
func proxyTexts(d diagnosis, h string) (problem, cause string, fix []string) {
	px := "the proxy"
	if d.proxy != "" {
		px = "the proxy " + d.proxy
	}
	check := "Check HTTPS_PROXY (and HTTP_PROXY, NO_PROXY): the proxy's host and port, and that it runs; if no proxy is needed here, unset it."
	switch {
	case strings.HasPrefix(d.status, "407 "):
		problem = "the proxy wants a sign-in (" + d.status + ")"
		cause = fmt.Sprintf("%s requires authentication before it connects to %s.", upper(px), h)
		fix = []string{"Give the proxy's user and password in HTTPS_PROXY (http://user:password@proxy:port), " +
			"or ask IT to let this computer reach " + h + " without proxy authentication."}
	case d.status != "":
		problem = "the proxy said " + d.status
		cause = fmt.Sprintf("%s refused to connect to %s.", upper(px), h)
		fix = []string{"Ask IT to allow " + h + " through the proxy, or list it in NO_PROXY if it can be reached directly.",
			"Check that HTTPS_PROXY names the right proxy."}
	default:
		what := map[Kind]string{DNS: "host name not found (DNS)", Refused: "connection refused", Timeout: "no answer in time", Reset: "connection cut"}[d.inner]
		problem = "proxy unreachable"
		if what != "" {
			problem += " (" + what + ")"
		}
		cause = fmt.Sprintf("%s, which HTTPS_PROXY names, could not be reached.", upper(px))
		fix = []string{check}
	}
	return problem, cause, fix
}

// caFile names the profile's ca_file setting.
func caFile(t Target) string {
	switch {
	case t.CAFile != "":
		return fmt.Sprintf("the profile's ca_file (now %s, which does not hold it)", t.CAFile)
	case t.Profile != "":
		return fmt.Sprintf("the profile's ca_file (profiles.yaml: profiles.%s.ca_file)", t.Profile)
	}
	return "the profile's ca_file"
}

// upper starts s with a capital letter.
func upper(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

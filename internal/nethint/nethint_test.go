package nethint

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// get does a real GET with c and returns its error, which must not be nil.
func get(t *testing.T, c *http.Client, u string) error {
	t.Helper()
	defer c.CloseIdleConnections()
	resp, err := c.Get(u)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("GET %s succeeded", u)
	}
	return err
}

// closedAddr is a loopback address nothing listens at.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// discardLog keeps test servers' handshake errors out of the test output.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// tlsServer is a TLS server and a pool that trusts it.
func tlsServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = discardLog()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

func client(cfg *tls.Config, proxy string, timeout time.Duration) *http.Client {
	tr := &http.Transport{TLSClientConfig: cfg, Proxy: nil}
	if proxy != "" {
		pu, _ := url.Parse(proxy)
		tr.Proxy = http.ProxyURL(pu)
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// silent accepts connections and never answers.
func silent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// resetting accepts connections and resets them at once.
func resetting(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Read the request first, so that the reset hits the
			// client's wait for the answer.
			_, _ = c.Read(make([]byte, 4096))
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return ln.Addr().String()
}

// proxyAnswering is an HTTP proxy that answers every CONNECT with status.
func proxyAnswering(t *testing.T, status int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			t.Errorf("proxy got %s, want CONNECT", r.Method)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// waitTimeout is a wait that ran out (like the browser sign-in's), not a
// network failure.
type waitTimeout struct{}

func (waitTimeout) Error() string        { return "no answer from the browser within 5m0s" }
func (waitTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

// unreachableErr is what flows wraps a transport failure in: the cause
// plus a marker, joined.
func unreachableErr(cause error) error {
	return fmt.Errorf("request a new token: Entra ID could not be reached: %w", cause)
}

func TestClassifyAndExplain(t *testing.T) {
	srv, pool := tlsServer(t)
	srvHost := strings.TrimPrefix(srv.URL, "https://")
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	plainHost := strings.TrimPrefix(plain.URL, "http://")
	refusedAddr := closedAddr(t)
	silentAddr := silent(t)
	resetAddr := resetting(t)
	future := func() time.Time { return time.Now().AddDate(100, 0, 0) } // httptest's certificate is valid until 2084

	untrusted := get(t, client(&tls.Config{RootCAs: x509.NewCertPool()}, "", 0), srv.URL+"/token")
	deadlineCtx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(deadlineCtx, http.MethodGet, "https://"+silentAddr+"/token", nil)
	_, ctxTimeout := client(nil, "", 0).Do(req)
	if ctxTimeout == nil {
		t.Fatal("a silent server answered")
	}
	// An https:// proxy whose certificate is not trusted.
	tlsProxy := get(t, client(&tls.Config{RootCAs: x509.NewCertPool()}, srv.URL, 0), "https://login.example.com/token")
	// A listener that cannot bind: not a failure to reach anything.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, bindErr := net.Listen("tcp", ln.Addr().String())
	if bindErr == nil {
		t.Fatal("the port was bound twice")
	}
	dnsErr := &url.Error{Op: "Post", URL: "https://login.example.invalid/tid/oauth2/v2.0/token",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.example.invalid", IsNotFound: true}}}

	tests := []struct {
		name        string
		err         error
		unreachable bool
		want        Kind
		host        string   // Advice.Host
		summary     []string // in Summary()
		fix         []string // in the cause and fix
	}{
		{name: "unknown CA, real", err: untrusted, want: UnknownCA, host: srvHost,
			summary: []string{"at " + srvHost, "untrusted certificate"}, fix: []string{"TLS-inspecting", "ca_file", "SSL_CERT_FILE", "HTTPS_PROXY"}},
		{name: "unknown CA, flattened into text", unreachable: true,
			err:  unreachableErr(errors.New(`Post "https://login.microsoftonline.com/tid/oauth2/v2.0/token": tls: failed to verify certificate: x509: certificate signed by unknown authority`)),
			want: UnknownCA, host: "login.microsoftonline.com", fix: []string{"ca_file", "SSL_CERT_FILE"}},
		{name: "certificate for another host, real", err: get(t, client(&tls.Config{RootCAs: pool, ServerName: "login.other.test"}, "", 0), srv.URL),
			want: Certificate, host: srvHost, summary: []string{"certificate for another host name"}, fix: []string{"host in the profile's", "SSL_CERT_FILE"}},
		{name: "expired certificate, real", err: get(t, client(&tls.Config{RootCAs: pool, Time: future}, "", 0), srv.URL),
			want: Certificate, host: srvHost, summary: []string{"expired"}, fix: []string{"clock", "ca_file"}},
		{name: "other certificate problem", err: &url.Error{Op: "Get", URL: "https://x.example/", Err: x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}},
			want: Certificate, host: "x.example", summary: []string{"certificate refused"}, fix: []string{"clock"}},
		{name: "TLS alert, real", err: get(t, client(&tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}, "", 0), tls13Only(t)),
			want: TLS, summary: []string{"TLS handshake failed"}, fix: []string{"HTTPS_PROXY", "firewall"}},
		{name: "plain HTTP answer, real", err: get(t, client(nil, "", 0), "https://"+plainHost+"/"),
			want: TLS, host: plainHost, summary: []string{"plain HTTP"}, fix: []string{"https://, host and port"}},
		{name: "DNS", err: dnsErr, want: DNS, host: "login.example.invalid",
			summary: []string{"at login.example.invalid: host name not found (DNS)"}, fix: []string{"login.example.invalid", "spelling", "VPN"}},
		{name: "DNS without URL", err: dnsErr.Err, want: DNS, host: "login.example.invalid"},
		{name: "DNS timeout", err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "x.example", IsTimeout: true}},
			want: DNS, host: "x.example", summary: []string{"DNS lookup timed out"}},
		{name: "DNS flattened", unreachable: true, err: unreachableErr(errors.New(`Get "https://nonexistent.invalid/tid/v2.0/.well-known/openid-configuration": dial tcp: lookup nonexistent.invalid: no such host`)),
			want: DNS, host: "nonexistent.invalid"},
		{name: "refused, real", err: get(t, client(nil, "", 0), "https://"+refusedAddr+"/token"), want: Refused, host: refusedAddr,
			summary: []string{"connection refused"}, fix: []string{"Nothing listens at " + refusedAddr, "host and port"}},
		{name: "refused without URL, real", err: errors.Unwrap(get(t, client(nil, "", 0), "https://"+refusedAddr+"/token")), want: Refused, host: refusedAddr},
		{name: "client timeout, real", err: get(t, client(nil, "", 50*time.Millisecond), "https://"+silentAddr+"/"), want: Timeout, host: silentAddr,
			summary: []string{"no answer in time"}, fix: []string{"VPN", "HTTPS_PROXY", "retry"}},
		{name: "context deadline on a request, real", err: ctxTimeout, want: Timeout, host: silentAddr},
		{name: "read deadline", err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, want: Timeout},
		{name: "timeout flattened", unreachable: true, err: unreachableErr(errors.New(`Post "https://x.example/t": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)),
			want: Timeout, host: "x.example"},
		{name: "reset, real", err: get(t, client(nil, "", 0), "http://"+resetAddr+"/"), want: Reset, host: resetAddr,
			summary: []string{"connection cut"}, fix: []string{"HTTPS_PROXY", "firewall"}},
		{name: "reset, typed", err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, want: Reset},
		{name: "EOF from the network", err: &url.Error{Op: "Post", URL: "https://x.example/t", Err: errors.New("EOF")}, want: Reset, host: "x.example"},
		{name: "proxy down, real", err: get(t, client(nil, "http://"+refusedAddr, 0), "https://login.example.com/token"),
			want: Proxy, host: "login.example.com", summary: []string{"through the proxy " + refusedAddr, "proxy unreachable (connection refused)"},
			fix: []string{"HTTPS_PROXY", "unset"}},
		{name: "proxy wants a sign-in, real", err: get(t, client(nil, proxyAnswering(t, http.StatusProxyAuthRequired), 0), "https://login.example.com/token"),
			want: Proxy, host: "login.example.com", summary: []string{"407 Proxy Authentication Required"}, fix: []string{"HTTPS_PROXY", "login.example.com"}},
		{name: "proxy forbids the host, real", err: get(t, client(nil, proxyAnswering(t, http.StatusForbidden), 0), "https://login.example.com/token"),
			want: Proxy, summary: []string{"403 Forbidden"}, fix: []string{"allow login.example.com", "NO_PROXY"}},
		// Go's error does not say which proxy: the advice is the same.
		{name: "proxy's own certificate untrusted, real", err: tlsProxy, want: UnknownCA, host: "login.example.com", fix: []string{"ca_file"}},
		{name: "proxy down, flattened", unreachable: true,
			err:  unreachableErr(errors.New(`Get "https://login.example.com/x": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused`)),
			want: Proxy, summary: []string{"proxy unreachable"}},
		{name: "no route", err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, want: Other,
			summary: []string{"no route to host"}},
		{name: "Entra 503", unreachable: true, err: unreachableErr(errors.New("HTTP 503 from login.microsoftonline.com")), want: Unavailable,
			summary: []string{"(HTTP 503)"}, fix: []string{"Retry in a minute", "azure.status.microsoft"}},
		{name: "Entra 429", unreachable: true, err: unreachableErr(errors.New("HTTP 429 from login.microsoftonline.com")), want: Unavailable,
			summary: []string{"(HTTP 429)"}},
		{name: "known network, no finer cause", unreachable: true, err: unreachableErr(errors.New("something odd")), want: Other,
			fix: []string{"HTTPS_PROXY", "ca_file"}},

		{name: "not network: bare context deadline", err: fmt.Errorf("sign in: %w", context.DeadlineExceeded), want: None},
		{name: "not network: a wait that ran out", err: fmt.Errorf("browser sign-in: %w", waitTimeout{}), want: None},
		{name: "not network: a port in use", err: bindErr, want: None},
		{name: "not network: EOF in a file", err: errors.New("read token cache: unexpected EOF"), want: None},
		{name: "not network: x509 text alone", err: errors.New("parse ca_file: x509: malformed certificate"), want: None},
		{name: "not network: file timeout", err: &fs.PathError{Op: "read", Path: "/x", Err: syscall.ETIMEDOUT}, want: None},
		{name: "not network: bad URL scheme, real", err: get(t, client(nil, "", 0), "ftp://x.example/"), want: None},
		{name: "not network: cancelled", err: &url.Error{Op: "Get", URL: "https://x.example", Err: context.Canceled}, want: None},
		{name: "not network: plain", err: errors.New("disk full"), want: None},
		{name: "nil", err: nil, want: None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err, tt.unreachable); got != tt.want {
				t.Fatalf("Classify = %q, want %q (err: %v)", got, tt.want, tt.err)
			}
			if !tt.unreachable {
				if got := IsNetwork(tt.err); got != (tt.want != None) {
					t.Errorf("IsNetwork = %v", got)
				}
			}
			a, ok := Explain(tt.err, Target{Service: Entra, Profile: "dev", Unreachable: tt.unreachable})
			if ok != (tt.want != None) {
				t.Fatalf("Explain ok = %v", ok)
			}
			if !ok {
				if a.String() != "" {
					t.Errorf("advice for a non-network error: %q", a.String())
				}
				return
			}
			if a.Kind != tt.want {
				t.Errorf("Kind = %q", a.Kind)
			}
			if tt.host != "" && a.Host != tt.host {
				t.Errorf("Host = %q, want %q", a.Host, tt.host)
			}
			sum := a.Summary()
			if !strings.HasPrefix(sum, "Cannot reach Entra ID") || strings.Contains(sum, "\n") {
				t.Errorf("summary %q is not one line about Entra ID", sum)
			}
			if a.Host != "" && !strings.Contains(sum, a.Host) {
				t.Errorf("summary %q does not name the host %q", sum, a.Host)
			}
			for _, s := range tt.summary {
				if !strings.Contains(sum, s) {
					t.Errorf("summary %q does not say %q", sum, s)
				}
			}
			if len(a.Fix) == 0 {
				t.Fatal("no fix")
			}
			more := a.Cause + " " + a.FixText()
			for _, s := range tt.fix {
				if !strings.Contains(more, s) {
					t.Errorf("cause and fix %q do not say %q", more, s)
				}
			}
			checkText(t, a)
		})
	}
}

// tls13Only is a TLS server that speaks only TLS 1.3.
func tls13Only(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS13}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// checkText checks what every advice must be: a one-line summary and
// title, sentences that end, and String laid out in labelled lines no
// wider than wrapWidth.
func checkText(t *testing.T, a Advice) {
	t.Helper()
	if strings.Contains(a.Title(), "\n") || len(a.Title()) > len(a.Summary()) {
		t.Errorf("title %q is not a short form of the summary %q", a.Title(), a.Summary())
	}
	for i, s := range append([]string{a.Cause}, a.Fix...) {
		run := strings.HasPrefix(s, "Run: ")
		switch {
		case i > 0 && s == "":
			t.Errorf("an empty fix line")
		case run && i != len(a.Fix):
			t.Errorf("the command %q is not the last fix line", s)
		case s != "" && !run && !strings.HasSuffix(s, "."):
			t.Errorf("%q does not end a sentence", s)
		case strings.Contains(s, "\n"):
			t.Errorf("%q spans lines", s)
		}
	}
	lines := strings.Split(a.String(), "\n")
	if lines[0] != a.Summary() {
		t.Errorf("String starts %q, want the summary", lines[0])
	}
	fixes := 0
	for _, l := range lines[1:] {
		if len([]rune(l)) > wrapWidth {
			t.Errorf("line wider than %d: %q", wrapWidth, l)
		}
		switch {
		case strings.HasPrefix(l, "Fix:   "):
			fixes++
		case strings.HasPrefix(l, "Cause: "), strings.HasPrefix(l, "       "):
		default:
			t.Errorf("unlabelled line %q", l)
		}
	}
	if fixes != 1 {
		t.Errorf("%d Fix: lines in %q", fixes, a.String())
	}
}

// TestTarget: the fix names the profile's settings for the service and the
// profile, and the ca_file it already has.
func TestTarget(t *testing.T) {
	srv, _ := tlsServer(t)
	untrusted := get(t, client(&tls.Config{RootCAs: x509.NewCertPool()}, "", 0), srv.URL)
	dns := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "acme.cognitedata.invalid", IsNotFound: true}}
	tests := []struct {
		name    string
		err     error
		target  Target
		summary string
		says    []string
		saysNot []string
	}{
		{"unknown CA, named profile", untrusted, Target{Service: Entra, Profile: "ci"}, "Cannot reach Entra ID at ",
			[]string{"profiles.yaml: profiles.ci.ca_file", "cdflogin profile edit ci --ca-file /path/to/ca.pem"}, nil},
		{"unknown CA, profile with a ca_file", untrusted, Target{Service: CDF, Profile: "ci", CAFile: "/etc/proxy-ca.pem"}, "Cannot reach CDF at ",
			[]string{"now /etc/proxy-ca.pem", "SSL_CERT_FILE"}, []string{"--ca-file"}},
		{"unknown CA, no profile", untrusted, Target{}, "Cannot reach 127.0.0.1:",
			[]string{"the profile's ca_file, or"}, []string{"profiles.yaml", "--ca-file"}},
		{"DNS to CDF", dns, Target{Service: CDF}, "Cannot reach CDF at acme.cognitedata.invalid: host name not found (DNS)",
			[]string{"cluster and cdf_url"}, []string{"authority"}},
		{"DNS to Entra", dns, Target{Service: Entra}, "Cannot reach Entra ID at acme.cognitedata.invalid",
			[]string{"the profile's authority"}, []string{"cdf_url"}},
		{"host from the target", unreachableErr(errors.New("dial tcp: connection refused")), Target{Service: CDF, Host: "acme.example", Unreachable: true},
			"Cannot reach CDF at acme.example: connection refused", []string{"Nothing listens at acme.example"}, nil},
		{"no host anywhere", unreachableErr(errors.New("dial tcp: connection refused")), Target{Service: Entra, Unreachable: true},
			"Cannot reach Entra ID: connection refused", []string{"Nothing listens at that address"}, nil},
		{"CDF unavailable has no Azure page", unreachableErr(errors.New("HTTP 502")), Target{Service: CDF, Unreachable: true},
			"Cannot reach CDF: server error", nil, []string{"azure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := Explain(tt.err, tt.target)
			if !ok {
				t.Fatalf("not explained: %v", tt.err)
			}
			if !strings.HasPrefix(a.Summary(), tt.summary) {
				t.Errorf("summary %q, want it to start %q", a.Summary(), tt.summary)
			}
			text := a.Summary() + " " + a.Cause + " " + a.FixText()
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("advice does not say %q:\n%s", s, text)
				}
			}
			for _, s := range tt.saysNot {
				if strings.Contains(text, s) {
					t.Errorf("advice says %q:\n%s", s, text)
				}
			}
			checkText(t, a)
		})
	}
}

// TestEveryKindHasAdvice: each kind, with and without a host and a
// profile, gives a summary, a cause where it can and fix lines.
func TestEveryKindHasAdvice(t *testing.T) {
	diags := []diagnosis{
		{kind: UnknownCA}, {kind: Certificate}, {kind: Certificate, sub: "hostname"}, {kind: Certificate, sub: "expired"},
		{kind: TLS}, {kind: TLS, sub: "plain-http"}, {kind: DNS}, {kind: DNS, sub: "dns-timeout"}, {kind: DNS, sub: "dns-server"},
		{kind: Refused}, {kind: Timeout}, {kind: Reset}, {kind: Unavailable}, {kind: Unavailable, status: "HTTP 503"},
		{kind: Proxy, inner: Refused}, {kind: Proxy, inner: DNS, proxy: "proxy.corp:3128"}, {kind: Proxy, status: "407 Proxy Authentication Required"},
		{kind: Proxy, status: "403 Forbidden"}, {kind: Other}, {kind: Other, sub: "no-route"},
	}
	for _, d := range diags {
		for _, host := range []string{"", "login.example.com"} {
			for _, tg := range []Target{{}, {Service: Entra, Profile: "dev"}, {Service: CDF, CAFile: "/ca.pem"}} {
				name := fmt.Sprintf("%s/%s/%s/%q/%v", d.kind, d.sub, d.status, host, tg.Service)
				problem, cause, fix := texts(d, host, tg)
				a := Advice{Kind: d.kind, Service: tg.Service, Host: host, Proxy: d.proxy, Problem: problem, Cause: cause, Fix: fix}
				if (problem == "") != (d.kind == Other && d.sub == "") {
					t.Errorf("%s: problem %q", name, problem)
				}
				if len(fix) == 0 {
					t.Errorf("%s: no fix", name)
				}
				if strings.Contains(cause+a.FixText(), "%!") {
					t.Errorf("%s: formatting error in %q", name, cause+a.FixText())
				}
				if host != "" && !strings.Contains(a.Summary(), host) {
					t.Errorf("%s: summary %q lacks the host", name, a.Summary())
				}
				t.Run(name, func(t *testing.T) { checkText(t, a) })
			}
		}
	}
}

func TestHostInText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Post "https://login.microsoftonline.com/tid/oauth2/v2.0/token": EOF`, "login.microsoftonline.com"},
		{`Get "https://127.0.0.1:8443/x?y=1": tls: x`, "127.0.0.1:8443"},
		{`Get "http://[::1]:80/": refused`, "[::1]:80"},
		{`open "/etc/x": no such file; then Get "https://b.example/": EOF`, "b.example"},
		{`"httpx://a.example/" and "https://" and "https://c.example`, ""},
		{`Get "https://a b.example/": x`, ""},
		{`no URL here`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := HostInText(tt.in); got != tt.want {
			t.Errorf("HostInText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzHostInText(f *testing.F) {
	for _, s := range []string{`Post "https://login.microsoftonline.com/t": EOF`, `"http://[::1`, `"https://a:b@c/"`, `""http"https://x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := HostInText(s)
		if h == "" {
			return
		}
		if !strings.Contains(s, h) {
			t.Fatalf("host %q is not in the text %q", h, s)
		}
		if strings.ContainsAny(h, " \t\r\n\"/") {
			t.Fatalf("host %q holds a space, quote or slash", h)
		}
	})
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct {
		name, text string
		want       []string // lines, after the label
	}{
		{"short", "one two.", []string{"one two."}},
		{"parenthesis kept whole", strings.Repeat("x", 60) + " put it in the profile's ca_file (profiles.yaml: profiles.dev.ca_file), or not.",
			[]string{strings.Repeat("x", 60) + " put it in the profile's ca_file", "(profiles.yaml: profiles.dev.ca_file), or not."}},
		{"parenthesis too long to keep", "(" + long + ")", nil},
		{"unclosed parenthesis", "a (b c d", []string{"a (b c d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := strings.TrimSuffix(wrap("Fix:   ", tt.text), "\n")
			lines := strings.Split(out, "\n")
			for i, l := range lines {
				if len([]rune(l)) > wrapWidth {
					t.Errorf("line %d is wider than %d: %q", i, wrapWidth, l)
				}
				lines[i] = strings.TrimSpace(strings.TrimPrefix(l, "Fix:"))
			}
			if strings.Join(strings.Fields(strings.Join(lines, " ")), " ") != strings.Join(strings.Fields(tt.text), " ") {
				t.Errorf("words lost or changed: %q", out)
			}
			if tt.want != nil && strings.Join(lines, "|") != strings.Join(tt.want, "|") {
				t.Errorf("lines\n%q\nwant\n%q", lines, tt.want)
			}
		})
	}
}

package loopback

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
)

const testState = "st-8f3a2c"

// start opens a listener on a free port; it is closed at the end of the
// test.
func start(t *testing.T, cfg Config) *Listener {
	t.Helper()
	if cfg.State == "" {
		cfg.State = testState
	}
	if cfg.FindProcess == nil {
		cfg.FindProcess = NoProcessLookup
	}
	l, err := Listen(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// client talks to the listener over 127.0.0.1 whatever the Host header.
func client() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type reply struct {
	status int
	body   string
}

// do sends one request to 127.0.0.1:PORT with the given Host header.
func do(t *testing.T, l *Listener, method, host, target string, form url.Values) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "http://127.0.0.1:"+strconv.Itoa(l.Port())+target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	resp, err := client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

func wait(t *testing.T, l *Listener) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // safety net only
	defer cancel()
	return l.Wait(ctx)
}

func TestRedirectURIAndAddr(t *testing.T) {
	l := start(t, Config{})
	p := strconv.Itoa(l.Port())
	if l.Port() == 0 {
		t.Fatal("port 0 after Listen")
	}
	if got, want := l.RedirectURI(), "http://localhost:"+p; got != want {
		t.Errorf("RedirectURI = %q, want %q", got, want)
	}
	if got, want := l.Addr(), "localhost:"+p; got != want {
		t.Errorf("Addr = %q, want %q", got, want)
	}
}

func TestDeadlineUsesClock(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := start(t, Config{Now: func() time.Time { return now }, Timeout: 3 * time.Minute})
	if got, want := l.Deadline(), now.Add(3*time.Minute); !got.Equal(want) {
		t.Fatalf("Deadline = %v, want %v", got, want)
	}
	l2 := start(t, Config{Now: func() time.Time { return now }})
	if got, want := l2.Deadline(), now.Add(DefaultTimeout); !got.Equal(want) {
		t.Fatalf("default Deadline = %v, want %v", got, want)
	}
}

func TestListenRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{State: ""}, {State: "s", Port: -1}, {State: "s", Port: 70000}} {
		if l, err := Listen(t.Context(), cfg); err == nil {
			_ = l.Close()
			t.Errorf("Listen(%+v) succeeded", cfg)
		}
	}
}

func TestCodeAnswers(t *testing.T) {
	tests := []struct {
		name   string
		method string
		host   func(port string) string
	}{
		{"GET via localhost", http.MethodGet, func(p string) string { return "localhost:" + p }},
		{"GET via LOCALHOST", http.MethodGet, func(p string) string { return "LocalHost:" + p }},
		{"GET via 127.0.0.1", http.MethodGet, func(p string) string { return "127.0.0.1:" + p }},
		{"GET via [::1]", http.MethodGet, func(p string) string { return "[::1]:" + p }},
		{"form_post", http.MethodPost, func(p string) string { return "localhost:" + p }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, Config{})
			host := tt.host(strconv.Itoa(l.Port()))
			var r reply
			if tt.method == http.MethodPost {
				r = do(t, l, "POST", host, "/", url.Values{"code": {"0.AbC-code"}, "state": {testState}, "session_state": {"x"}})
			} else {
				r = do(t, l, "GET", host, "/?code=0.AbC-code&state="+testState+"&session_state=x", nil)
			}
			if r.status != http.StatusOK || !strings.Contains(r.body, "Sign-in received") {
				t.Fatalf("reply = %d %q", r.status, r.body)
			}
			res, err := wait(t, l)
			if err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if res.Code != "0.AbC-code" {
				t.Fatalf("Code = %q", res.Code)
			}
		})
	}
}

// TestStrayRequestsDoNotEndTheFlow sends every kind of request that must
// be refused, then a valid answer, which must still be accepted.
func TestStrayRequestsDoNotEndTheFlow(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		host     string // "" = localhost:PORT; "PORT" is replaced
		target   string
		form     url.Values
		status   int
		bodyHas  string
		skipCode bool
	}{
		{name: "favicon", method: "GET", target: "/favicon.ico", status: 404, bodyHas: "Not found"},
		{name: "wrong path with code", method: "GET", target: "/callback?code=c&state=" + testState, status: 404, bodyHas: "Not found"},
		{name: "root without answer", method: "GET", target: "/", status: 400, bodyHas: "waiting"},
		{name: "wrong state", method: "GET", target: "/?code=evil&state=other", status: 400, bodyHas: "does not belong"},
		{name: "missing state", method: "GET", target: "/?code=evil", status: 400, bodyHas: "does not belong"},
		{name: "two states", method: "GET", target: "/?code=evil&state=" + testState + "&state=" + testState, status: 400, bodyHas: "does not belong"},
		{name: "error with wrong state", method: "GET", target: "/?error=access_denied&state=nope", status: 400, bodyHas: "does not belong"},
		{name: "wrong Host (DNS rebinding)", method: "GET", host: "evil.example:PORT", target: "/?code=evil&state=" + testState, status: 421, bodyHas: "Wrong address"},
		{name: "wrong Host port", method: "GET", host: "localhost:1", target: "/?code=evil&state=" + testState, status: 421, bodyHas: "Wrong address"},
		{name: "Host without port", method: "GET", host: "localhost", target: "/?code=evil&state=" + testState, status: 421, bodyHas: "Wrong address"},
		{name: "PUT", method: "PUT", target: "/?code=evil&state=" + testState, status: 405},
		{name: "HEAD (prefetch) does not consume the answer", method: "HEAD", target: "/?code=evil&state=" + testState, status: 405},
		{name: "POST wrong content type", method: "POST", target: "/", status: 400, bodyHas: "waiting"},
		{name: "POST with state in query only", method: "POST", target: "/?state=" + testState, form: url.Values{"code": {"evil"}}, status: 400, bodyHas: "does not belong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, Config{})
			p := strconv.Itoa(l.Port())
			host := strings.ReplaceAll(tt.host, "PORT", p)
			if host == "" {
				host = "localhost:" + p
			}
			r := do(t, l, tt.method, host, tt.target, tt.form)
			if r.status != tt.status || !strings.Contains(r.body, tt.bodyHas) {
				t.Fatalf("reply = %d, want %d with %q; body %q", r.status, tt.status, tt.bodyHas, r.body)
			}
			// The flow goes on: the real answer is accepted.
			r = do(t, l, "GET", "localhost:"+p, "/?code=good&state="+testState, nil)
			if r.status != 200 {
				t.Fatalf("valid answer after stray request: %d %q", r.status, r.body)
			}
			res, err := wait(t, l)
			if err != nil || res.Code != "good" {
				t.Fatalf("Wait = %+v, %v; want code good", res, err)
			}
		})
	}
}

func TestSecondCallbackGetsAlreadyDone(t *testing.T) {
	l := start(t, Config{})
	host := l.Addr()
	if r := do(t, l, "GET", host, "/?code=first&state="+testState, nil); r.status != 200 {
		t.Fatalf("first: %d", r.status)
	}
	for _, target := range []string{
		"/?code=second&state=" + testState,
		"/?error=access_denied&state=" + testState,
		"/?code=third&state=wrong",
	} {
		r := do(t, l, "GET", host, target, nil)
		if r.status != 200 || !strings.Contains(r.body, "already done") {
			t.Fatalf("%s: reply %d %q", target, r.status, r.body)
		}
	}
	res, err := wait(t, l)
	if err != nil || res.Code != "first" {
		t.Fatalf("Wait = %+v, %v; want the first code", res, err)
	}
	// Wait is repeatable.
	res, err = wait(t, l)
	if err != nil || res.Code != "first" {
		t.Fatalf("second Wait = %+v, %v", res, err)
	}
}

func TestErrorCallback(t *testing.T) {
	tests := []struct {
		name  string
		post  bool
		code  string
		codes []int
	}{
		{"query", false, "access_denied", []int{65004}},
		{"form_post", true, "access_denied", []int{65004}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, Config{})
			v := url.Values{
				"error":             {"access_denied"},
				"error_description": {"AADSTS65004: User declined to consent to access the app.\r\nTrace ID: 01234567-0000-0000-0000-000000000000\r\nCorrelation ID: 89abcdef-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-28 10:00:00Z"},
				"state":             {testState},
			}
			var r reply
			if tt.post {
				r = do(t, l, "POST", l.Addr(), "/", v)
			} else {
				r = do(t, l, "GET", l.Addr(), "/?"+v.Encode(), nil)
			}
			if r.status != 200 || !strings.Contains(r.body, "Sign-in failed") || !strings.Contains(r.body, "AADSTS65004 · access_denied") {
				t.Fatalf("reply %d %q", r.status, r.body)
			}
			_, err := wait(t, l)
			var ae *aadsts.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Wait error = %v (%T), want *aadsts.Error", err, err)
			}
			if ae.Code != tt.code || ae.AADSTS() != 65004 || ae.Source != aadsts.SourceRedirect || ae.CorrelationID != "89abcdef-0000-0000-0000-000000000000" {
				t.Fatalf("error = %+v", ae)
			}
		})
	}
}

// TestIssuer (RFC 9207): when the authorization server names itself, an
// answer with the right state but a missing, repeated or foreign iss is
// refused, code and error answers alike, and Wait says why; the exact iss
// is accepted. Without an issuer, iss is not looked at (Entra sends none).
func TestIssuer(t *testing.T) {
	const want = "https://login.example.test/tid/v2.0"
	tests := []struct {
		name    string
		issuer  string // required issuer ("" = none)
		late    bool   // set with RequireIssuer after Listen
		iss     []string
		error   bool // an error answer instead of a code
		refused bool
	}{
		{name: "matching", issuer: want, iss: []string{want}},
		{name: "matching, set after Listen", issuer: want, late: true, iss: []string{want}},
		{name: "foreign", issuer: want, iss: []string{"https://evil.example/v2.0"}, refused: true},
		{name: "foreign, set after Listen", issuer: want, late: true, iss: []string{"https://evil.example/v2.0"}, refused: true},
		{name: "missing", issuer: want, refused: true},
		{name: "repeated", issuer: want, iss: []string{want, want}, refused: true},
		{name: "not normalised", issuer: want, iss: []string{want + "/"}, refused: true},
		{name: "foreign error answer", issuer: want, iss: []string{"https://evil.example/v2.0"}, error: true, refused: true},
		{name: "matching error answer", issuer: want, iss: []string{want}, error: true},
		{name: "no issuer required", iss: []string{"https://anything.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}
			if !tt.late {
				cfg.Issuer = tt.issuer
			}
			l := start(t, cfg)
			if tt.late {
				l.RequireIssuer(tt.issuer)
			}
			v := url.Values{"state": {testState}, "code": {"0.AbC-code"}}
			if tt.error {
				v = url.Values{"state": {testState}, "error": {"access_denied"}, "error_description": {"AADSTS65004: declined"}}
			}
			for _, i := range tt.iss {
				v.Add("iss", i)
			}
			r := do(t, l, "GET", l.Addr(), "/?"+v.Encode(), nil)
			res, err := wait(t, l)
			var ie *IssuerError
			if got := errors.As(err, &ie); got != tt.refused {
				t.Fatalf("refused: %v (%v), want %v", got, err, tt.refused)
			}
			if !tt.refused {
				if tt.error != (err != nil) || (!tt.error && res.Code != "0.AbC-code") {
					t.Errorf("result %+v, %v", res, err)
				}
				return
			}
			if res.Code != "" {
				t.Error("a refused answer's code was handed over")
			}
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, "another sign-in server") || strings.Contains(r.body, "evil") {
				t.Errorf("page %d %q", r.status, r.body)
			}
			if ie.Want != want || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "RFC 9207") {
				t.Errorf("error %q does not name the expected issuer", err)
			}
			if len(tt.iss) == 1 && !strings.Contains(err.Error(), tt.iss[0]) {
				t.Errorf("error %q does not name the answer's issuer", err)
			}
			// A second, right answer after the refusal changes nothing.
			v.Set("iss", want)
			if r := do(t, l, "GET", l.Addr(), "/?"+v.Encode(), nil); !strings.Contains(r.body, "already") {
				t.Errorf("a later answer got %d %q", r.status, r.body)
			}
		})
	}
}

func TestPagesDoNotReflectInput(t *testing.T) {
	evil := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, `javascript:alert(3)`}
	l := start(t, Config{})
	var bodies []string
	for _, e := range evil {
		for _, target := range []string{
			"/?code=" + url.QueryEscape(e) + "&state=" + url.QueryEscape(e),
			"/" + url.PathEscape(e),
			"/?error=" + url.QueryEscape(e) + "&error_description=" + url.QueryEscape(e) + "&state=wrong",
		} {
			bodies = append(bodies, do(t, l, "GET", l.Addr(), target, nil).body)
		}
	}
	bodies = append(bodies, do(t, l, "GET", l.Addr(), "/?error="+url.QueryEscape(evil[0])+"&error_description="+url.QueryEscape(evil[1])+"&state="+testState, nil).body)
	bodies = append(bodies, do(t, l, "GET", l.Addr(), "/?error=x&error_description="+url.QueryEscape(evil[0])+"&state="+testState, nil).body)
	for _, b := range bodies {
		for _, e := range evil {
			if strings.Contains(b, e) || strings.Contains(b, "alert(") {
				t.Fatalf("page reflects input %q:\n%s", e, b)
			}
		}
	}
	_, err := wait(t, l)
	var ae *aadsts.Error
	if !errors.As(err, &ae) || ae.Code != "invalid_response" {
		t.Fatalf("Wait = %v, want an *aadsts.Error with a sanitised code", err)
	}
}

func TestSecurityHeaders(t *testing.T) {
	l := start(t, Config{})
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+strconv.Itoa(l.Port())+"/?code=c&state="+testState, nil)
	req.Host = l.Addr()
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
	}
}

func TestPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	_, err = Listen(t.Context(), Config{Port: port, State: "s", FindProcess: func(p int) string {
		if p != port {
			t.Errorf("FindProcess(%d), want %d", p, port)
		}
		return "python3 (pid 4242)"
	}})
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *PortInUseError", err, err)
	}
	if pe.Port != port || pe.Process != "python3 (pid 4242)" {
		t.Fatalf("PortInUseError = %+v", pe)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("errors.Is(err, EADDRINUSE) = false")
	}
	msg := err.Error()
	for _, want := range []string{strconv.Itoa(port), "python3 (pid 4242)", "--redirect-port", "http://localhost:N", "Mobile and desktop applications", "--flow device"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	unknown := (&PortInUseError{Port: 53000}).Error()
	if !strings.Contains(unknown, "another program") || !strings.Contains(unknown, "53000") {
		t.Errorf("message without process = %q", unknown)
	}
}

func TestPortInUseOnIPv6Only(t *testing.T) {
	// A listener that already holds [::1]:PORT would get the browser's
	// answer when localhost resolves to ::1.
	free, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fixed := free.Addr().(*net.TCPAddr).Port
	free.Close()
	tests := []struct {
		name      string
		port      int
		wantCalls int // port 0 retries with other ports
	}{
		{"fixed port", fixed, 2},
		{"any port", 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			cfg := Config{Port: tt.port, State: "s", FindProcess: NoProcessLookup, Listen: func(network, addr string) (net.Listener, error) {
				calls++
				if network == "tcp6" {
					return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
				}
				return net.Listen(network, addr)
			}}
			_, err := Listen(t.Context(), cfg)
			var pe *PortInUseError
			if !errors.As(err, &pe) || calls != tt.wantCalls {
				t.Fatalf("err = %v, calls %d, want %d", err, calls, tt.wantCalls)
			}
			if !strings.Contains(err.Error(), "stop it;") {
				t.Errorf("message = %q", err)
			}
			// The IPv4 socket was released.
			portFree(t, pe.Port)
		})
	}
}

func TestNoIPv6IsFine(t *testing.T) {
	cfg := Config{Listen: func(network, addr string) (net.Listener, error) {
		if network == "tcp6" {
			return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("socket", syscall.EAFNOSUPPORT)}
		}
		return net.Listen(network, addr)
	}}
	l := start(t, cfg)
	if r := do(t, l, "GET", l.Addr(), "/?code=c&state="+testState, nil); r.status != 200 {
		t.Fatalf("reply %d", r.status)
	}
	if res, err := wait(t, l); err != nil || res.Code != "c" {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
}

func TestOtherListenErrors(t *testing.T) {
	_, err := Listen(t.Context(), Config{State: "s", Listen: func(string, string) (net.Listener, error) {
		return nil, &net.OpError{Op: "listen", Net: "tcp4", Err: os.NewSyscallError("bind", syscall.EACCES)}
	}})
	var pe *PortInUseError
	if err == nil || errors.As(err, &pe) || !errors.Is(err, syscall.EACCES) || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("err = %v", err)
	}
}

func portFree(t *testing.T, port int) {
	t.Helper()
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d not released: %v", port, err)
	}
	ln.Close()
}

func TestTimeout(t *testing.T) {
	l := start(t, Config{Timeout: 20 * time.Millisecond})
	_, err := wait(t, l)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Timeout != 20*time.Millisecond || te.Addr != l.Addr() {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, DeadlineExceeded) = false")
	}
	if !strings.Contains(err.Error(), "--flow device") {
		t.Errorf("message %q gives no way out", err)
	}
	var d interface{ Details() string }
	if !errors.As(err, &d) {
		t.Fatal("TimeoutError has no Details")
	}
	for _, want := range []string{"AADSTS50011   Redirect URI not registered", "AADSTS700016  Application not found", "cdflogin doctor"} {
		if !strings.Contains(d.Details(), want) {
			t.Errorf("Details lacks %q:\n%s", want, d.Details())
		}
	}
	portFree(t, l.Port())
}

func TestCancelThroughListenContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	l, err := Listen(ctx, Config{State: "s", FindProcess: NoProcessLookup})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cancel()
	_, err = wait(t, l)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	portFree(t, l.Port())
}

func TestCancelThroughWaitContext(t *testing.T) {
	l := start(t, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := l.Wait(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	portFree(t, l.Port())
}

func TestCloseBeforeAnswer(t *testing.T) {
	l := start(t, Config{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := wait(t, l); !errors.Is(err, ErrClosed) {
		t.Fatalf("Wait after Close = %v", err)
	}
	portFree(t, l.Port())
}

func TestAnswerKeepsServingUntilClose(t *testing.T) {
	l := start(t, Config{})
	do(t, l, "GET", l.Addr(), "/?code=c&state="+testState, nil)
	if _, err := wait(t, l); err != nil {
		t.Fatal(err)
	}
	if r := do(t, l, "GET", l.Addr(), "/?code=c&state="+testState, nil); !strings.Contains(r.body, "already done") {
		t.Fatalf("after answer: %q", r.body)
	}
	_ = l.Close()
	portFree(t, l.Port())
}

func TestIPv6Loopback(t *testing.T) {
	l := start(t, Config{})
	conn, err := net.Dial("tcp6", net.JoinHostPort("::1", strconv.Itoa(l.Port())))
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	conn.Close()
	req, _ := http.NewRequest("GET", "http://[::1]:"+strconv.Itoa(l.Port())+"/?code=v6&state="+testState, nil)
	req.Host = l.Addr()
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if res, err := wait(t, l); err != nil || res.Code != "v6" {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
}

func TestNotReachableOnNonLoopbackAddress(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	l := start(t, Config{})
	tried := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), strconv.Itoa(l.Port())), 2*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("listener reachable on %s", ipn.IP)
		}
	}
	if tried == 0 {
		t.Skip("no non-loopback address on this machine (TestNotReachableOnAnAddressOfItsOwn makes one where it may)")
	}
}

func TestProcFinderFindsThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc lookup is Linux only")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	got := ProcFinder{}.Find(port)
	want := "(pid " + strconv.Itoa(os.Getpid()) + ")"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("Find(%d) = %q, want … %s", port, got, want)
	}
	// The real Listen uses it by default.
	_, err = Listen(t.Context(), Config{Port: port, State: "s"})
	var pe *PortInUseError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.Process, want) {
		t.Fatalf("Listen on busy port: %v", err)
	}
}

package sandbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is shared by the tests of this package: generating the
// certificate key per test is wasted time.
var sharedWorld = sandbox.DefaultWorld()

func start(t *testing.T, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	if opts.World == nil {
		w := sharedWorld
		opts.World = &w
	}
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sb
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// aadsts returns the first entry of error_codes.
func (a answer) aadsts() int {
	codes, _ := a.body["error_codes"].([]any)
	if len(codes) == 0 {
		return 0
	}
	f, _ := codes[0].(float64)
	return int(f)
}

func request(t *testing.T, c *http.Client, method, target string, form url.Values, header map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, target, raw, err)
		}
	}
	return a
}

func postToken(t *testing.T, sb *sandbox.Sandbox, form url.Values) answer {
	t.Helper()
	return request(t, sb.HTTPClient(), http.MethodPost, sb.AuthorityURL()+"/oauth2/v2.0/token", form, nil)
}

func cdfGet(t *testing.T, sb *sandbox.Sandbox, path, token string) answer {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return request(t, sb.HTTPClient(), http.MethodGet, sb.CDFURL()+path, nil, h)
}

func secretToken(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	a := postToken(t, sb, url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.SecretAppID},
		"client_secret": {sandbox.SecretAppSecret}, "scope": {sb.CDFURL() + "/.default"}})
	if a.status != 200 {
		t.Fatalf("client credentials: %d %s", a.status, a.raw)
	}
	return a.str("access_token")
}

// claimsOf decodes a JWT payload without verifying it.
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// loopback is a redirect listener like a CLI's: it records what the
// browser delivered (query GET or form_post POST).
type loopback struct {
	url  string
	mu   sync.Mutex
	got  url.Values
	meth string
}

func newLoopback(t *testing.T) *loopback {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lb := &loopback{url: "http://localhost:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		lb.mu.Lock()
		lb.got, lb.meth = r.Form, r.Method
		lb.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return lb
}

func (lb *loopback) values() (url.Values, string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.got, lb.meth
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeURL(sb *sandbox.Sandbox, clientID, redirect, scope, challenge, mode string) string {
	q := url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {scope}, "state": {"st-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if mode != "" {
		q.Set("response_mode", mode)
	}
	return sb.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode()
}

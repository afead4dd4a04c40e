package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

// clock is a settable clock for Deps.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuf collects Logf output.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type harness struct {
	entra *fakeEntra
	svc   *Service
	clock *clock
	logs  *logBuf // Logf: diagnostics
	warns *logBuf // Warnf: warnings
	dir   string
}

func newHarness(t *testing.T) *harness { return newBenchHarness(t) }

func newBenchHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{entra: newFakeEntra(t), clock: &clock{t: time.Now()}, logs: &logBuf{}, warns: &logBuf{}, dir: filepath.Join(t.TempDir(), "cache")}
	h.svc = New(Deps{
		HTTPClient: h.entra.srv.Client(),
		Now:        h.clock.Now,
		Secret: func(p profiles.Profile, field string) (string, error) {
			if field == "client_secret" && p.ClientSecret == "env:GOOD" {
				return h.entra.secret, nil
			}
			if field == "client_secret" && p.ClientSecret == "env:BAD" {
				return "wrong-" + h.entra.secret, nil
			}
			return "", fmt.Errorf("%s: not set", field)
		},
		CacheDir: h.dir,
		Logf:     h.logs.Logf,
		Warnf:    h.warns.Logf,
	})
	return h
}

func (h *harness) profile(flow profiles.Flow) profiles.Profile {
	p := profiles.Profile{
		Name:      "dev",
		Tenant:    h.entra.tenant,
		ClientID:  "aaaaaaaa-0000-0000-0000-00000000000" + map[profiles.Flow]string{profiles.FlowDevice: "1", profiles.FlowSecret: "2", profiles.FlowBrowser: "3", profiles.FlowCertificate: "4"}[flow],
		Cluster:   "westeurope-1",
		Project:   "demo",
		Flow:      flow,
		Authority: h.entra.authority(),
		CDFURL:    "https://westeurope-1.cognitedata.com",
	}
	if flow == profiles.FlowSecret {
		p.ClientSecret = "env:GOOD"
	}
	return p
}

func (h *harness) requests() int {
	h.entra.mu.Lock()
	defer h.entra.mu.Unlock()
	n := 0
	for _, c := range h.entra.counts {
		n += c
	}
	return n
}

// assertNoSecrets fails when any issued token or the client secret appears
// in s.
func (h *harness) assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	h.entra.mu.Lock()
	defer h.entra.mu.Unlock()
	for _, v := range append([]string{h.entra.secret}, h.entra.issued...) {
		if strings.Contains(s, v) {
			t.Errorf("%s contains a secret or token: %q", what, s)
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSecretLoginSilentCachedLogout(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	ctx := ctxT(t)

	tok, err := h.svc.Login(ctx, p, "", nil)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.AccessToken == "" || tok.FromCache || tok.Flow != profiles.FlowSecret || tok.ExpiresOn.IsZero() {
		t.Fatalf("Login tokens = %+v", tok)
	}
	checkCacheFileModes(t, h.dir, p.Name)
	checkCacheNeverFoundOpen(t, h)

	before := h.requests()
	again, err := h.svc.Silent(ctx, p, SilentOptions{})
	if err != nil {
		t.Fatalf("Silent: %v", err)
	}
	if !again.FromCache || again.AccessToken != tok.AccessToken {
		t.Fatalf("Silent did not return the cached token: fromCache=%v same=%v", again.FromCache, again.AccessToken == tok.AccessToken)
	}
	if n := h.requests() - before; n != 0 {
		t.Fatalf("Silent on a warm cache made %d requests, want 0", n)
	}

	cached, err := h.svc.Cached(p)
	if err != nil || cached == nil || cached.AccessToken != tok.AccessToken {
		t.Fatalf("Cached = %+v, %v", cached, err)
	}

	var events []Event
	forced, err := h.svc.Silent(ctx, p, SilentOptions{Force: true, Events: func(e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatalf("forced Silent: %v", err)
	}
	if forced.FromCache || forced.AccessToken == tok.AccessToken {
		t.Fatalf("forced Silent returned the old token")
	}
	if got := h.entra.count("token:client_credentials"); got != 2 {
		t.Fatalf("client_credentials requests = %d, want 2", got)
	}
	if len(events) != 2 {
		t.Fatalf("events = %#v, want Refreshing, Refreshed", events)
	}
	if _, ok := events[0].(Refreshing); !ok {
		t.Errorf("first event %T, want Refreshing", events[0])
	}
	if r, ok := events[1].(Refreshed); !ok || !r.ExpiresAt.Equal(forced.ExpiresOn) {
		t.Errorf("second event %#v, want Refreshed{%v}", events[1], forced.ExpiresOn)
	}

	// The forced token replaced the old one in the cache.
	cached, err = h.svc.Cached(p)
	if err != nil || cached == nil || cached.AccessToken != forced.AccessToken {
		t.Fatalf("Cached after force = %v, %v", cached != nil, err)
	}

	removed, err := h.svc.Logout(p)
	if err != nil || len(removed) != 1 {
		t.Fatalf("Logout = %v, %v", removed, err)
	}
	if cached, err := h.svc.Cached(p); err != nil || cached != nil {
		t.Fatalf("Cached after logout = %+v, %v", cached, err)
	}
	removed, err = h.svc.Logout(p)
	if err != nil || len(removed) != 0 {
		t.Fatalf("second Logout = %v, %v", removed, err)
	}
	h.assertNoSecrets(t, "logs", h.logs.String())
}

// checkCacheNeverFoundOpen fails when cdflogin found the cache it wrote
// itself readable by others: a read tightens such a file (with a warning),
// so its mode alone, seen afterwards, would not tell how it was written.
func checkCacheNeverFoundOpen(t *testing.T, h *harness) {
	t.Helper()
	if w := h.warns.String(); strings.Contains(w, "could be read by other users") {
		t.Errorf("the cache was written with a mode others may read (a later read restricted it):\n%s", w)
	}
}

func checkCacheFileModes(t *testing.T, dir, profile string) {
	t.Helper()
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %v, want 0700", di.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v, want no group/other access", e.Name(), info.Mode().Perm())
		}
		if strings.HasPrefix(e.Name(), profile+".") && strings.HasSuffix(e.Name(), ".json") {
			found = true
		}
	}
	if !found {
		t.Errorf("no cache file for %q in %v", profile, entries)
	}
}

func TestDeviceLoginRefreshAndExpiry(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowDevice)
	ctx := ctxT(t)

	var got []Event
	tok, err := h.svc.Login(ctx, p, "", func(e Event) { got = append(got, e) })
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("no DeviceCode event")
	}
	dc, ok := got[0].(DeviceCode)
	if !ok || dc.UserCode != "ABCD-EFGH" || dc.VerificationURL == "" || dc.Message == "" || dc.ExpiresAt.IsZero() || dc.Interval != time.Second {
		t.Fatalf("first event = %#v", got[0])
	}
	if tok.Account.Username != "ada@example.com" || tok.Account.Name != "Ada Lovelace" || tok.Account.TenantID != h.entra.tenant || tok.IDToken == "" {
		t.Fatalf("account = %+v", tok.Account)
	}
	checkCacheFileModes(t, h.dir, p.Name)
	checkCacheNeverFoundOpen(t, h)

	// Warm cache: no request.
	before := h.requests()
	c, err := h.svc.Silent(ctx, p, SilentOptions{})
	if err != nil || !c.FromCache || c.AccessToken != tok.AccessToken {
		t.Fatalf("Silent warm = %+v, %v", c, err)
	}
	if c.Account.Username != "ada@example.com" || c.Account.Name != "Ada Lovelace" {
		t.Errorf("cached account = %+v", c.Account)
	}
	if n := h.requests() - before; n != 0 {
		t.Fatalf("warm Silent made %d requests", n)
	}

	// MinValid beyond the token's life → refresh.
	var events []Event
	r, err := h.svc.Silent(ctx, p, SilentOptions{MinValid: 2 * time.Hour, Events: func(e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatalf("Silent with MinValid: %v", err)
	}
	if r.FromCache || r.AccessToken == tok.AccessToken || h.entra.count("token:refresh_token") != 1 {
		t.Fatalf("Silent did not refresh: fromCache=%v refreshes=%d", r.FromCache, h.entra.count("token:refresh_token"))
	}
	if len(events) != 2 {
		t.Fatalf("events = %#v", events)
	}

	// Clock past expiry → refresh.
	h.clock.Add(2 * time.Hour)
	r2, err := h.svc.Silent(ctx, p, SilentOptions{})
	if err != nil || r2.FromCache || r2.AccessToken == r.AccessToken {
		t.Fatalf("Silent after expiry = %+v, %v", r2, err)
	}
	if got := h.entra.count("token:refresh_token"); got != 2 {
		t.Fatalf("refreshes = %d, want 2", got)
	}

	// The refresh token expires → login required, with the AADSTS inside.
	h.clock.Add(2 * time.Hour)
	body := `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0b1c2d3e-0000-0000-0000-000000000001\r\nCorrelation ID: 9f8e7d6c-0000-0000-0000-000000000002","error_codes":[700082],"suberror":"bad_token"}`
	h.entra.set(func(f *fakeEntra) { f.refreshError = body })
	_, err = h.svc.Silent(ctx, p, SilentOptions{})
	var lre *LoginRequiredError
	if !errors.As(err, &lre) || !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want *LoginRequiredError", err)
	}
	var ae *aadsts.Error
	if !errors.As(err, &ae) || ae.AADSTS() != 700082 || ae.Code != "invalid_grant" {
		t.Fatalf("aadsts in err = %+v", ae)
	}
	if !strings.Contains(lre.Reason, "700082") {
		t.Errorf("reason %q does not name 700082", lre.Reason)
	}
	h.assertNoSecrets(t, "error", err.Error())
	h.assertNoSecrets(t, "logs", h.logs.String())

	// Cached still shows the (expired) token without a request.
	before = h.requests()
	cached, err := h.svc.Cached(p)
	if err != nil || cached == nil || cached.AccessToken != r2.AccessToken || cached.Account.Username != "ada@example.com" {
		t.Fatalf("Cached = %+v, %v", cached, err)
	}
	if n := h.requests() - before; n != 0 {
		t.Fatalf("Cached made %d requests", n)
	}
}

func TestDevicePollErrors(t *testing.T) {
	tests := []struct {
		answer string
		kind   error
	}{
		{"authorization_declined", ErrDeclined},
		{"expired_token", ErrDeviceCodeExpired},
		{"bad_verification_code", nil},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			h := newHarness(t)
			h.entra.set(func(f *fakeEntra) { f.deviceAnswer = tt.answer })
			_, err := h.svc.Login(ctxT(t), h.profile(profiles.FlowDevice), "", nil)
			var ae *aadsts.Error
			if !errors.As(err, &ae) || ae.Code != tt.answer {
				t.Fatalf("err = %v, want *aadsts.Error %s", err, tt.answer)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
			}
			if _, err := os.Stat(filepath.Join(h.dir, "dev.msal.json")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("failed login left a cache file: %v", err)
			}
		})
	}
}

func TestDeviceLoginCancel(t *testing.T) {
	h := newHarness(t)
	h.entra.set(func(f *fakeEntra) { f.deviceAnswer = "authorization_pending" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := h.svc.Login(ctx, h.profile(profiles.FlowDevice), "", func(e Event) {
		if _, ok := e.(DeviceCode); ok {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSilentNeedsLogin(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowDevice)
	_, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
	var lre *LoginRequiredError
	if !errors.As(err, &lre) || lre.Reason != "no cached sign-in" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "cdflogin login -p dev") {
		t.Errorf("error does not say what to run: %v", err)
	}
	if h.requests() != 0 {
		t.Errorf("Silent without a cache made %d requests", h.requests())
	}
	if c, err := h.svc.Cached(p); c != nil || err != nil {
		t.Errorf("Cached = %+v, %v", c, err)
	}
}

func TestSilentAppFlowFetchesWithoutLogin(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	tok, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
	if err != nil || tok.FromCache || tok.AccessToken == "" {
		t.Fatalf("Silent = %+v, %v", tok, err)
	}
	tok2, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
	if err != nil || !tok2.FromCache || tok2.AccessToken != tok.AccessToken {
		t.Fatalf("second Silent = %+v, %v", tok2, err)
	}
}

func TestSecretErrors(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	p.ClientSecret = "env:BAD"
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	var ae *aadsts.Error
	if !errors.As(err, &ae) || ae.AADSTS() != 7000215 || ae.Code != "invalid_client" {
		t.Fatalf("err = %v, want AADSTS7000215", err)
	}
	h.assertNoSecrets(t, "error", err.Error())

	p.ClientSecret = "env:MISSING"
	_, err = h.svc.Login(ctxT(t), p, "", nil)
	if err == nil || !strings.Contains(err.Error(), "client_secret") {
		t.Fatalf("err = %v, want a client_secret error", err)
	}
	p.ClientSecret = ""
	_, err = h.svc.Login(ctxT(t), p, "", nil)
	if err == nil || !strings.Contains(err.Error(), "no client_secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestNetworkError(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	h.entra.srv.Close()
	_, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v, want ErrNetwork", err)
	}
}

func TestServerErrorIsTemporary(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowDevice)
	if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
		t.Fatal(err)
	}
	h.entra.set(func(f *fakeEntra) {
		f.refreshError = `{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred.","error_codes":[90033]}`
	})
	// refreshError is sent with 400; make it a 503 through a wrapper.
	orig := h.entra.srv.Config.Handler
	h.entra.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("upstream unavailable"))
			return
		}
		orig.ServeHTTP(w, r)
	})
	_, err := h.svc.Silent(ctxT(t), p, SilentOptions{Force: true})
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v, want ErrNetwork", err)
	}
	if errors.Is(err, ErrLoginRequired) {
		t.Fatalf("a 503 must not ask for a login: %v", err)
	}
}

func TestCorruptedCacheMovedAside(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowDevice)
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(h.dir, "dev.msal.json")
	if err := os.WriteFile(path, []byte(`{"AccessToken": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
	if !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login required", err)
	}
	if !strings.Contains(h.warns.String(), "moved it to") {
		t.Errorf("no warning given: %q", h.warns.String())
	}
	aside, _ := filepath.Glob(path + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("moved-aside files = %v", aside)
	}
	if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
		t.Fatalf("Login after corruption: %v", err)
	}
	removed, err := h.svc.Logout(p)
	if err != nil || len(removed) != 2 {
		t.Fatalf("Logout removed %v, %v; want the cache and the moved-aside copy", removed, err)
	}
}

func TestCheckProfile(t *testing.T) {
	ok := profiles.Profile{Name: "x", Tenant: "t", ClientID: "c", Cluster: "westeurope-1", Flow: profiles.FlowDevice}
	tests := []struct {
		name   string
		mutate func(p *profiles.Profile)
		want   string
	}{
		{"ok", func(*profiles.Profile) {}, ""},
		{"no client", func(p *profiles.Profile) { p.ClientID = "" }, "client_id"},
		{"no tenant", func(p *profiles.Profile) { p.Tenant = "" }, "tenant"},
		{"no cluster", func(p *profiles.Profile) { p.Cluster = "" }, "cluster"},
		{"http authority", func(p *profiles.Profile) { p.Authority = "http://x/t" }, "https"},
		{"no flow", func(p *profiles.Profile) { p.Flow = "" }, "no flow"},
		{"bad flow", func(p *profiles.Profile) { p.Flow = "magic" }, "unknown flow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.mutate(&p)
			err := checkProfile(p, p.Flow)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestShortLivedTokensAreCached checks that tokens MSAL will not cache
// (valid under 5 minutes) are still answered from the cache while they are
// valid beyond MinValid.
func TestShortLivedTokensAreCached(t *testing.T) {
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowSecret} {
		t.Run(string(flow), func(t *testing.T) {
			h := newHarness(t)
			h.entra.set(func(f *fakeEntra) { f.lifetime = 2 * time.Minute })
			p := h.profile(flow)
			tok, err := h.svc.Login(ctxT(t), p, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			before := h.requests()
			c, err := h.svc.Silent(ctxT(t), p, SilentOptions{MinValid: 30 * time.Second})
			if err != nil || !c.FromCache || c.AccessToken != tok.AccessToken || h.requests() != before {
				t.Fatalf("Silent = %+v, %v; %d requests", c, err, h.requests()-before)
			}
			if flow.IsUser() && c.Account.Username != "ada@example.com" {
				t.Errorf("account = %+v", c.Account)
			}
			// Past MinValid it refreshes, and the refreshed short token is
			// kept too.
			h.clock.Add(100 * time.Second)
			r, err := h.svc.Silent(ctxT(t), p, SilentOptions{MinValid: 30 * time.Second})
			if err != nil || r.FromCache {
				t.Fatalf("Silent near expiry = %+v, %v", r, err)
			}
			h.clock.Add(-100 * time.Second)
			before = h.requests()
			c, err = h.svc.Silent(ctxT(t), p, SilentOptions{MinValid: 30 * time.Second})
			if err != nil || !c.FromCache || c.AccessToken != r.AccessToken || h.requests() != before {
				t.Fatalf("Silent after the refresh = fromCache %v same %v, %v", c.FromCache, c.AccessToken == r.AccessToken, err)
			}
		})
	}
}

func TestCachedWithoutFlow(t *testing.T) {
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowSecret} {
		t.Run(string(flow), func(t *testing.T) {
			h := newHarness(t)
			p := h.profile(flow)
			tok, err := h.svc.Login(ctxT(t), p, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			p.Flow = ""
			c, err := h.svc.Cached(p)
			if err != nil || c == nil || c.AccessToken != tok.AccessToken || c.Flow.IsUser() != flow.IsUser() {
				t.Fatalf("Cached = %+v, %v", c, err)
			}
		})
	}
}

// BenchmarkSilentWarm measures Silent answered from the cache file (lock,
// read, parse, match; no MSAL client, no request).
func BenchmarkSilentWarm(b *testing.B) {
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowSecret} {
		b.Run(string(flow), func(b *testing.B) {
			h := newBenchHarness(b)
			p := h.profile(flow)
			ctx := context.Background()
			if _, err := h.svc.Login(ctx, p, "", nil); err != nil {
				b.Fatal(err)
			}
			before := h.requests()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tok, err := h.svc.Silent(ctx, p, SilentOptions{})
				if err != nil || !tok.FromCache {
					b.Fatalf("Silent = %v, %v", tok, err)
				}
			}
			b.StopTimer()
			if n := h.requests() - before; n != 0 {
				b.Fatalf("%d requests on a warm cache", n)
			}
		})
	}
}

func TestCachePath(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	path, err := h.svc.CachePath(p)
	if err != nil || path != filepath.Join(h.dir, "dev.msal.json") {
		t.Fatalf("CachePath = %q, %v", path, err)
	}
	if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the cache is not at CachePath: %v", err)
	}
	if _, err := New(Deps{}).CachePath(p); err == nil {
		t.Fatal("CachePath without a cache folder succeeded")
	}
}

package e2e_test

// End-to-end tests of the flows against the sandbox over TLS: the four
// sign-ins, refresh after expiry, forced refresh, refresh-token expiry, the
// AADSTS answers the sandbox produces, network faults, 20 processes on one
// expired cache, and a check that no secret or token reaches any output.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// flowEnv is a sandbox plus a flows.Service whose clock runs offset ahead
// of the real one, and everything the flows said (errors, logs, events)
// for the secret check.
type flowEnv struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	svc    *flows.Service
	deps   flows.Deps
	dir    string
	offset atomic.Int64

	mu      sync.Mutex
	outputs []string // errors, log lines, events
	tokens  []string // every token handed to the test
}

func newFlowEnv(t *testing.T, opts sandbox.Options) *flowEnv {
	t.Helper()
	return newFlowEnvOn(t, startFlowSandbox(t, opts))
}

// startFlowSandbox starts a sandbox that allows fast device-code polling.
func startFlowSandbox(t *testing.T, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	if opts.DeviceInterval == 0 {
		opts.DeviceInterval = time.Millisecond
	}
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// newFlowEnvOn is a flowEnv with its own cache folder and service on a
// shared sandbox (starting one costs several RSA key generations).
func newFlowEnvOn(t *testing.T, sb *sandbox.Sandbox) *flowEnv {
	t.Helper()
	e := &flowEnv{t: t, sb: sb, dir: filepath.Join(t.TempDir(), "cache")}
	e.deps = flows.Deps{
		HTTPClient: sb.HTTPClient(),
		Now:        func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
		Secret: func(p profiles.Profile, field string) (string, error) {
			switch {
			case field == "client_secret" && p.ClientSecret == "env:SANDBOX_SECRET":
				return sandbox.SecretAppSecret, nil
			case field == "client_secret" && p.ClientSecret == "env:WRONG_SECRET":
				return "wrong~" + sandbox.SecretAppSecret, nil
			case field == "certificate_password" && p.CertificatePassword == "env:PFX_PASSWORD":
				return sandbox.CertificatePFXPassword, nil
			}
			return "", fmt.Errorf("%s: environment variable not set", field)
		},
		CacheDir:    e.dir,
		OpenBrowser: e.signInAs(sandbox.AliceUsername),
		Logf: func(format string, args ...any) {
			e.record(fmt.Sprintf(format, args...))
		},
	}
	e.svc = flows.New(e.deps)
	t.Cleanup(e.checkNoSecrets)
	return e
}

// withDeps rebuilds the service after changing deps.
func (e *flowEnv) withDeps(change func(d *flows.Deps)) {
	change(&e.deps)
	e.svc = flows.New(e.deps)
}

func (e *flowEnv) record(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.outputs = append(e.outputs, s)
}

// events returns an Events that records every event (rendered with %+v,
// as a careless UI might) and, for device codes, runs onCode.
func (e *flowEnv) events(onCode func(flows.DeviceCode)) (flows.Events, func() []flows.Event) {
	var mu sync.Mutex
	var got []flows.Event
	return func(ev flows.Event) {
			e.record(fmt.Sprintf("%+v", ev))
			mu.Lock()
			got = append(got, ev)
			mu.Unlock()
			if dc, ok := ev.(flows.DeviceCode); ok && onCode != nil {
				onCode(dc)
			}
		}, func() []flows.Event {
			mu.Lock()
			defer mu.Unlock()
			return append([]flows.Event(nil), got...)
		}
}

// keep records a result (token values for the secret check) and an error.
func (e *flowEnv) keep(tok *flows.Tokens, err error) (*flows.Tokens, error) {
	if tok != nil {
		cached := e.cacheSecrets() // refresh tokens too, before a logout removes them
		e.mu.Lock()
		e.tokens = append(append(e.tokens, tok.AccessToken, tok.IDToken), cached...)
		e.mu.Unlock()
	}
	if err != nil {
		e.record(err.Error())
		e.record(fmt.Sprintf("%+v", err))
	}
	return tok, err
}

func (e *flowEnv) login(p profiles.Profile, events flows.Events) (*flows.Tokens, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return e.keep(e.svc.Login(ctx, p, "", events))
}

func (e *flowEnv) silent(p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return e.keep(e.svc.Silent(ctx, p, opts))
}

// approve returns a DeviceCode handler approving the code as username.
func (e *flowEnv) approve(username string) func(flows.DeviceCode) {
	return func(dc flows.DeviceCode) {
		if err := e.sb.ApproveDeviceCode(dc.UserCode, username); err != nil {
			e.t.Errorf("approve %s: %v", dc.UserCode, err)
		}
	}
}

// signInAs is a browser opener that signs in on the sandbox's pages in the
// background, as a person in a browser would.
func (e *flowEnv) signInAs(username string) func(string) error {
	return func(u string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _ = sandbox.SignInAs(ctx, e.sb.HTTPClient(), u, username)
		}()
		return nil
	}
}

func (e *flowEnv) profile(appKey string, flow profiles.Flow) profiles.Profile {
	app, ok := e.sb.World().App(appKey)
	if !ok {
		e.t.Fatalf("no sandbox app %q", appKey)
	}
	p := profiles.Profile{
		Name:      "sb-" + appKey,
		Tenant:    e.sb.World().TenantID,
		ClientID:  app.ClientID,
		Project:   sandbox.ProjectName,
		Flow:      flow,
		Authority: e.sb.AuthorityURL(),
		CDFURL:    e.sb.CDFURL(),
	}
	switch flow {
	case profiles.FlowSecret:
		p.ClientSecret = "env:SANDBOX_SECRET"
	case profiles.FlowBrowser:
		p.RedirectPort = flowsFreePort(e.t)
	}
	return p
}

func (e *flowEnv) requests(endpoint, grant string) int {
	n := 0
	for _, r := range e.sb.Requests() {
		if (endpoint == "" || r.Endpoint == endpoint) && (grant == "" || r.Grant == grant) {
			n++
		}
	}
	return n
}

// cacheSecrets returns every "secret" value in the profile's cache file.
func (e *flowEnv) cacheSecrets() []string {
	var out []string
	entries, _ := os.ReadDir(e.dir)
	for _, ent := range entries {
		data, err := os.ReadFile(filepath.Join(e.dir, ent.Name()))
		if err != nil {
			continue
		}
		var doc map[string]map[string]map[string]any
		if json.Unmarshal(data, &doc) != nil {
			continue
		}
		for _, section := range doc {
			for _, entry := range section {
				if s, ok := entry["secret"].(string); ok && s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// checkNoSecrets fails when any secret, token or password appears in
// anything the flows said.
func (e *flowEnv) checkNoSecrets() {
	e.mu.Lock()
	defer e.mu.Unlock()
	// The PFX password ("sandbox") is too common a word to grep for; it
	// only ever goes to the PKCS#12 decoder.
	secrets := append([]string{sandbox.SecretAppSecret}, e.tokens...)
	secrets = append(secrets, e.cacheSecrets()...)
	for _, out := range e.outputs {
		for _, s := range secrets {
			if len(s) >= 12 && strings.Contains(out, s) {
				e.t.Errorf("output contains a secret or token (%d chars): %q", len(s), out)
			}
		}
	}
}

func flowsFreePort(t *testing.T) int {
	t.Helper()
	l, err := loopback.Listen(context.Background(), loopback.Config{Port: 0, State: "probe", FindProcess: loopback.NoProcessLookup})
	if err != nil {
		t.Fatal(err)
	}
	port := l.Port()
	_ = l.Close()
	return port
}

func TestFlowsDeviceRefreshExpiry(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{})
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	events, got := e.events(e.approve(sandbox.AliceUsername))
	tok, err := e.login(p, events)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if evs := got(); len(evs) != 1 {
		t.Fatalf("events = %#v, want one DeviceCode", evs)
	} else if dc := evs[0].(flows.DeviceCode); dc.UserCode == "" || !strings.HasPrefix(dc.VerificationURL, "https://127.0.0.1") || dc.ExpiresAt.Before(time.Now()) {
		t.Fatalf("DeviceCode = %+v", dc)
	}
	if tok.Account.Username != sandbox.AliceUsername || tok.Account.TenantID != sandbox.TenantID || tok.IDToken == "" || tok.FromCache {
		t.Fatalf("tokens = %+v", tok.Account)
	}

	// Warm cache: no request at all.
	e.sb.ResetRequests()
	c, err := e.silent(p, flows.SilentOptions{})
	if err != nil || !c.FromCache || c.AccessToken != tok.AccessToken || c.Account.Username != sandbox.AliceUsername {
		t.Fatalf("warm Silent = %+v, %v", c, err)
	}
	if n := len(e.sb.Requests()); n != 0 {
		t.Fatalf("warm Silent made %d requests: %+v", n, e.sb.Requests())
	}
	cached, err := e.svc.Cached(p)
	if err != nil || cached == nil || cached.AccessToken != tok.AccessToken || len(e.sb.Requests()) != 0 {
		t.Fatalf("Cached = %+v, %v", cached, err)
	}

	// After expiry: one refresh.
	e.offset.Store(int64(2 * time.Hour))
	evs, gotRefresh := e.events(nil)
	r, err := e.silent(p, flows.SilentOptions{Events: evs})
	if err != nil || r.FromCache || r.AccessToken == tok.AccessToken {
		t.Fatalf("Silent after expiry = %+v, %v", r, err)
	}
	if n := e.requests("token", "refresh_token"); n != 1 {
		t.Fatalf("refresh requests = %d, want 1", n)
	}
	if re := gotRefresh(); len(re) != 2 {
		t.Fatalf("refresh events = %#v", re)
	}
	e.offset.Store(0)

	// Forced refresh of a valid token.
	f, err := e.silent(p, flows.SilentOptions{Force: true})
	if err != nil || f.FromCache || f.AccessToken == r.AccessToken {
		t.Fatalf("forced Silent = %+v, %v", f, err)
	}
	if n := e.requests("token", "refresh_token"); n != 2 {
		t.Fatalf("refresh requests = %d, want 2", n)
	}

	// The refresh token outlives its 90 days: login required, 700082 inside.
	e.sb.Advance(91 * 24 * time.Hour)
	e.offset.Store(int64(91 * 24 * time.Hour))
	_, err = e.silent(p, flows.SilentOptions{})
	var lre *flows.LoginRequiredError
	var ae *aadsts.Error
	if !errors.As(err, &lre) || !errors.As(err, &ae) || ae.AADSTS() != 700082 || !errors.Is(err, flows.ErrLoginRequired) {
		t.Fatalf("err = %v, want login required with AADSTS700082", err)
	}

	removed, err := e.svc.Logout(p)
	if err != nil || len(removed) != 1 {
		t.Fatalf("Logout = %v, %v", removed, err)
	}
	if c, err := e.svc.Cached(p); c != nil || err != nil {
		t.Fatalf("Cached after logout = %+v, %v", c, err)
	}
	_, err = e.silent(p, flows.SilentOptions{})
	if !errors.As(err, &lre) || lre.Reason != "no cached sign-in" {
		t.Fatalf("Silent after logout = %v", err)
	}
}

func TestFlowsRevokedRefreshToken(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{})
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	events, _ := e.events(e.approve(sandbox.BobUsername))
	if _, err := e.login(p, events); err != nil {
		t.Fatal(err)
	}
	if n := e.sb.ExpireRefreshTokens(sandbox.BobUsername); n != 1 {
		t.Fatalf("expired %d refresh tokens", n)
	}
	_, err := e.silent(p, flows.SilentOptions{Force: true})
	var ae *aadsts.Error
	if !errors.Is(err, flows.ErrLoginRequired) || !errors.As(err, &ae) || ae.AADSTS() != 700082 {
		t.Fatalf("err = %v", err)
	}
	// The cached access token is still there for Cached.
	if c, err := e.svc.Cached(p); err != nil || c == nil || c.AccessToken == "" {
		t.Fatalf("Cached = %+v, %v", c, err)
	}
}

func TestFlowsBrowser(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{})
	p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
	events, got := e.events(nil)
	tok, err := e.login(p, events)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.Account.Username != sandbox.AliceUsername || tok.Flow != profiles.FlowBrowser {
		t.Fatalf("tokens = %+v", tok.Account)
	}
	evs := got()
	if len(evs) != 3 {
		t.Fatalf("events = %#v", evs)
	}
	if _, ok := evs[0].(flows.BrowserOpening); !ok {
		t.Errorf("first event %T, want BrowserOpening", evs[0])
	}
	if w, ok := evs[1].(flows.WaitingForRedirect); !ok || w.Addr != fmt.Sprintf("localhost:%d", p.RedirectPort) {
		t.Errorf("second event %#v", evs[1])
	}
	if _, ok := evs[2].(flows.Redeeming); !ok {
		t.Errorf("third event %T, want Redeeming", evs[2])
	}
	e.sb.ResetRequests()
	if c, err := e.silent(p, flows.SilentOptions{}); err != nil || !c.FromCache || len(e.sb.Requests()) != 0 {
		t.Fatalf("warm Silent = %v, %v, %d requests", c, err, len(e.sb.Requests()))
	}
	if f, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil || f.FromCache {
		t.Fatalf("forced Silent = %v, %v", f, err)
	}
}

func TestFlowsBrowserErrors(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	t.Run("cancelled on the sign-in page", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		e.withDeps(func(d *flows.Deps) {
			d.OpenBrowser = func(u string) error {
				go func() { _, _ = sandbox.CancelSignIn(context.Background(), e.sb.HTTPClient(), u) }()
				return nil
			}
		})
		_, err := e.login(e.profile(sandbox.AppBrowser, profiles.FlowBrowser), nil)
		var ae *aadsts.Error
		if !errors.Is(err, flows.ErrDeclined) || !errors.As(err, &ae) || ae.Code != "access_denied" || ae.Source != aadsts.SourceRedirect {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("redirect URI under Web (7000218 on redemption)", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		_, err := e.login(e.profile(sandbox.AppNoPublic, profiles.FlowBrowser), nil)
		var ae *aadsts.Error
		if !errors.As(err, &ae) || ae.AADSTS() != 7000218 {
			t.Fatalf("err = %v, want AADSTS7000218", err)
		}
	})
	t.Run("browser cannot open, URL opened by hand", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		byHand := e.signInAs(sandbox.AliceUsername)
		e.withDeps(func(d *flows.Deps) { d.OpenBrowser = func(string) error { return errors.New("no display") } })
		var failed *flows.BrowserFailed
		events, _ := e.events(nil)
		tok, err := e.login(e.profile(sandbox.AppBrowser, profiles.FlowBrowser), func(ev flows.Event) {
			events(ev)
			switch ev := ev.(type) {
			case flows.BrowserFailed:
				failed = &ev
			case flows.WaitingForRedirect:
				_ = byHand(failed.URL)
			}
		})
		if err != nil || tok.AccessToken == "" || failed == nil {
			t.Fatalf("Login = %v (BrowserFailed seen: %v)", err, failed != nil)
		}
	})
	t.Run("error page in the browser: the listener times out", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		e.withDeps(func(d *flows.Deps) { d.RedirectTimeout = 300 * time.Millisecond })
		p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
		p.ClientID = "00000000-0000-4000-8000-000000000000" // unknown app: Entra shows AADSTS700016 in the browser
		_, err := e.login(p, nil)
		var te *loopback.TimeoutError
		if !errors.As(err, &te) {
			t.Fatalf("err = %v, want a redirect timeout", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
		busy, err := loopback.Listen(context.Background(), loopback.Config{Port: p.RedirectPort, State: "x", FindProcess: loopback.NoProcessLookup})
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		_, err = e.login(p, nil)
		var pe *loopback.PortInUseError
		if !errors.As(err, &pe) || pe.Port != p.RedirectPort {
			t.Fatalf("err = %v, want *loopback.PortInUseError", err)
		}
	})
}

// TestFlowsShortLivedTokens checks that tokens living under MSAL's 5
// minute leeway are still answered from the cache.
func TestFlowsShortLivedTokens(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{AccessTokenLifetime: 3 * time.Minute})
	for _, p := range []profiles.Profile{e.profile(sandbox.AppDevice, profiles.FlowDevice), e.profile(sandbox.AppSecret, profiles.FlowSecret)} {
		events, _ := e.events(e.approve(sandbox.AliceUsername))
		tok, err := e.login(p, events)
		if err != nil {
			t.Fatal(err)
		}
		e.sb.ResetRequests()
		c, err := e.silent(p, flows.SilentOptions{MinValid: 30 * time.Second})
		if err != nil || !c.FromCache || c.AccessToken != tok.AccessToken || len(e.sb.Requests()) != 0 {
			t.Fatalf("%s: Silent = %v, %v; %d requests", p.Flow, c, err, len(e.sb.Requests()))
		}
		// With the default 5 minute leeway a 3 minute token is refreshed.
		r, err := e.silent(p, flows.SilentOptions{})
		if err != nil || r.FromCache {
			t.Fatalf("%s: Silent with the default leeway = %v, %v", p.Flow, r, err)
		}
	}
}

func TestFlowsSecret(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{})
	p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
	tok, err := e.login(p, nil)
	if err != nil || tok.AccessToken == "" || tok.Account != (flows.Account{}) {
		t.Fatalf("Login = %+v, %v", tok, err)
	}
	e.sb.ResetRequests()
	c, err := e.silent(p, flows.SilentOptions{})
	if err != nil || !c.FromCache || c.AccessToken != tok.AccessToken || len(e.sb.Requests()) != 0 {
		t.Fatalf("warm Silent = %+v, %v, requests %d", c, err, len(e.sb.Requests()))
	}
	e.offset.Store(int64(2 * time.Hour))
	r, err := e.silent(p, flows.SilentOptions{})
	if err != nil || r.FromCache || e.requests("token", "client_credentials") != 1 {
		t.Fatalf("Silent after expiry = %+v, %v", r, err)
	}
	e.offset.Store(0)
	if f, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil || f.FromCache || f.AccessToken == tok.AccessToken {
		t.Fatalf("forced Silent = %+v, %v", f, err)
	}
}

func TestFlowsCertificate(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{})
	app, _ := e.sb.World().App(sandbox.AppCertificate)
	cert := app.Certificates[0]
	dir := t.TempDir()
	pemPath := filepath.Join(dir, "app.pem")
	pfxPath := filepath.Join(dir, "app.pfx")
	if err := os.WriteFile(pemPath, cert.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pfxPath, cert.PFX, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path, password string }{
		{"PEM", pemPath, ""},
		{"PFX", pfxPath, "env:PFX_PASSWORD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := e.profile(sandbox.AppCertificate, profiles.FlowCertificate)
			p.Name += "-" + c.name
			p.Certificate, p.CertificatePassword = c.path, c.password
			info, err := flows.CertificateInfo(p, e.deps)
			if err != nil || !strings.EqualFold(info.SHA1, cert.ThumbprintSHA1()) {
				t.Fatalf("CertificateInfo = %+v, %v (portal thumbprint %s)", info, err, cert.ThumbprintSHA1())
			}
			tok, err := e.login(p, nil)
			if err != nil || tok.AccessToken == "" {
				t.Fatalf("Login = %v", err)
			}
			if c, err := e.silent(p, flows.SilentOptions{}); err != nil || !c.FromCache {
				t.Fatalf("warm Silent = %v, %v", c, err)
			}
		})
	}
	t.Run("certificate not registered (700027)", func(t *testing.T) {
		other, err := sandbox.NewCertificate("CN=not-registered", "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "other.pem")
		if err := os.WriteFile(path, other.PEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		p := e.profile(sandbox.AppCertificate, profiles.FlowCertificate)
		p.Certificate = path
		_, err = e.login(p, nil)
		var ae *aadsts.Error
		if !errors.As(err, &ae) || ae.AADSTS() != 700027 {
			t.Fatalf("err = %v, want AADSTS700027", err)
		}
	})
}

// TestFlowsAADSTS runs every Entra refusal the sandbox produces through the
// flows and checks the typed result.
func TestFlowsAADSTS(t *testing.T) {
	tests := []struct {
		name    string
		app     string
		flow    profiles.Flow
		mutate  func(p *profiles.Profile)
		onCode  func(e *flowEnv, dc flows.DeviceCode)
		code    int
		errCode string
		kind    error
	}{
		{name: "unknown app (700016)", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			mutate: func(p *profiles.Profile) { p.ClientID = "00000000-0000-4000-8000-000000000000" }, code: 700016, errCode: "unauthorized_client"},
		{name: "public client flows off (7000218)", app: sandbox.AppNoPublic, flow: profiles.FlowDevice,
			onCode: func(e *flowEnv, dc flows.DeviceCode) { _ = e.sb.ApproveDeviceCode(dc.UserCode, sandbox.AliceUsername) }, code: 7000218, errCode: "invalid_client"},
		{name: "no consent (65001)", app: sandbox.AppNoConsent, flow: profiles.FlowDevice,
			onCode: func(e *flowEnv, dc flows.DeviceCode) { _ = e.sb.ApproveDeviceCode(dc.UserCode, sandbox.AliceUsername) }, code: 65001, errCode: "invalid_grant"},
		{name: "declined", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			onCode: func(e *flowEnv, dc flows.DeviceCode) { _ = e.sb.DeclineDeviceCode(dc.UserCode) }, errCode: "authorization_declined", kind: flows.ErrDeclined},
		{name: "device code expired", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			onCode: func(e *flowEnv, dc flows.DeviceCode) { e.sb.Advance(16 * time.Minute) }, errCode: "expired_token", kind: flows.ErrDeviceCodeExpired},
		{name: "unknown resource (500011)", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			mutate: func(p *profiles.Profile) { p.Scopes = []string{"https://nowhere.cognitedata.example/.default"} }, code: 500011, errCode: "invalid_resource"},
		{name: "two resources (70011, not compatible)", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			mutate: func(p *profiles.Profile) {
				p.Scopes = []string{p.CDFURL + "/.default", "https://westeurope-1.cognitedata.com/.default"}
			}, code: 70011, errCode: "invalid_scope"},
		{name: "malformed scope (70011)", app: sandbox.AppDevice, flow: profiles.FlowDevice,
			mutate: func(p *profiles.Profile) { p.Scopes = []string{"cdf-please"} }, code: 70011, errCode: "invalid_scope"},
		{name: "unknown tenant (90002)", app: sandbox.AppSecret, flow: profiles.FlowSecret,
			mutate: func(p *profiles.Profile) {
				p.Authority = strings.TrimSuffix(p.Authority, sandbox.TenantID) + "00000000-0000-4000-8000-00000000dead"
			}, code: 90002},
		{name: "wrong secret (7000215)", app: sandbox.AppSecret, flow: profiles.FlowSecret,
			mutate: func(p *profiles.Profile) { p.ClientSecret = "env:WRONG_SECRET" }, code: 7000215, errCode: "invalid_client"},
		{name: "client credentials without .default (1002012)", app: sandbox.AppSecret, flow: profiles.FlowSecret,
			mutate: func(p *profiles.Profile) { p.Scopes = []string{p.CDFURL + "/user_impersonation"} }, code: 1002012, errCode: "invalid_scope"},
	}
	sb := startFlowSandbox(t, sandbox.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFlowEnvOn(t, sb)
			p := e.profile(tt.app, tt.flow)
			if tt.mutate != nil {
				tt.mutate(&p)
			}
			var onCode func(flows.DeviceCode)
			if tt.onCode != nil {
				onCode = func(dc flows.DeviceCode) { tt.onCode(e, dc) }
			}
			events, _ := e.events(onCode)
			_, err := e.login(p, events)
			var ae *aadsts.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *aadsts.Error", err)
			}
			if tt.code != 0 && ae.AADSTS() != tt.code {
				t.Errorf("AADSTS = %d, want %d (%v)", ae.AADSTS(), tt.code, err)
			}
			if tt.errCode != "" && ae.Code != tt.errCode {
				t.Errorf("error = %q, want %q", ae.Code, tt.errCode)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(err, %v) = false: %v", tt.kind, err)
			}
			if errors.Is(err, flows.ErrNetwork) || errors.Is(err, flows.ErrLoginRequired) {
				t.Errorf("a refusal must be neither a network error nor login-required: %v", err)
			}
			if entries, _ := os.ReadDir(e.dir); len(entries) > 1 {
				t.Errorf("a failed sign-in wrote to the cache: %v", entries)
			}
		})
	}
}

func TestFlowsNetworkFaults(t *testing.T) {
	faults := []sandbox.Fault{
		{Server: "entra", Path: "/oauth2/v2.0/token", Kind: sandbox.FaultReset},
		{Server: "entra", Path: "/oauth2/v2.0/token", Kind: sandbox.FaultClose},
		{Server: "entra", Path: "/oauth2/v2.0/token", Status: 503, RetryAfter: 5, Body: `{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred. Please try again."}`},
		{Server: "entra", Path: "/oauth2/v2.0/token", Kind: sandbox.FaultHTML},
		{Server: "entra", Path: "/oauth2/v2.0/token", Status: 429, RetryAfter: 1},
	}
	e := newFlowEnv(t, sandbox.Options{})
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	events, _ := e.events(e.approve(sandbox.AliceUsername))
	tok, err := e.login(p, events)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		name := string(f.Kind)
		if name == "" {
			name = fmt.Sprint(f.Status)
		}
		t.Run(name, func(t *testing.T) {
			e.sb.ClearFaults()
			if err := e.sb.InjectFault(f); err != nil {
				t.Fatal(err)
			}
			_, err := e.silent(p, flows.SilentOptions{Force: true})
			if !errors.Is(err, flows.ErrNetwork) || errors.Is(err, flows.ErrLoginRequired) {
				t.Fatalf("err = %v, want ErrNetwork", err)
			}
			// The cached token is kept.
			if c, err := e.svc.Cached(p); err != nil || c == nil || c.AccessToken == "" {
				t.Fatalf("Cached after a network failure = %+v, %v", c, err)
			}
		})
	}
	e.sb.ClearFaults()
	if r, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil || r.AccessToken == tok.AccessToken {
		t.Fatalf("Silent after the faults cleared = %v", err)
	}
}

// TestFlowsConcurrentSilentProcesses starts 20 processes that call Silent
// at once on one expired cache: exactly one refresh request may reach the
// sandbox, every process gets the same new token, and the cache file is
// valid afterwards.
func TestFlowsConcurrentSilentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a helper program")
	}
	const procs = 20
	bin := filepath.Join(t.TempDir(), "silentproc")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, "./internal/silentproc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build silentproc: %v\n%s", err, out)
	}

	e := newFlowEnv(t, sandbox.Options{})
	caFile := filepath.Join(t.TempDir(), "sandbox-ca.pem")
	if err := os.WriteFile(caFile, e.sb.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	p.CAFile = caFile
	events, _ := e.events(e.approve(sandbox.AliceUsername))
	tok, err := e.login(p, events)
	if err != nil {
		t.Fatal(err)
	}
	profileJSON, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(e.dir, tokencache.FileName(p.Name))
	expireCachedAccessTokens(t, cachePath)
	e.sb.ResetRequests()

	type result struct {
		FromCache bool   `json:"from_cache"`
		TokenHash string `json:"token_sha256"`
		Error     string `json:"error"`
	}
	results := make([]result, procs)
	stderrs := make([]bytes.Buffer, procs)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(),
				"SILENTPROC_PROFILE="+string(profileJSON),
				"SILENTPROC_CACHE="+e.dir,
				"SILENTPROC_CLOCK_OFFSET=0s",
			)
			cmd.Stderr = &stderrs[i]
			<-start
			out, err := cmd.Output()
			e.record(string(out))
			line, _ := bufio.NewReader(bytes.NewReader(out)).ReadBytes('\n')
			if jerr := json.Unmarshal(line, &results[i]); jerr != nil {
				results[i].Error = fmt.Sprintf("process %d: %v (exit %v)", i, jerr, err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	for i := range stderrs {
		e.record(stderrs[i].String())
	}

	refreshed := 0
	for i, r := range results {
		if r.Error != "" {
			t.Errorf("process %d: %s (stderr: %s)", i, r.Error, stderrs[i].String())
			continue
		}
		if !r.FromCache {
			refreshed++
		}
		if r.TokenHash != results[0].TokenHash {
			t.Errorf("process %d got another token than process 0", i)
		}
	}
	if refreshed != 1 {
		t.Errorf("%d processes refreshed, want exactly 1", refreshed)
	}
	if n := e.requests("token", ""); n != 1 {
		t.Errorf("%d token requests reached the sandbox, want exactly 1: %+v", n, e.sb.Requests())
	}

	// The cache file is valid and holds the new token.
	data, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("cache file is not valid JSON after the concurrent refresh")
	}
	c, err := e.svc.Cached(p)
	if err != nil || c == nil || c.AccessToken == tok.AccessToken {
		t.Fatalf("Cached after the concurrent refresh = %v, %v", c != nil, err)
	}
	e.mu.Lock()
	e.tokens = append(e.tokens, c.AccessToken)
	e.mu.Unlock()
}

// expireCachedAccessTokens rewrites the cache file so that its access
// tokens expired a minute ago, as if the machine had slept.
func expireCachedAccessTokens(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var ats map[string]map[string]any
	if err := json.Unmarshal(doc["AccessToken"], &ats); err != nil || len(ats) == 0 {
		t.Fatalf("no access tokens in the cache: %v", err)
	}
	past := fmt.Sprint(time.Now().Add(-time.Minute).Unix())
	for _, at := range ats {
		at["expires_on"] = past
		at["extended_expires_on"] = past
	}
	if doc["AccessToken"], err = json.Marshal(ats); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

package flows

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

type idpHarness struct {
	idp   *fakeIdP
	svc   *Service
	clock *clock
	dir   string
	warns *logBuf
}

func newIdPHarness(t *testing.T, cognito bool) *idpHarness {
	t.Helper()
	h := &idpHarness{idp: newFakeIdP(t, cognito), clock: &clock{t: time.Now()}, dir: filepath.Join(t.TempDir(), "cache"), warns: &logBuf{}}
	h.idp.now = h.clock.Now
	h.svc = New(Deps{
		HTTPClient: h.idp.srv.Client(),
		Now:        h.clock.Now,
		Secret: func(p profiles.Profile, field string) (string, error) {
			if field == "client_secret" && p.ClientSecret == "env:GOOD" {
				return h.idp.secret, nil
			}
			if field == "client_secret" && p.ClientSecret == "env:BAD" {
				return "wrong", nil
			}
			return "", fmt.Errorf("%s: not set", field)
		},
		CacheDir: h.dir,
		Warnf:    h.warns.Logf,
	})
	return h
}

func (h *idpHarness) profile(flow profiles.Flow) profiles.Profile {
	prov := profiles.ProviderOIDC
	if h.idp.cognito {
		prov = profiles.ProviderCognito
	}
	p := profiles.Profile{Name: "idp", Provider: prov, Issuer: h.idp.issuer(), ClientID: "client-" + string(flow), Flow: flow,
		CDFURL: "https://api.example.com", Project: "p"}
	if flow == profiles.FlowSecret {
		p.ClientSecret = "env:GOOD"
	}
	return p
}

// browserTo GETs the authorize URL like a browser, following the redirect
// to the loopback listener, in the background.
func (h *idpHarness) browser(t *testing.T) (func(string) error, func()) {
	var wg sync.WaitGroup
	client := h.idp.srv.Client()
	return func(u string) error {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(u)
			if err != nil {
				t.Errorf("browser double: %v", err)
				return
			}
			_ = resp.Body.Close()
		}()
		return nil
	}, wg.Wait
}

func TestProviderClientCredentials(t *testing.T) {
	for _, c := range []struct {
		name      string
		cognito   bool
		methods   []string
		wantBasic bool
	}{
		{"cognito basic", true, []string{"client_secret_basic", "client_secret_post"}, true},
		{"oidc post only", false, []string{"client_secret_post"}, false},
		{"no methods listed means basic", false, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newIdPHarness(t, c.cognito)
			h.idp.set(func(f *fakeIdP) {
				f.authMethods = c.methods
				if c.methods == nil {
					f.authMethods = []string{"client_secret_basic"}
				}
			})
			p := h.profile(profiles.FlowSecret)
			p.Audience = "https://api.example.com"
			tok, err := h.svc.Login(ctxT(t), p, "", nil)
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if tok.AccessToken == "" || tok.Flow != profiles.FlowSecret || tok.ExpiresOn.Before(time.Now().Add(50*time.Minute)) {
				t.Fatalf("tokens = %+v", tok)
			}
			h.idp.mu.Lock()
			basic, form := h.idp.basicSeen, h.idp.lastForm["client_credentials"]
			h.idp.mu.Unlock()
			if basic != c.wantBasic {
				t.Errorf("client_secret_basic used = %v, want %v", basic, c.wantBasic)
			}
			// Cognito asks for the resource server's scopes; an oidc
			// profile with an audience asks for none (the audience names
			// the API).
			if form.Get("audience") != "https://api.example.com" || strings.Contains(form.Get("scope"), "IDENTITY") != c.cognito {
				t.Errorf("token request form = %v", form)
			}
			// Silent answers from the cache without a request.
			before := h.idp.count("/oauth2/token")
			again, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
			if err != nil || again.AccessToken != tok.AccessToken || !again.FromCache || h.idp.count("/oauth2/token") != before {
				t.Fatalf("Silent = %+v, %v (token requests %d → %d)", again, err, before, h.idp.count("/oauth2/token"))
			}
			// Close to expiry, Silent asks for a new app token.
			h.clock.Add(58 * time.Minute)
			fresh, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
			if err != nil || fresh.AccessToken == tok.AccessToken || fresh.FromCache {
				t.Fatalf("Silent near expiry = %+v, %v", fresh, err)
			}
			// The cache file is private.
			path, _ := h.svc.CachePath(p)
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("cache file %v, %v", fi, err)
			}
			if removed, err := h.svc.Logout(p); err != nil || len(removed) == 0 {
				t.Fatalf("Logout = %v, %v", removed, err)
			}
			if cached, err := h.svc.Cached(p); err != nil || cached != nil {
				t.Fatalf("Cached after logout = %+v, %v", cached, err)
			}
		})
	}
}

func TestProviderWrongSecret(t *testing.T) {
	h := newIdPHarness(t, true)
	p := h.profile(profiles.FlowSecret)
	p.ClientSecret = "env:BAD"
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Code != "invalid_client" || pe.Provider != profiles.ProviderCognito {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "Amazon Cognito refused: invalid_client") {
		t.Errorf("message = %q", err)
	}
	if title, fix := ProviderAdvice(p, pe.Code); title == "" || !strings.Contains(fix, "eu-west-1_Pool7") {
		t.Errorf("advice = %q, %q", title, fix)
	}
}

func TestProviderTokenURLOverrideWithoutIssuer(t *testing.T) {
	h := newIdPHarness(t, false)
	p := h.profile(profiles.FlowSecret)
	p.TokenURL = h.idp.issuer() + "/oauth2/token"
	p.Issuer = ""
	if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	if n := h.idp.count("/.well-known/openid-configuration"); n != 0 {
		t.Errorf("discovery read %d times without an issuer", n)
	}
	if _, err := h.svc.Silent(ctxT(t), p, SilentOptions{}); err != nil {
		t.Fatalf("Silent: %v", err)
	}
}

func TestProviderCertificate(t *testing.T) {
	tc := newTestCert(t, 0)
	path := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(path, tc.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newIdPHarness(t, false)
	h.idp.set(func(f *fakeIdP) { f.certKey = &tc.key.PublicKey })
	p := h.profile(profiles.FlowCertificate)
	p.Certificate = path
	if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
		t.Fatalf("Login: %v", err)
	}
	h.idp.mu.Lock()
	form := h.idp.lastForm["client_credentials"]
	h.idp.mu.Unlock()
	if form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || form.Get("client_secret") != "" {
		t.Errorf("form = %v", form)
	}

	// A provider that does not take private_key_jwt: a clear refusal, no
	// token request.
	h2 := newIdPHarness(t, false)
	h2.idp.set(func(f *fakeIdP) { f.authMethods = []string{"client_secret_post"} })
	p2 := h2.profile(profiles.FlowCertificate)
	p2.Certificate = path
	_, err := h2.svc.Login(ctxT(t), p2, "", nil)
	if !errors.Is(err, ErrFlowUnsupported) || !strings.Contains(err.Error(), "private_key_jwt") || !strings.Contains(err.Error(), "--flow secret") {
		t.Fatalf("err = %v", err)
	}
	if h2.idp.count("/oauth2/token") != 0 {
		t.Error("a token request was made")
	}
}

func TestProviderBrowser(t *testing.T) {
	for _, cognito := range []bool{true, false} {
		t.Run(fmt.Sprint("cognito=", cognito), func(t *testing.T) {
			h := newIdPHarness(t, cognito)
			h.idp.set(func(f *fakeIdP) { f.issParam = !cognito })
			open, wait := h.browser(t)
			h.svc.deps.OpenBrowser = open
			p := h.profile(profiles.FlowBrowser)
			p.RedirectPort = freePort(t)
			var opened string
			tok, err := h.svc.Login(ctxT(t), p, "", func(e Event) {
				if o, ok := e.(BrowserOpening); ok {
					opened = o.URL
				}
			})
			wait()
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if tok.Account.Username != "alice@example.com" || tok.Account.HomeAccountID != "alice-sub" || tok.IDToken == "" {
				t.Fatalf("tokens = %+v", tok)
			}
			if strings.Contains(opened, "offline_access") == cognito {
				t.Errorf("authorize URL %s: offline_access only where the provider lists it, never for Cognito", opened)
			}
			// Expiring: Silent refreshes with the refresh token, keeping
			// the account (Cognito returns no new refresh token).
			h.clock.Add(58 * time.Minute)
			r, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
			if err != nil || r.AccessToken == tok.AccessToken || r.Account.HomeAccountID != "alice-sub" {
				t.Fatalf("refresh = %+v, %v", r, err)
			}
			h.clock.Add(58 * time.Minute)
			if _, err := h.svc.Silent(ctxT(t), p, SilentOptions{}); err != nil {
				t.Fatalf("second refresh (the kept refresh token): %v", err)
			}
			// A revoked refresh token: a sign-in is required.
			h.idp.set(func(f *fakeIdP) { f.refresh = map[string]bool{} })
			_, err = h.svc.Silent(ctxT(t), p, SilentOptions{Force: true})
			if !errors.Is(err, ErrLoginRequired) {
				t.Fatalf("revoked refresh: %v", err)
			}
		})
	}
}

func TestProviderBrowserIssuerCheck(t *testing.T) {
	h := newIdPHarness(t, false)
	h.idp.set(func(f *fakeIdP) { f.issParam = true })
	// A browser whose answer names another issuer (a mix-up): refused.
	client := h.idp.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var wg sync.WaitGroup
	h.svc.deps.OpenBrowser = func(u string) error {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(u)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
			loc := strings.Replace(resp.Header.Get("Location"), "iss=", "iss=https%3A%2F%2Fevil.example", 1)
			if r2, err := http.Get(loc); err == nil {
				_ = r2.Body.Close()
			}
		}()
		return nil
	}
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = freePort(t)
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	wg.Wait()
	var ie *loopback.IssuerError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
}

func TestProviderDevice(t *testing.T) {
	h := newIdPHarness(t, false)
	p := h.profile(profiles.FlowDevice)
	var code DeviceCode
	tok, err := h.svc.Login(ctxT(t), p, "", func(e Event) {
		if d, ok := e.(DeviceCode); ok {
			code = d
		}
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if code.UserCode != "ABCD-EFGH" || !strings.Contains(code.Message, "ABCD-EFGH") || tok.Account.HomeAccountID != "alice-sub" {
		t.Fatalf("code %+v, tokens %+v", code, tok)
	}
	cached, err := h.svc.Cached(p)
	if err != nil || cached == nil || cached.Account.Username != "alice@example.com" || cached.IDToken == "" {
		t.Fatalf("Cached = %+v, %v", cached, err)
	}
}

func TestProviderFlowRefusals(t *testing.T) {
	// Cognito: no device code, no certificate, said before any request.
	h := newIdPHarness(t, true)
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowCertificate} {
		_, err := h.svc.Login(ctxT(t), h.profile(flow), "", nil)
		if !errors.Is(err, ErrFlowUnsupported) || !strings.Contains(err.Error(), "Cognito") {
			t.Errorf("%s: %v", flow, err)
		}
	}
	if n := h.idp.count("/.well-known/openid-configuration"); n != 0 {
		t.Errorf("%d discovery requests for refused flows", n)
	}
	// An OIDC provider without a device endpoint: refused from discovery.
	h2 := newIdPHarness(t, false)
	h2.idp.set(func(f *fakeIdP) { f.cognito = true }) // drops the device endpoint from discovery
	p := h2.profile(profiles.FlowDevice)
	_, err := h2.svc.Login(ctxT(t), p, "", nil)
	var fe *FlowUnsupportedError
	if !errors.As(err, &fe) || fe.Try != profiles.FlowBrowser || !strings.Contains(err.Error(), "device_authorization_endpoint") {
		t.Fatalf("err = %v", err)
	}
}

func TestProviderDiscoveryIssuerMismatch(t *testing.T) {
	h := newIdPHarness(t, false)
	h.idp.set(func(f *fakeIdP) { f.discoIssuer = f.issuer() + "/" })
	_, err := h.svc.Login(ctxT(t), h.profile(profiles.FlowSecret), "", nil)
	var de *DiscoveryError
	if !errors.As(err, &de) || de.Mismatch == "" || !strings.Contains(err.Error(), "names another issuer") {
		t.Fatalf("err = %v", err)
	}
}

func TestProviderUnreachable(t *testing.T) {
	h := newIdPHarness(t, true)
	p := h.profile(profiles.FlowSecret)
	h.idp.srv.Close()
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	if !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "Amazon Cognito could not be reached") {
		t.Fatalf("err = %v", err)
	}
}

func TestSecretAuthStyle(t *testing.T) {
	p := profiles.Profile{Name: "x"}
	for _, c := range []struct {
		methods []string
		want    oauth2.AuthStyle
		err     bool
	}{
		{nil, oauth2.AuthStyleInHeader, false},
		{[]string{"client_secret_post"}, oauth2.AuthStyleInParams, false},
		{[]string{"client_secret_post", "client_secret_basic"}, oauth2.AuthStyleInHeader, false},
		{[]string{"private_key_jwt"}, 0, true},
	} {
		got, err := secretAuthStyle(p, &Discovery{TokenAuthMethods: c.methods})
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("%v: %v, %v", c.methods, got, err)
		}
	}
	if got, err := secretAuthStyle(p, nil); err != nil || got != oauth2.AuthStyleAutoDetect {
		t.Errorf("no discovery: %v, %v", got, err)
	}
}

func TestNewSetRoundTrip(t *testing.T) {
	exp := time.Unix(2_000_000_000, 0)
	data, err := tokencache.NewSet(tokencache.Set{Environment: "idp.example:8443", Realm: "pool", ClientID: "c", HomeAccountID: "sub1",
		Username: "alice", AccessToken: "at", Target: "a b", ExpiresOn: exp, CachedAt: exp.Add(-time.Hour), RefreshToken: "rt", IDToken: "x.y.z"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tokencache.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	e := c.Find(tokencache.Query{ClientID: "c", Environment: "idp.example:8443", Realm: "pool", Scopes: []string{"a"}})
	if e.AccessToken == nil || e.AccessToken.Secret != "at" || !e.HasRefreshToken || e.IDToken != "x.y.z" || e.Account.Username != "alice" {
		t.Fatalf("entry = %+v", e)
	}
	if rt, _ := tokencache.RefreshTokenOf(data, "sub1", "idp.example:8443", "c"); rt != "rt" {
		t.Fatalf("refresh token = %q", rt)
	}
}

// TestProviderBrowserNonce: an ID token whose nonce is not the sign-in's
// is refused.
func TestProviderBrowserNonce(t *testing.T) {
	h := newIdPHarness(t, true)
	h.idp.set(func(f *fakeIdP) { f.badNonce = true })
	open, wait := h.browser(t)
	h.svc.deps.OpenBrowser = open
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = freePort(t)
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	wait()
	if err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Fatalf("err = %v", err)
	}
}

package sandbox_test

import (
	"context"
	"crypto/sha1" //nolint:gosec // x5t
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognite-tools/cdflogin/sandbox"
)

var descRE = regexp.MustCompile(`^AADSTS(\d+): .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`)

// checkEntraError asserts an answer is an Entra error of the given kind,
// in Entra's exact shape.
func checkEntraError(t *testing.T, a answer, status int, code string, aadsts int) {
	t.Helper()
	if a.status != status || a.str("error") != code || a.aadsts() != aadsts {
		t.Fatalf("got %d %s %d, want %d %s %d: %s", a.status, a.str("error"), a.aadsts(), status, code, aadsts, a.raw)
	}
	m := descRE.FindStringSubmatch(a.str("error_description"))
	if m == nil || m[1] != strconv.Itoa(aadsts) {
		t.Errorf("error_description not Entra-shaped: %q", a.str("error_description"))
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id", "error_uri"} {
		if a.str(k) == "" {
			t.Errorf("error lacks %s", k)
		}
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	cdf := sb.CDFURL() + "/.default"
	cc := func(clientID, secret, scope string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {scope}}
		if secret != "" {
			v.Set("client_secret", secret)
		}
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		code   string
		aadsts int
	}{
		{"unknown app", cc("00000000-1111-2222-3333-444444444444", "x", cdf), 400, "unauthorized_client", 700016},
		{"wrong secret", cc(sandbox.SecretAppID, "not-the-secret", cdf), 401, "invalid_client", 7000215},
		{"no credential", cc(sandbox.SecretAppID, "", cdf), 401, "invalid_client", 7000218},
		{"public client sends a secret", cc(sandbox.BrowserAppID, "whatever", cdf), 401, "invalid_client", 700025},
		{"named scope with client credentials", cc(sandbox.SecretAppID, sandbox.SecretAppSecret, sb.CDFURL()+"/user_impersonation"), 400, "invalid_scope", 1002012},
		{"only openid with client credentials", cc(sandbox.SecretAppID, sandbox.SecretAppSecret, "openid"), 400, "invalid_scope", 1002012},
		{"unknown resource", cc(sandbox.SecretAppID, sandbox.SecretAppSecret, "https://nowhere.example.com/.default"), 400, "invalid_resource", 500011},
		{"unsupported grant", url.Values{"grant_type": {"password"}, "client_id": {sandbox.BrowserAppID}}, 400, "unsupported_grant_type", 70003},
		{"missing grant", url.Values{"client_id": {sandbox.BrowserAppID}}, 400, "invalid_request", 900144},
		{"garbage refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID},
			"refresh_token": {"nonsense"}, "scope": {cdf}}, 400, "invalid_grant", 9002313},
		{"unknown device code", url.Values{"grant_type": {"device_code"}, "client_id": {sandbox.DeviceAppID},
			"device_code": {"nonsense"}}, 400, "bad_verification_code", 70019},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEntraError(t, postToken(t, sb, tt.form), tt.status, tt.code, tt.aadsts)
		})
	}
}

func TestUnknownTenant(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := sb.HTTPClient()
	bad := sb.BaseURL() + "/11111111-2222-3333-4444-555555555555"
	checkEntraError(t, request(t, c, http.MethodGet, bad+"/v2.0/.well-known/openid-configuration", nil, nil), 400, "invalid_tenant", 90002)
	checkEntraError(t, request(t, c, http.MethodPost, bad+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}}, nil), 400, "invalid_tenant", 90002)
	checkEntraError(t, request(t, c, http.MethodPost, bad+"/oauth2/v2.0/devicecode", url.Values{"client_id": {sandbox.DeviceAppID}}, nil), 400, "invalid_tenant", 90002)
	// A domain no tenant claims: discovery answers as Entra does.
	a := request(t, c, http.MethodGet, sb.BaseURL()+"/contoso.example/v2.0/.well-known/openid-configuration", nil, nil)
	checkEntraError(t, a, 400, "invalid_tenant", 90002)
	if d := a.str("error_description"); !strings.HasPrefix(d, "AADSTS90002: Tenant 'contoso.example' not found. ") {
		t.Errorf("error_description = %q", d)
	}
}

func TestCorrelationIDEchoed(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := request(t, sb.HTTPClient(), http.MethodPost, sb.AuthorityURL()+"/oauth2/v2.0/token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.SecretAppID}}, map[string]string{"client-request-id": "0b5c7d8e-1111-4222-8333-944445555666"})
	if a.str("correlation_id") != "0b5c7d8e-1111-4222-8333-944445555666" {
		t.Errorf("correlation_id = %q", a.str("correlation_id"))
	}
}

// assertion signs a client assertion like MSAL (PS256 + x5t#S256) or like
// older clients (RS256 + x5t).
func assertion(t *testing.T, cert sandbox.Certificate, alg, aud, sub string, exp time.Time) string {
	t.Helper()
	block, _ := pem.Decode(cert.KeyPEM)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var method jwt.SigningMethod = jwt.SigningMethodPS256
	if alg == "RS256" {
		method = jwt.SigningMethodRS256
	}
	tok := jwt.NewWithClaims(method, jwt.MapClaims{"aud": aud, "iss": sub, "sub": sub, "jti": "j-1",
		"nbf": exp.Add(-10 * time.Minute).Unix(), "exp": exp.Unix()})
	if alg == "RS256" {
		sum := sha1.Sum(cert.Cert.Raw) //nolint:gosec // x5t
		tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(sum[:])
	} else {
		sum := sha256.Sum256(cert.Cert.Raw)
		tok.Header["x5t#S256"] = base64.StdEncoding.EncodeToString(sum[:])
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCertificateAssertion(t *testing.T) {
	sb := start(t, sandbox.Options{})
	app, _ := sb.World().App(sandbox.AppCertificate)
	cert := app.Certificates[0]
	other, err := sandbox.NewCertificate("CN=other", "x", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Right thumbprint, wrong key: the header claims the registered
	// certificate but the signature is by another key.
	forged := other
	forged.Cert = cert.Cert
	tokenURL := sb.AuthorityURL() + "/oauth2/v2.0/token"
	now := time.Now()
	tests := []struct {
		name      string
		assertion string
		status    int
		code      string
		aadsts    int
	}{
		{"PS256 x5t#S256", assertion(t, cert, "PS256", tokenURL, sandbox.CertificateAppID, now.Add(5*time.Minute)), 200, "", 0},
		{"RS256 x5t", assertion(t, cert, "RS256", tokenURL, sandbox.CertificateAppID, now.Add(5*time.Minute)), 200, "", 0},
		{"unregistered certificate", assertion(t, other, "PS256", tokenURL, sandbox.CertificateAppID, now.Add(5*time.Minute)), 401, "invalid_client", 700027},
		{"bad signature", assertion(t, forged, "PS256", tokenURL, sandbox.CertificateAppID, now.Add(5*time.Minute)), 401, "invalid_client", 700027},
		{"wrong audience", assertion(t, cert, "PS256", "https://example.com/token", sandbox.CertificateAppID, now.Add(5*time.Minute)), 401, "invalid_client", 700212},
		{"wrong subject", assertion(t, cert, "PS256", tokenURL, sandbox.SecretAppID, now.Add(5*time.Minute)), 401, "invalid_client", 700021},
		{"expired", assertion(t, cert, "PS256", tokenURL, sandbox.CertificateAppID, now.Add(-time.Hour)), 401, "invalid_client", 700024},
		{"not a JWT", "abc", 401, "invalid_client", 50027},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := postToken(t, sb, url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.CertificateAppID},
				"scope": {sb.CDFURL() + "/.default"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion": {tt.assertion}})
			if tt.status == 200 {
				if a.status != 200 {
					t.Fatalf("%d %s", a.status, a.raw)
				}
				if c := claimsOf(t, a.str("access_token")); c["azpacr"] != "2" || c["azp"] != sandbox.CertificateAppID {
					t.Errorf("claims %v", c)
				}
				return
			}
			checkEntraError(t, a, tt.status, tt.code, tt.aadsts)
		})
	}
}

// deviceStart asks for a device code and returns device_code, user_code.
func deviceStart(t *testing.T, sb *sandbox.Sandbox, clientID, scope string) (string, string) {
	t.Helper()
	a := request(t, sb.HTTPClient(), http.MethodPost, sb.AuthorityURL()+"/oauth2/v2.0/devicecode",
		url.Values{"client_id": {clientID}, "scope": {scope}}, nil)
	if a.status != 200 {
		t.Fatalf("devicecode: %d %s", a.status, a.raw)
	}
	return a.str("device_code"), a.str("user_code")
}

func TestDeviceCodeErrors(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	sb := start(t, sandbox.Options{Now: clock.Now, DeviceInterval: time.Second})
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	poll := func(clientID, deviceCode string) answer {
		clock.Add(2 * time.Second)
		return postToken(t, sb, url.Values{"grant_type": {"device_code"}, "client_id": {clientID}, "device_code": {deviceCode}})
	}
	t.Run("public client flows off: pending, then 7000218 after approval", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.NoPublicAppID, scope)
		checkEntraError(t, poll(sandbox.NoPublicAppID, dc), 400, "authorization_pending", 70016)
		if err := sb.ApproveDeviceCode(uc, sandbox.AliceUsername); err != nil {
			t.Fatal(err)
		}
		checkEntraError(t, poll(sandbox.NoPublicAppID, dc), 401, "invalid_client", 7000218)
	})
	t.Run("no consent: 65001 after approval", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.NoConsentAppID, scope)
		if err := sb.ApproveDeviceCode(uc, sandbox.BobUsername); err != nil {
			t.Fatal(err)
		}
		a := poll(sandbox.NoConsentAppID, dc)
		checkEntraError(t, a, 400, "invalid_grant", 65001)
		if a.str("suberror") != "consent_required" {
			t.Errorf("suberror = %q", a.str("suberror"))
		}
	})
	t.Run("declined on the page", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.DeviceAppID, scope)
		if err := sandbox.DeclineDeviceCodeHTTP(context.Background(), sb.HTTPClient(), sb.DeviceLoginURL(), uc); err != nil {
			t.Fatal(err)
		}
		checkEntraError(t, poll(sandbox.DeviceAppID, dc), 400, "authorization_declined", 70000)
	})
	t.Run("expired", func(t *testing.T) {
		dc, uc := deviceStart(t, sb, sandbox.DeviceAppID, scope)
		clock.Add(15 * time.Minute)
		checkEntraError(t, poll(sandbox.DeviceAppID, dc), 400, "expired_token", 70020)
		if err := sb.ApproveDeviceCode(uc, sandbox.AliceUsername); !errors.Is(err, sandbox.ErrUnknownUserCode) {
			t.Errorf("approving an expired code: %v", err)
		}
		// Long after expiry the sandbox forgets the code, as Entra does.
		clock.Add(2 * time.Hour)
		deviceStart(t, sb, sandbox.DeviceAppID, scope)
		checkEntraError(t, poll(sandbox.DeviceAppID, dc), 400, "bad_verification_code", 70019)
	})
	t.Run("another app's device code", func(t *testing.T) {
		dc, _ := deviceStart(t, sb, sandbox.DeviceAppID, scope)
		checkEntraError(t, poll(sandbox.BrowserAppID, dc), 400, "bad_verification_code", 70019)
	})
	t.Run("unknown app and unknown resource at devicecode", func(t *testing.T) {
		c := sb.HTTPClient()
		u := sb.AuthorityURL() + "/oauth2/v2.0/devicecode"
		checkEntraError(t, request(t, c, http.MethodPost, u, url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}, "scope": {scope}}, nil), 400, "unauthorized_client", 700016)
		checkEntraError(t, request(t, c, http.MethodPost, u, url.Values{"client_id": {sandbox.DeviceAppID}, "scope": {"https://nowhere.example.com/.default"}}, nil), 400, "invalid_resource", 500011)
	})
	t.Run("wrong code on the page", func(t *testing.T) {
		err := sandbox.ApproveDeviceCodeHTTP(context.Background(), sb.HTTPClient(), sb.DeviceLoginURL(), "NOSUCHCOD", sandbox.AliceUsername)
		var se *sandbox.SignInError
		if !errors.As(err, &se) || !strings.Contains(se.Text, "didn't work") {
			t.Errorf("got %v", err)
		}
	})
}

// signInCode runs the browser double and returns what the loopback got.
func signInCode(t *testing.T, sb *sandbox.Sandbox, clientID, scope, verifier string) (url.Values, string) {
	t.Helper()
	lb := newLoopback(t)
	status, err := sandbox.SignInAs(context.Background(), sb.HTTPClient(), authorizeURL(sb, clientID, lb.url, scope, pkce(verifier), ""), sandbox.AliceUsername)
	if err != nil || status != 200 {
		t.Fatalf("SignInAs: %d %v", status, err)
	}
	got, _ := lb.values()
	return got, lb.url
}

func TestAuthCodeErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	verifier := strings.Repeat("v", 43)
	redeem := func(clientID string, got url.Values, redirect, verifier string) answer {
		return postToken(t, sb, url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
			"code": {got.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {scope}})
	}
	t.Run("wrong verifier", func(t *testing.T) {
		got, redirect := signInCode(t, sb, sandbox.BrowserAppID, scope, verifier)
		checkEntraError(t, redeem(sandbox.BrowserAppID, got, redirect, "another-verifier-"+verifier), 400, "invalid_grant", 50148)
	})
	t.Run("code used twice", func(t *testing.T) {
		got, redirect := signInCode(t, sb, sandbox.BrowserAppID, scope, verifier)
		if a := redeem(sandbox.BrowserAppID, got, redirect, verifier); a.status != 200 {
			t.Fatalf("first: %s", a.raw)
		}
		checkEntraError(t, redeem(sandbox.BrowserAppID, got, redirect, verifier), 400, "invalid_grant", 54005)
	})
	t.Run("web platform redirect: 7000218 on redemption", func(t *testing.T) {
		got, redirect := signInCode(t, sb, sandbox.NoPublicAppID, scope, verifier)
		checkEntraError(t, redeem(sandbox.NoPublicAppID, got, redirect, verifier), 401, "invalid_client", 7000218)
	})
	t.Run("no admin consent: the user's consent on the page lets the code redeem", func(t *testing.T) {
		got, redirect := signInCode(t, sb, sandbox.NoConsentAppID, scope, verifier)
		if a := redeem(sandbox.NoConsentAppID, got, redirect, verifier); a.status != 200 {
			t.Fatalf("redeem after consent: %s", a.raw)
		}
	})
	t.Run("consent revoked before redemption: 65001", func(t *testing.T) {
		sb2 := start(t, sandbox.Options{})
		scope2 := sb2.CDFURL() + "/.default openid profile offline_access"
		got, redirect := signInCode(t, sb2, sandbox.NoConsentAppID, scope2, verifier)
		if err := sb2.RevokeConsent(sandbox.AppNoConsent); err != nil {
			t.Fatal(err)
		}
		a := postToken(t, sb2, url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.NoConsentAppID},
			"code": {got.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {scope2}})
		checkEntraError(t, a, 400, "invalid_grant", 65001)
	})
	t.Run("other redirect URI on redemption", func(t *testing.T) {
		got, _ := signInCode(t, sb, sandbox.BrowserAppID, scope, verifier)
		checkEntraError(t, redeem(sandbox.BrowserAppID, got, "http://localhost:1", verifier), 400, "invalid_grant", 500112)
	})
}

func TestAuthorizePages(t *testing.T) {
	sb := start(t, sandbox.Options{})
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	tests := []struct {
		name, clientID, redirect, scope string
		wantCode                        string // AADSTS code on the page
	}{
		{"redirect with a path", sandbox.BrowserAppID, "http://localhost:53000/callback", scope, "AADSTS50011"},
		{"https localhost", sandbox.BrowserAppID, "https://localhost:53000", scope, "AADSTS50011"},
		{"127.0.0.1 is not localhost", sandbox.BrowserAppID, "http://127.0.0.1:53000", scope, "AADSTS50011"},
		{"app without redirect URIs", sandbox.SecretAppID, "http://localhost:53000", scope, "AADSTS500113"},
		{"unknown app", "00000000-0000-0000-0000-000000000000", "http://localhost:53000", scope, "AADSTS700016"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sandbox.SignInAs(context.Background(), sb.HTTPClient(), authorizeURL(sb, tt.clientID, tt.redirect, tt.scope, pkce("v"), ""), sandbox.AliceUsername)
			var se *sandbox.SignInError
			if !errors.As(err, &se) || se.Code != tt.wantCode {
				t.Fatalf("got %v, want page with %s", err, tt.wantCode)
			}
		})
	}
	t.Run("port is ignored for localhost", func(t *testing.T) {
		got, _ := signInCode(t, sb, sandbox.BrowserAppID, scope, "v")
		if got.Get("code") == "" {
			t.Fatalf("no code: %v", got)
		}
	})
	t.Run("cancel sends access_denied", func(t *testing.T) {
		lb := newLoopback(t)
		status, err := sandbox.CancelSignIn(context.Background(), sb.HTTPClient(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce("v"), "form_post"))
		if err != nil || status != 200 {
			t.Fatalf("%d %v", status, err)
		}
		got, method := lb.values()
		if method != "POST" || got.Get("error") != "access_denied" || got.Get("error_subcode") != "cancel" ||
			!strings.HasPrefix(got.Get("error_description"), "AADSTS65004:") || got.Get("state") != "st-1" {
			t.Errorf("loopback got %s %v", method, got)
		}
	})
	t.Run("unknown resource goes to the redirect URI", func(t *testing.T) {
		lb := newLoopback(t)
		if _, err := sandbox.SignInAs(context.Background(), sb.HTTPClient(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, "https://nowhere.example.com/.default openid", pkce("v"), ""), sandbox.AliceUsername); err != nil {
			t.Fatal(err)
		}
		got, _ := lb.values()
		if got.Get("error") != "invalid_resource" || !strings.HasPrefix(got.Get("error_description"), "AADSTS500011:") {
			t.Errorf("loopback got %v", got)
		}
	})
	t.Run("unknown user stays on the page", func(t *testing.T) {
		lb := newLoopback(t)
		_, err := sandbox.SignInAs(context.Background(), sb.HTTPClient(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce("v"), ""), "mallory@example.com")
		var se *sandbox.SignInError
		if !errors.As(err, &se) || se.Code != "AADSTS50034" {
			t.Errorf("got %v", err)
		}
	})
}

func TestRefreshTokenExpiry(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	sb := start(t, sandbox.Options{Now: clock.Now, RefreshTokenLifetime: 24 * time.Hour})
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	verifier := strings.Repeat("w", 43)
	login := func() string {
		got, redirect := signInCode(t, sb, sandbox.BrowserAppID, scope, verifier)
		a := postToken(t, sb, url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.BrowserAppID},
			"code": {got.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {scope}})
		if a.status != 200 {
			t.Fatalf("redeem: %s", a.raw)
		}
		return a.str("refresh_token")
	}
	refresh := func(rt string) answer {
		return postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID}, "refresh_token": {rt}, "scope": {scope}})
	}
	t.Run("inactive longer than the lifetime", func(t *testing.T) {
		rt := login()
		clock.Add(25 * time.Hour)
		a := refresh(rt)
		checkEntraError(t, a, 400, "invalid_grant", 700082)
		if !strings.Contains(a.str("error_description"), "inactive") {
			t.Errorf("description: %q", a.str("error_description"))
		}
	})
	t.Run("rotation keeps the chain alive", func(t *testing.T) {
		rt := login()
		for range 3 {
			clock.Add(20 * time.Hour)
			a := refresh(rt)
			if a.status != 200 {
				t.Fatalf("refresh: %s", a.raw)
			}
			rt = a.str("refresh_token")
		}
	})
	t.Run("without scope, and for another resource", func(t *testing.T) {
		rt := login()
		a := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID}, "refresh_token": {rt}})
		if a.status != 200 || claimsOf(t, a.str("access_token"))["aud"] != sb.CDFURL() {
			t.Fatalf("refresh without scope: %s", a.raw)
		}
		b := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID},
			"refresh_token": {a.str("refresh_token")}, "scope": {"https://api.cognitedata.com/.default offline_access"}})
		if b.status != 200 || claimsOf(t, b.str("access_token"))["aud"] != "https://api.cognitedata.com" {
			t.Fatalf("refresh for another resource: %s", b.raw)
		}
		c := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.DeviceAppID}, "refresh_token": {rt}})
		checkEntraError(t, c, 400, "invalid_grant", 70000)
	})
	t.Run("consent revoked after sign-in: 65001 on refresh", func(t *testing.T) {
		w := sharedWorld
		clock2 := newClock()
		sb2 := start(t, sandbox.Options{Now: clock2.Now, World: &w})
		a := userToken(t, sb2, clock2, sandbox.AliceUsername, sb2.CDFURL()+"/.default offline_access")
		if r := adminPost(t, sb2, "/consent/revoke", `{"app":"device"}`); r.status != 200 {
			t.Fatalf("revoke: %v", r.body)
		}
		r := postToken(t, sb2, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.DeviceAppID}, "refresh_token": {a.str("refresh_token")}})
		checkEntraError(t, r, 400, "invalid_grant", 65001)
		if r.str("suberror") != "consent_required" {
			t.Errorf("suberror %q", r.str("suberror"))
		}
		if err := sb2.RevokeConsent("nope"); err == nil {
			t.Error("revoking an unknown app worked")
		}
	})
	t.Run("expired by the test hook", func(t *testing.T) {
		rt := login()
		if n := sb.ExpireRefreshTokens(sandbox.AliceUsername); n == 0 {
			t.Fatal("expired none")
		}
		checkEntraError(t, refresh(rt), 400, "invalid_grant", 700082)
	})
}

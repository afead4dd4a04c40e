package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

func TestDiscoveryAndKeys(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := sb.HTTPClient()
	for _, tenant := range []string{sandbox.TenantID, sandbox.TenantDomain} {
		a := request(t, c, http.MethodGet, sb.BaseURL()+"/"+tenant+"/v2.0/.well-known/openid-configuration", nil, nil)
		if a.status != 200 {
			t.Fatalf("discovery %s: %d %s", tenant, a.status, a.raw)
		}
		if got, want := a.str("issuer"), sb.AuthorityURL()+"/v2.0"; got != want {
			t.Errorf("issuer = %q, want %q", got, want)
		}
		// Asked for by domain, Entra answers with the tenant's ID in
		// every endpoint, as in the issuer.
		for _, k := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "device_authorization_endpoint", "end_session_endpoint"} {
			if !strings.HasPrefix(a.str(k), sb.AuthorityURL()+"/") {
				t.Errorf("%s = %q", k, a.str(k))
			}
		}
		// MSAL derives the device code endpoint by replacing "token".
		if dc := strings.ReplaceAll(a.str("token_endpoint"), "token", "devicecode"); dc != a.str("device_authorization_endpoint") {
			t.Errorf("token→devicecode gives %q, discovery says %q", dc, a.str("device_authorization_endpoint"))
		}
	}
	keys := request(t, c, http.MethodGet, sb.AuthorityURL()+"/discovery/v2.0/keys", nil, nil)
	list, _ := keys.body["keys"].([]any)
	if keys.status != 200 || len(list) != 1 {
		t.Fatalf("keys: %d %s", keys.status, keys.raw)
	}
	k := list[0].(map[string]any)
	for _, f := range []string{"kty", "kid", "n", "e", "x5c", "use"} {
		if k[f] == nil {
			t.Errorf("JWK lacks %s", f)
		}
	}
}

func TestClientCredentialsAndInspect(t *testing.T) {
	sb := start(t, sandbox.Options{})
	at := secretToken(t, sb)
	c := claimsOf(t, at)
	if c["aud"] != sb.CDFURL() || c["iss"] != sb.Issuer() || c["azp"] != sandbox.SecretAppID || c["azpacr"] != "1" ||
		c["idtyp"] != "app" || c["ver"] != "2.0" || c["tid"] != sandbox.TenantID {
		t.Errorf("claims: %v", c)
	}
	if c["scp"] != nil {
		t.Errorf("app token has scp: %v", c["scp"])
	}
	a := cdfGet(t, sb, "/api/v1/token/inspect", at)
	if a.status != 200 {
		t.Fatalf("inspect: %d %s", a.status, a.raw)
	}
	if a.str("subject") != c["sub"] {
		t.Errorf("subject = %q, want sub %q", a.str("subject"), c["sub"])
	}
	projects := a.body["projects"].([]any)
	if len(projects) != 1 || projects[0].(map[string]any)["projectUrlName"] != sandbox.ProjectName {
		t.Errorf("projects = %v", projects)
	}
	caps := a.body["capabilities"].([]any)
	if len(caps) == 0 {
		t.Fatal("no capabilities")
	}
	first := caps[0].(map[string]any)
	if first["projectScope"] == nil || len(first) != 2 {
		t.Errorf("capability shape: %v", first)
	}
	if a.header.Get("X-Request-Id") == "" {
		t.Error("CDF answer without X-Request-Id")
	}
}

func TestDeviceCodeFlow(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	sb := start(t, sandbox.Options{Now: clock.Now, DeviceInterval: time.Second})
	c := sb.HTTPClient()
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	dc := request(t, c, http.MethodPost, sb.AuthorityURL()+"/oauth2/v2.0/devicecode",
		url.Values{"client_id": {sandbox.DeviceAppID}, "scope": {scope}}, nil)
	if dc.status != 200 {
		t.Fatalf("devicecode: %d %s", dc.status, dc.raw)
	}
	if dc.body["interval"].(float64) != 1 || dc.body["expires_in"].(float64) != 900 ||
		!strings.Contains(dc.str("message"), dc.str("user_code")) || dc.str("verification_uri") != sb.DeviceLoginURL() {
		t.Errorf("devicecode answer: %v", dc.body)
	}
	poll := func(grant string) answer {
		return postToken(t, sb, url.Values{"grant_type": {grant}, "client_id": {sandbox.DeviceAppID},
			"device_code": {dc.str("device_code")}, "client_info": {"1"}})
	}
	// Entra answers every poll before the sign-in authorization_pending,
	// the immediate first one (MSAL Node polls at once) and a burst of
	// quick ones (MSAL Go backs off from 50 ms) included: never slow_down,
	// which Entra does not document for its device-code flow.
	for i := range 4 {
		grant := "device_code"
		if i%2 == 1 {
			grant = "urn:ietf:params:oauth:grant-type:device_code"
		}
		if a := poll(grant); a.status != 400 || a.str("error") != "authorization_pending" || a.aadsts() != 70016 {
			t.Errorf("poll %d before the sign-in, the clock not moved: %d %s", i, a.status, a.raw)
		}
	}
	clock.Add(time.Second)
	if a := poll("urn:ietf:params:oauth:grant-type:device_code"); a.status != 400 || a.str("error") != "authorization_pending" || a.aadsts() != 70016 {
		t.Errorf("pending poll: %d %s", a.status, a.raw)
	}
	if err := sandbox.ApproveDeviceCodeHTTP(context.Background(), c, dc.str("verification_uri"), dc.str("user_code"), sandbox.AliceUsername); err != nil {
		t.Fatalf("approve: %v", err)
	}
	clock.Add(time.Second)
	a := poll("device_code")
	if a.status != 200 {
		t.Fatalf("approved poll: %d %s", a.status, a.raw)
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token", "client_info"} {
		if a.str(k) == "" {
			t.Errorf("answer lacks %s", k)
		}
	}
	at := claimsOf(t, a.str("access_token"))
	if at["preferred_username"] != sandbox.AliceUsername || at["scp"] != "user_impersonation IDENTITY" || at["azpacr"] != "0" {
		t.Errorf("access token claims: %v", at)
	}
	groups, _ := at["groups"].([]any)
	if !slices.Contains(groups, any(sandbox.GroupCDFAdmins)) {
		t.Errorf("groups = %v", groups)
	}
	clock.Add(time.Second)
	if again := poll("device_code"); again.str("error") != "bad_verification_code" {
		t.Errorf("second redemption: %s", again.raw)
	}
	if ins := cdfGet(t, sb, "/api/v1/token/inspect", a.str("access_token")); ins.status != 200 || len(ins.body["projects"].([]any)) != 1 {
		t.Errorf("inspect as alice: %d %s", ins.status, ins.raw)
	}
}

func TestAuthCodePKCEAndRefresh(t *testing.T) {
	for _, mode := range []string{"query", "form_post"} {
		t.Run(mode, func(t *testing.T) {
			sb := start(t, sandbox.Options{})
			lb := newLoopback(t)
			verifier := "verifier-" + strings.Repeat("x", 40)
			scope := sb.CDFURL() + "/.default openid profile offline_access"
			status, err := sb.SignInAs(context.Background(),
				authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce(verifier), mode), sandbox.AliceUsername)
			if err != nil || status != 200 {
				t.Fatalf("SignInAs: %d %v", status, err)
			}
			got, method := lb.values()
			wantMethod := map[string]string{"query": "GET", "form_post": "POST"}[mode]
			if method != wantMethod || got.Get("state") != "st-1" || got.Get("code") == "" {
				t.Fatalf("loopback got %s %v", method, got)
			}
			a := postToken(t, sb, url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.BrowserAppID},
				"code": {got.Get("code")}, "redirect_uri": {lb.url}, "code_verifier": {verifier}, "scope": {scope}})
			if a.status != 200 || a.str("refresh_token") == "" || a.str("id_token") == "" {
				t.Fatalf("redeem: %d %s", a.status, a.raw)
			}
			id := claimsOf(t, a.str("id_token"))
			if id["aud"] != sandbox.BrowserAppID || id["preferred_username"] != sandbox.AliceUsername {
				t.Errorf("id token: %v", id)
			}
			r := postToken(t, sb, url.Values{"grant_type": {"refresh_token"}, "client_id": {sandbox.BrowserAppID},
				"refresh_token": {a.str("refresh_token")}, "scope": {scope}})
			if r.status != 200 || r.str("refresh_token") == "" || r.str("refresh_token") == a.str("refresh_token") {
				t.Fatalf("refresh: %d %s", r.status, r.raw)
			}
			if sb.Count("token:refresh_token") != 1 || sb.Count("token:authorization_code") != 1 {
				t.Errorf("counts: %v", sb.Counts())
			}
		})
	}
}

// TestIssParameter: with IssParameter the sandbox is an RFC 9207 server
// (discovery says so, every answer to the redirect URI names the issuer,
// codes and errors alike); by default it is Entra, which does neither.
func TestIssParameter(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("iss=%v", on), func(t *testing.T) {
			sb := start(t, sandbox.Options{IssParameter: on})
			disc := request(t, sb.HTTPClient(), http.MethodGet, sb.AuthorityURL()+"/v2.0/.well-known/openid-configuration", nil, nil)
			if got, _ := disc.body["authorization_response_iss_parameter_supported"].(bool); got != on {
				t.Errorf("discovery advertises iss: %v, want %v", got, on)
			}
			want := ""
			if on {
				want = disc.str("issuer")
			}
			scope := sb.CDFURL() + "/.default openid profile offline_access"
			lb := newLoopback(t)
			if _, err := sb.SignInAs(context.Background(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce("v-"+strings.Repeat("y", 43)), "query"), sandbox.AliceUsername); err != nil {
				t.Fatal(err)
			}
			got, _ := lb.values()
			if got.Get("code") == "" || got.Get("iss") != want || (!on && got.Has("iss")) {
				t.Errorf("code answer %v: iss %q, want %q", got, got.Get("iss"), want)
			}
			lb = newLoopback(t)
			if _, err := sandbox.CancelSignIn(context.Background(), sb.HTTPClient(), authorizeURL(sb, sandbox.BrowserAppID, lb.url, scope, pkce("v-"+strings.Repeat("z", 43)), "form_post")); err != nil {
				t.Fatal(err)
			}
			got, _ = lb.values()
			if got.Get("error") == "" || got.Get("iss") != want {
				t.Errorf("error answer %v: iss %q, want %q", got, got.Get("iss"), want)
			}
		})
	}
}

package sandbox_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognite-tools/cdflogin/sandbox"
)

func basic(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))}
}

// TestCognitoTokenErrors: the pool's token endpoint answers every refusal
// as Cognito does: HTTP 400 and a body of only {"error": code}.
func TestCognitoTokenErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	pub, sec, secret := sandbox.CognitoPublicClientID, sandbox.CognitoSecretClientID, sandbox.CognitoClientSecret
	identity := sandbox.CognitoResourceServer + "/IDENTITY"
	for _, tc := range []struct {
		name   string
		form   url.Values
		header map[string]string
		want   string
	}{
		{"no grant_type", url.Values{"client_id": {pub}}, nil, "invalid_request"},
		{"no client", url.Values{"grant_type": {"client_credentials"}}, nil, "invalid_request"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nope"}, "client_secret": {"x"}}, nil, "invalid_client"},
		{"an Entra app's ID", url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.SecretAppID}, "client_secret": {sandbox.SecretAppSecret}}, nil, "invalid_client"},
		{"wrong secret in the body", url.Values{"grant_type": {"client_credentials"}, "client_id": {sec}, "client_secret": {"wrong"}}, nil, "invalid_client"},
		{"wrong secret in Basic", url.Values{"grant_type": {"client_credentials"}}, basic(sec, "wrong"), "invalid_client"},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {sec}}, nil, "invalid_client"},
		{"Basic and body name other clients", url.Values{"grant_type": {"client_credentials"}, "client_id": {pub}}, basic(sec, secret), "invalid_client"},
		{"public client with a secret", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub}, "client_secret": {"x"}, "refresh_token": {"r"}}, nil, "invalid_client"},
		{"public client, client credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {pub}}, nil, "unauthorized_client"},
		{"client credentials for openid", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, basic(sec, secret), "invalid_scope"},
		{"unknown custom scope", url.Values{"grant_type": {"client_credentials"}, "scope": {identity + " https://cognitedata.com/ADMIN"}}, basic(sec, secret), "invalid_scope"},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {pub}}, nil, "unsupported_grant_type"},
		{"code without code", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub}, "redirect_uri": {"http://localhost:53000"}}, nil, "invalid_request"},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub}, "code": {"c"}, "redirect_uri": {"http://localhost:53000"}}, nil, "invalid_grant"},
		{"machine client, code grant", url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "redirect_uri": {"http://localhost:53000"}}, basic(sec, secret), "unauthorized_client"},
		{"no refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub}}, nil, "invalid_request"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub}, "refresh_token": {"r"}}, nil, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := request(t, sb.HTTPClient(), http.MethodPost, sb.CognitoDomainURL()+"/oauth2/token", tc.form, tc.header)
			if a.status != http.StatusBadRequest || a.str("error") != tc.want || len(a.body) != 1 {
				t.Errorf("got %d %s, want 400 {\"error\":%q}", a.status, a.raw, tc.want)
			}
		})
	}
}

// TestOIDCTokenErrors: the OpenID provider's token and device endpoints
// answer RFC 6749 §5.2 errors: 400, or 401 with WWW-Authenticate for
// invalid_client, always with an error_description.
func TestOIDCTokenErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	pub, sec, secret := sandbox.OIDCPublicClientID, sandbox.OIDCSecretClientID, sandbox.OIDCClientSecret
	device := "urn:ietf:params:oauth:grant-type:device_code"
	for _, tc := range []struct {
		name     string
		endpoint string
		form     url.Values
		header   map[string]string
		status   int
		want     string
	}{
		{"no grant_type", "/token", url.Values{"client_id": {pub}}, nil, 400, "invalid_request"},
		{"client_secret_basic", "/token", url.Values{"grant_type": {"client_credentials"}}, basic(sec, secret), 401, "invalid_client"},
		{"unknown client", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nope"}}, nil, 401, "invalid_client"},
		{"a Cognito client", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.CognitoSecretClientID},
			"client_secret": {sandbox.CognitoClientSecret}}, nil, 401, "invalid_client"},
		{"wrong secret", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sec}, "client_secret": {"x"}}, nil, 401, "invalid_client"},
		{"public client with a secret", "/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub}, "client_secret": {"x"}}, nil, 401, "invalid_client"},
		{"key client without an assertion", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.OIDCCertificateClientID}}, nil, 401, "invalid_client"},
		{"key client with a malformed assertion", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.OIDCCertificateClientID},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"a.b.c"}}, nil, 401, "invalid_client"},
		{"public client, client credentials", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {pub}}, nil, 400, "unauthorized_client"},
		{"unknown audience", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sec}, "client_secret": {secret},
			"audience": {"https://elsewhere"}}, nil, 400, "invalid_target"},
		{"unknown scope", "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {sec}, "client_secret": {secret},
			"scope": {"admin"}}, nil, 400, "invalid_scope"},
		{"password grant", "/token", url.Values{"grant_type": {"password"}, "client_id": {pub}}, nil, 400, "unsupported_grant_type"},
		{"no device code", "/token", url.Values{"grant_type": {device}, "client_id": {pub}}, nil, 400, "invalid_request"},
		{"unknown device code", "/token", url.Values{"grant_type": {device}, "client_id": {pub}, "device_code": {"d"}}, nil, 400, "invalid_grant"},
		{"unknown code", "/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub}, "code": {"c"},
			"redirect_uri": {"http://localhost:1"}}, nil, 400, "invalid_grant"},
		{"unknown refresh token", "/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub}, "refresh_token": {"r"}}, nil, 400, "invalid_grant"},
		{"device code for an unknown scope", "/device/code", url.Values{"client_id": {pub}, "scope": {"openid admin"}}, nil, 400, "invalid_scope"},
		{"device code for an unknown client", "/device/code", url.Values{"client_id": {"nope"}}, nil, 401, "invalid_client"},
		{"device code for another audience", "/device/code", url.Values{"client_id": {pub}, "audience": {"https://elsewhere"}}, nil, 400, "invalid_target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := request(t, sb.HTTPClient(), http.MethodPost, sb.OIDCIssuer()+tc.endpoint, tc.form, tc.header)
			if a.status != tc.status || a.str("error") != tc.want || a.str("error_description") == "" {
				t.Errorf("got %d %s, want %d %s", a.status, a.raw, tc.status, tc.want)
			}
			if tc.status == 401 && !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("401 without WWW-Authenticate: %v", a.header)
			}
		})
	}
}

// noFollow is the sandbox's client that stops at redirects.
func noFollow(sb *sandbox.Sandbox) *http.Client {
	c := sb.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// TestIdPAuthorizeErrors: an untrusted client or redirect URI gets the
// provider's error page; once the redirect URI is trusted, errors go
// there with the state.
func TestIdPAuthorizeErrors(t *testing.T) {
	sb := start(t, sandbox.Options{})
	challenge := pkce(strings.Repeat("v", 43))
	cognito := func(mod func(url.Values)) string {
		q := url.Values{"client_id": {sandbox.CognitoPublicClientID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:53000"},
			"scope": {"openid"}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		mod(q)
		return sb.CognitoDomainURL() + "/oauth2/authorize?" + q.Encode()
	}
	oidc := func(mod func(url.Values)) string {
		q := url.Values{"client_id": {sandbox.OIDCPublicClientID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:4000"},
			"scope": {"openid"}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		mod(q)
		return sb.OIDCIssuer() + "/authorize?" + q.Encode()
	}
	for _, tc := range []struct {
		name string
		url  string
		// page: the provider's own error page (a redirect to /error for
		// Cognito, a 400 page for the OIDC provider); else the error sent
		// to the redirect URI.
		page bool
		want string
	}{
		{"cognito: unknown client", cognito(func(q url.Values) { q.Set("client_id", "nope") }), true, "Invalid client id"},
		{"cognito: unregistered redirect", cognito(func(q url.Values) { q.Set("redirect_uri", "http://localhost:53001") }), true, "redirect_mismatch"},
		{"cognito: implicit grant", cognito(func(q url.Values) { q.Set("response_type", "token") }), false, "unauthorized_client"},
		{"cognito: unknown scope", cognito(func(q url.Values) { q.Set("scope", "openid offline_access") }), false, "invalid_scope"},
		{"cognito: plain PKCE", cognito(func(q url.Values) { q.Set("code_challenge_method", "plain") }), false, "invalid_request"},
		{"cognito: no PKCE", cognito(func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }), false, "invalid_request"},
		{"oidc: unknown client", oidc(func(q url.Values) { q.Set("client_id", "nope") }), true, "Unknown client"},
		{"oidc: unregistered redirect", oidc(func(q url.Values) { q.Set("redirect_uri", "http://localhost:4000/other") }), true, "not registered"},
		{"oidc: no PKCE", oidc(func(q url.Values) { q.Del("code_challenge") }), false, "invalid_request"},
		{"oidc: unknown scope", oidc(func(q url.Values) { q.Set("scope", "openid admin") }), false, "invalid_scope"},
		{"oidc: another audience", oidc(func(q url.Values) { q.Set("audience", "https://elsewhere") }), false, "invalid_target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sb.HTTPClient()
			c.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
				if r.URL.Scheme == "http" {
					return http.ErrUseLastResponse
				}
				return nil
			}
			resp, err := c.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if tc.page {
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) || resp.Header.Get("Content-Security-Policy") == "" {
					t.Errorf("got %d %q, want an error page with %q", resp.StatusCode, body, tc.want)
				}
				return
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != tc.want || loc.Query().Get("state") != "st" {
				t.Errorf("got %d to %q, want %s at the redirect URI", resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestCognitoSignInAs: the browser double follows the hosted UI from
// /oauth2/authorize to its sign-in page and delivers the code to a
// registered loopback; the code redeems with PKCE for the user's tokens.
func TestCognitoSignInAs(t *testing.T) {
	lb := newLoopback(t)
	w := sandbox.DefaultWorld()
	for i := range w.IdPClients {
		if w.IdPClients[i].ClientID == sandbox.CognitoPublicClientID {
			w.IdPClients[i].CallbackURLs = []string{lb.url}
		}
	}
	sb := start(t, sandbox.Options{World: &w})
	verifier := strings.Repeat("k", 50)
	q := url.Values{"client_id": {sandbox.CognitoPublicClientID}, "response_type": {"code"}, "redirect_uri": {lb.url},
		"state": {"st"}, "code_challenge": {pkce(verifier)}, "code_challenge_method": {"S256"}}
	status, err := sandbox.SignInAs(t.Context(), sb.HTTPClient(), sb.CognitoDomainURL()+"/oauth2/authorize?"+q.Encode(), sandbox.AliceUsername)
	if err != nil || status != 200 {
		t.Fatalf("SignInAs: %d %v", status, err)
	}
	got, _ := lb.values()
	a := request(t, sb.HTTPClient(), http.MethodPost, sb.CognitoDomainURL()+"/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"client_id": {sandbox.CognitoPublicClientID}, "code": {got.Get("code")}, "redirect_uri": {lb.url}, "code_verifier": {verifier}}, nil)
	if a.status != 200 || a.str("id_token") == "" || a.str("refresh_token") == "" {
		t.Fatalf("redeem: %d %s", a.status, a.raw)
	}
	// No scope asked for: every scope the client allows.
	if c := claimsOf(t, a.str("access_token")); !strings.Contains(c["scope"].(string), sandbox.CognitoResourceServer+"/user_impersonation") {
		t.Errorf("scope %v", c["scope"])
	}
}

// TestIdPCDFTrust: CDF refuses a token that claims an issuer but is not
// signed by it, keeps each issuer's tokens to the projects that trust it,
// and describes those projects' OIDC configuration.
func TestIdPCDFTrust(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := request(t, sb.HTTPClient(), http.MethodPost, sb.CognitoDomainURL()+"/oauth2/token",
		url.Values{"grant_type": {"client_credentials"}}, basic(sandbox.CognitoSecretClientID, sandbox.CognitoClientSecret))
	cognito := a.str("access_token")
	if cognito == "" {
		t.Fatalf("client credentials: %s", a.raw)
	}
	// As Cognito's client credentials tokens: no groups; CDF links the
	// service account by its client ID.
	if c := claimsOf(t, cognito); c["cognito:groups"] != nil || c["client_id"] != sandbox.CognitoSecretClientID {
		t.Errorf("a Cognito machine token's groups and client: %v %v", c["cognito:groups"], c["client_id"])
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	claims := claimsOf(t, cognito)
	forged := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	forged.Header["kid"] = "made-up"
	forgedToken, _ := forged.SignedString(key)
	expired := jwt.MapClaims{}
	for k, v := range claims {
		expired[k] = v
	}
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	expiredToken, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, expired).SignedString(key)

	for name, tok := range map[string]string{"forged": forgedToken, "expired and forged": expiredToken} {
		if a := cdfGet(t, sb, "/api/v1/token/inspect", tok); a.status != 401 {
			t.Errorf("%s: %d %s", name, a.status, a.raw)
		} else if e, _ := a.body["error"].(map[string]any); e["code"] != 401.0 {
			t.Errorf("%s: not CDF's error shape: %s", name, a.raw)
		}
	}
	sb.Advance(2 * time.Hour)
	if a := cdfGet(t, sb, "/api/v1/token/inspect", cognito); a.status != 401 {
		t.Errorf("an expired Cognito token: %d %s", a.status, a.raw)
	}
	sb.Advance(-2 * time.Hour)

	if a := cdfGet(t, sb, "/api/v1/projects/"+sandbox.ProjectName, cognito); a.status != 403 {
		t.Errorf("a Cognito token on the Entra project: %d %s", a.status, a.raw)
	}
	if a := cdfGet(t, sb, "/api/v1/projects/"+sandbox.OIDCProjectName, cognito); a.status != 403 {
		t.Errorf("a Cognito token on the OIDC project: %d %s", a.status, a.raw)
	}
	if a := cdfGet(t, sb, "/api/v1/projects/"+sandbox.CognitoProjectName, secretToken(t, sb)); a.status != 403 {
		t.Errorf("an Entra token on the Cognito project: %d %s", a.status, a.raw)
	}
	a = cdfGet(t, sb, "/api/v1/projects/"+sandbox.CognitoProjectName, cognito)
	cfg, _ := a.body["oidcConfiguration"].(map[string]any)
	if a.status != 200 || cfg["issuer"] != sb.CognitoIssuer() || cfg["tokenUrl"] != sb.CognitoDomainURL()+"/oauth2/token" {
		t.Errorf("Cognito project: %d %s", a.status, a.raw)
	}
	if got := fmt.Sprint(cfg["accessClaims"]); got != "[map[claimName:cognito:groups] map[claimName:client_id]]" {
		t.Errorf("Cognito project's access claims: %s", got)
	}
	a = cdfGet(t, sb, "/api/v1/projects/"+sandbox.CognitoProjectName+"/groups", cognito)
	items, _ := a.body["items"].([]any)
	if a.status != 200 || len(items) != 1 || items[0].(map[string]any)["sourceId"] != sandbox.CognitoSecretClientID {
		t.Errorf("the robot's groups: %d %s", a.status, a.raw)
	}
}

// TestIdPSettingsAndDiscovery: Settings lists both providers and their
// clients (no secrets); an unknown pool's discovery is Cognito's 404.
func TestIdPSettingsAndDiscovery(t *testing.T) {
	sb := start(t, sandbox.Options{})
	st := sb.Settings()
	if len(st.IdPs) != 2 || st.IdPs[0].Issuer != sb.CognitoIssuer() || st.IdPs[1].Issuer != sb.OIDCIssuer() ||
		st.IdPs[1].DeviceLoginURL == "" || st.IdPs[0].DeviceLoginURL != "" {
		t.Fatalf("settings: %+v", st.IdPs)
	}
	var ids []string
	for _, p := range st.IdPs {
		for _, c := range p.Clients {
			ids = append(ids, c.ClientID)
		}
	}
	for _, want := range []string{sandbox.CognitoPublicClientID, sandbox.CognitoSecretClientID, sandbox.OIDCPublicClientID, sandbox.OIDCSecretClientID} {
		if !slices.Contains(ids, want) {
			t.Errorf("settings lack client %s", want)
		}
	}
	for _, p := range st.IdPs {
		if a := request(t, sb.HTTPClient(), http.MethodGet, p.Discovery, nil, nil); a.status != 200 || a.str("issuer") != p.Issuer {
			t.Errorf("discovery %s: %d %s", p.Discovery, a.status, a.raw)
		}
	}
	a := request(t, sb.HTTPClient(), http.MethodGet, sb.CognitoDomainURL()+"/eu-west-1_Other/.well-known/openid-configuration", nil, nil)
	if a.status != 404 || a.str("code") != "ResourceNotFoundException" {
		t.Errorf("unknown pool: %d %s", a.status, a.raw)
	}
	a = request(t, noFollow(sb), http.MethodGet, sb.CognitoDomainURL()+"/.well-known/jwks.json", nil, nil)
	if a.status == 200 {
		t.Errorf("a JWKS without a pool: %s", a.raw)
	}
}

package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// The sandbox's Cognito user pool and generic OpenID provider, driven by
// clients that are not cdflogin's: github.com/coreos/go-oidc/v3 reads
// their discovery documents and verifies their ID tokens against their
// JWKS; golang.org/x/oauth2 runs the flows. CDF's side is asked with
// plain HTTP.

// inspection is the part of CDF's token/inspect answer the tests read.
type inspection struct {
	Subject  string `json:"subject"`
	Projects []struct {
		ProjectURLName string  `json:"projectUrlName"`
		Groups         []int64 `json:"groups"`
	} `json:"projects"`
	Capabilities []map[string]any `json:"capabilities"`
}

// inspectToken calls CDF's token/inspect with tok; it returns the status
// and, for a 200, the answer.
func inspectToken(t *testing.T, sb *sandbox.Sandbox, tok string) (int, inspection, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, sb.CDFURL()+"/api/v1/token/inspect", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := sb.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var in inspection
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("token/inspect: %v: %s", err, body)
		}
	}
	return resp.StatusCode, in, string(body)
}

// projectNames lists the projects of an inspection.
func (in inspection) projectNames() []string {
	var out []string
	for _, p := range in.Projects {
		out = append(out, p.ProjectURLName)
	}
	return out
}

// unverifiedClaims decodes a JWT's payload without verifying it (the
// tests verify signatures with go-oidc or through CDF).
func unverifiedClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// discover reads an issuer's discovery document with go-oidc, which also
// checks that the document's issuer is the URL asked for.
func discover(t *testing.T, ctx context.Context, issuer string) (*oidc.Provider, map[string]any) {
	t.Helper()
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery of %s: %v", issuer, err)
	}
	var doc map[string]any
	if err := p.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	return p, doc
}

// TestSandboxCognitoDiscoveryAndClientCredentials: go-oidc discovers the
// pool (hosted-UI endpoints, no device endpoint, Cognito's auth methods);
// clientcredentials gets Cognito-shaped machine tokens with the secret in
// a Basic header and in the body, without cognito:groups; CDF's Cognito
// project links the token to its robots group by the client ID, as
// Cognite's guide links a service account; unknown scopes, a wrong secret
// and the public client are refused as Cognito does.
func TestSandboxCognitoDiscoveryAndClientCredentials(t *testing.T) {
	sb, ctx, _ := oauth2Sandbox(t, sandbox.Options{})
	provider, doc := discover(t, ctx, sb.CognitoIssuer())
	if got, want := provider.Endpoint().TokenURL, sb.CognitoDomainURL()+"/oauth2/token"; got != want {
		t.Errorf("token endpoint %s, want %s", got, want)
	}
	if got, want := provider.Endpoint().AuthURL, sb.CognitoDomainURL()+"/oauth2/authorize"; got != want {
		t.Errorf("authorization endpoint %s, want %s", got, want)
	}
	if _, ok := doc["device_authorization_endpoint"]; ok {
		t.Error("Cognito advertises a device authorization endpoint; it has none")
	}
	if got := doc["jwks_uri"]; got != sb.CognitoIssuer()+"/.well-known/jwks.json" {
		t.Errorf("jwks_uri %v", got)
	}
	if got := doc["token_endpoint_auth_methods_supported"]; !jsonListEqual(got, "client_secret_basic", "client_secret_post") {
		t.Errorf("token_endpoint_auth_methods_supported %v", got)
	}

	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		conf := &clientcredentials.Config{ClientID: sandbox.CognitoSecretClientID, ClientSecret: sandbox.CognitoClientSecret,
			TokenURL: provider.Endpoint().TokenURL, Scopes: []string{sandbox.CognitoResourceServer + "/IDENTITY"}, AuthStyle: style}
		tok, err := conf.Token(ctx)
		if err != nil {
			t.Fatalf("client credentials (auth style %d): %v", style, err)
		}
		c := unverifiedClaims(t, tok.AccessToken)
		if c["sub"] != sandbox.CognitoSecretClientID || c["client_id"] != sandbox.CognitoSecretClientID || c["token_use"] != "access" ||
			c["iss"] != sb.CognitoIssuer() || c["scope"] != sandbox.CognitoResourceServer+"/IDENTITY" || c["version"] != 2.0 {
			t.Errorf("machine access token claims: %v", c)
		}
		if _, ok := c["aud"]; ok {
			t.Errorf("a Cognito access token carries aud: %v", c["aud"])
		}
		if _, ok := c["cognito:groups"]; ok {
			t.Errorf("a Cognito client credentials token carries cognito:groups: %v", c["cognito:groups"])
		}
		status, in, body := inspectToken(t, sb, tok.AccessToken)
		if status != http.StatusOK || in.Subject != sandbox.CognitoSecretClientID || !slices.Equal(in.projectNames(), []string{sandbox.CognitoProjectName}) ||
			len(in.Projects[0].Groups) != 1 || in.Projects[0].Groups[0] != 3003 {
			t.Errorf("token/inspect (want the robots group, 3003, by client ID): %d %s", status, body)
		}
	}

	// No scope: every custom scope of the client.
	conf := &clientcredentials.Config{ClientID: sandbox.CognitoSecretClientID, ClientSecret: sandbox.CognitoClientSecret,
		TokenURL: provider.Endpoint().TokenURL}
	tok, err := conf.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := unverifiedClaims(t, tok.AccessToken)["scope"]; got != sandbox.CognitoResourceServer+"/IDENTITY "+sandbox.CognitoResourceServer+"/user_impersonation" {
		t.Errorf("scope without a scope parameter: %v", got)
	}

	for name, c := range map[string]*clientcredentials.Config{
		"invalid_scope":       {ClientID: sandbox.CognitoSecretClientID, ClientSecret: sandbox.CognitoClientSecret, Scopes: []string{"openid"}},
		"invalid_client":      {ClientID: sandbox.CognitoSecretClientID, ClientSecret: "not-the-secret"},
		"unauthorized_client": {ClientID: sandbox.CognitoPublicClientID},
	} {
		c.TokenURL = provider.Endpoint().TokenURL
		c.AuthStyle = oauth2.AuthStyleInParams
		_, err := c.Token(ctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != name || re.Response.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// TestSandboxIdPTokenRejectedByCDF: CDF answers 401 in its JSON shape for
// a token whose signature is not its issuer's, for an ID token and for a
// token of an issuer it does not trust.
func TestSandboxIdPTokenRejectedByCDF(t *testing.T) {
	sb, ctx, _ := oauth2Sandbox(t, sandbox.Options{})
	conf := &clientcredentials.Config{ClientID: sandbox.CognitoSecretClientID, ClientSecret: sandbox.CognitoClientSecret,
		TokenURL: sb.CognitoDomainURL() + "/oauth2/token"}
	tok, err := conf.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok.AccessToken, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	status, _, body := inspectToken(t, sb, forged)
	var e struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); status != http.StatusUnauthorized || err != nil || e.Error.Code != 401 || e.Error.Message == "" {
		t.Errorf("a forged Cognito token: %d %s", status, body)
	}
}

// jsonListEqual reports whether v is a JSON list of exactly want.
func jsonListEqual(v any, want ...string) bool {
	l, ok := v.([]any)
	if !ok || len(l) != len(want) {
		return false
	}
	for i := range l {
		if l[i] != want[i] {
			return false
		}
	}
	return true
}

// cognitoRedirect is the public Cognito app client's callback URL; the
// browser double below stops at the redirect to it, so nothing listens.
const cognitoRedirect = "http://localhost:53000"

// browserSignIn is a person in a browser, as plain HTTP: it opens authURL,
// follows the provider's redirects to its sign-in page, fills in the
// username and submits, and returns what the provider sent to the http://
// redirect URI (it does not follow that last redirect).
func browserSignIn(t *testing.T, sb *sandbox.Sandbox, authURL, username string) url.Values {
	t.Helper()
	c := sb.HTTPClient()
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Scheme == "http" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		return redirectAnswer(t, resp)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("sign-in page: %s (CSP %q)\n%s", resp.Status, resp.Header.Get("Content-Security-Policy"), page)
	}
	action := regexp.MustCompile(`<form method="post" action="([^"]+)" id="signin">`).FindSubmatch(page)
	ctxField := regexp.MustCompile(`name="ctx" value="([^"]+)"`).FindSubmatch(page)
	if action == nil || ctxField == nil {
		t.Fatalf("no sign-in form on the page:\n%s", page)
	}
	target, err := resp.Request.URL.Parse(html.UnescapeString(string(action[1])))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.PostForm(target.String(), url.Values{"ctx": {html.UnescapeString(string(ctxField[1]))},
		"username": {username}, "action": {"signin"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("after sign-in: %s\n%s", resp.Status, page)
	}
	return redirectAnswer(t, resp)
}

// redirectAnswer is the query of a redirect to the http:// redirect URI.
func redirectAnswer(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Scheme != "http" {
		t.Fatalf("redirect to %q, want the http:// redirect URI", resp.Header.Get("Location"))
	}
	return loc.Query()
}

// TestSandboxCognitoBrowserPKCE: the hosted UI's code flow with S256 PKCE
// through golang.org/x/oauth2, the ID token verified by go-oidc against the
// pool's JWKS, Cognito-shaped access tokens that CDF maps by
// cognito:groups, a refresh that keeps the refresh token, and Cognito's
// answers to a missing challenge, a wrong verifier, a reused code and a
// redirect URI that differs from the authorize request's.
func TestSandboxCognitoBrowserPKCE(t *testing.T) {
	sb, ctx, _ := oauth2Sandbox(t, sandbox.Options{})
	provider, _ := discover(t, ctx, sb.CognitoIssuer())
	conf := &oauth2.Config{ClientID: sandbox.CognitoPublicClientID, Endpoint: provider.Endpoint(), RedirectURL: cognitoRedirect,
		Scopes: []string{oidc.ScopeOpenID, "email", sandbox.CognitoResourceServer + "/IDENTITY", sandbox.CognitoResourceServer + "/user_impersonation"}}
	// A public client sends its ID in the body; left to auto-detect,
	// golang.org/x/oauth2 would try a Basic header first and send a
	// refused code twice.
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams

	// Without PKCE the public client is refused at the redirect URI.
	if a := browserSignIn(t, sb, conf.AuthCodeURL("s0"), sandbox.AliceUsername); a.Get("error") != "invalid_request" || a.Get("state") != "s0" {
		t.Errorf("authorize without code_challenge: %v", a)
	}
	if a := browserSignIn(t, sb, conf.AuthCodeURL("s0", oauth2.SetAuthURLParam("code_challenge", strings.Repeat("x", 43)),
		oauth2.SetAuthURLParam("code_challenge_method", "plain")), sandbox.AliceUsername); a.Get("error") != "invalid_request" {
		t.Errorf("authorize with a plain challenge: %v", a)
	}

	verifier := oauth2.GenerateVerifier()
	answer := browserSignIn(t, sb, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-1")), sandbox.AliceUsername)
	if answer.Get("state") != "s1" || answer.Get("code") == "" {
		t.Fatalf("redirect answer: %v", answer)
	}
	if _, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuthError(err, "invalid_grant") {
		t.Errorf("wrong verifier: %v", err)
	}
	answer = browserSignIn(t, sb, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-2")), sandbox.AliceUsername)
	other := *conf
	other.RedirectURL = cognitoRedirect + "/"
	if _, err := other.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier)); !isOAuthError(err, "unauthorized_client") {
		t.Errorf("redirect_uri with a trailing slash: %v", err)
	}
	answer = browserSignIn(t, sb, conf.AuthCodeURL("s3", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-3")), sandbox.AliceUsername)
	tok, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if _, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier)); !isOAuthError(err, "invalid_grant") {
		t.Errorf("a code redeemed twice: %v", err)
	}
	if tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Errorf("token: %+v", tok)
	}

	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: sandbox.CognitoPublicClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc rejects the ID token: %v", err)
	}
	var idc struct {
		Nonce    string   `json:"nonce"`
		Use      string   `json:"token_use"`
		Username string   `json:"cognito:username"`
		Groups   []string `json:"cognito:groups"`
		Email    string   `json:"email"`
	}
	if err := idt.Claims(&idc); err != nil {
		t.Fatal(err)
	}
	if idc.Nonce != "n-3" || idc.Use != "id" || idc.Username != sandbox.AliceUsername || !slices.Contains(idc.Groups, sandbox.PoolGroupAdmins) {
		t.Errorf("ID token claims: %+v", idc)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	// Cognito signs access tokens with another key of its JWKS, and an
	// access token has no aud, so an ID token verifier refuses it.
	if _, err := provider.Verifier(&oidc.Config{ClientID: sandbox.CognitoPublicClientID}).Verify(ctx, tok.AccessToken); err == nil {
		t.Error("go-oidc took the access token for an ID token")
	}

	at := unverifiedClaims(t, tok.AccessToken)
	for _, k := range []string{"sub", "cognito:groups", "iss", "version", "client_id", "origin_jti", "event_id", "token_use", "scope",
		"auth_time", "exp", "iat", "jti", "username"} {
		if _, ok := at[k]; !ok {
			t.Errorf("access token lacks %s: %v", k, at)
		}
	}
	if at["token_use"] != "access" || at["username"] != sandbox.AliceUsername || at["aud"] != nil {
		t.Errorf("access token: %v", at)
	}
	status, in, body := inspectToken(t, sb, tok.AccessToken)
	if status != http.StatusOK || in.Subject != at["sub"] || !slices.Equal(in.projectNames(), []string{sandbox.CognitoProjectName}) ||
		len(in.Capabilities) == 0 {
		t.Errorf("token/inspect: %d %s", status, body)
	}
	if status, _, body := inspectToken(t, sb, rawID); status != http.StatusUnauthorized {
		t.Errorf("CDF took an ID token: %d %s", status, body)
	}

	// Refresh: new access and ID tokens, the same refresh token.
	old := *tok
	old.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(ctx, &old).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken != tok.RefreshToken || fresh.Extra("id_token") == nil {
		t.Errorf("refreshed token: %+v", fresh)
	}
	if c := unverifiedClaims(t, fresh.AccessToken); c["origin_jti"] != at["origin_jti"] || c["jti"] == at["jti"] {
		t.Errorf("a refresh keeps origin_jti and mints a new jti: %v then %v", at, c)
	}
	// Through the admin API, as a script or a person with curl would.
	resp, err := sb.HTTPClient().Post(sb.Settings().AdminURL+"/refresh-tokens/expire", "application/json",
		strings.NewReader(`{"username":"`+sandbox.AliceUsername+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var expired struct {
		Expired int `json:"expired"`
	}
	err = json.NewDecoder(resp.Body).Decode(&expired)
	_ = resp.Body.Close()
	if err != nil || expired.Expired == 0 {
		t.Fatalf("refresh-tokens/expire: %v %+v", err, expired)
	}
	if _, err := conf.TokenSource(ctx, &old).Token(); !isOAuthError(err, "invalid_grant") {
		t.Errorf("refresh with a revoked refresh token: %v", err)
	}

	// Bob's pool groups link to no CDF group of the project.
	answer = browserSignIn(t, sb, conf.AuthCodeURL("s4", oauth2.S256ChallengeOption(verifier)), sandbox.BobUsername)
	bob, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if status, in, body := inspectToken(t, sb, bob.AccessToken); status != http.StatusOK || len(in.Projects) != 0 {
		t.Errorf("Bob's token/inspect: %d %s", status, body)
	}
}

// isOAuthError reports whether err is a token endpoint error with code.
func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// oidcSandbox starts a sandbox and returns a context for go-oidc and
// golang.org/x/oauth2 whose client logs the OIDC token endpoint's answers.
func oidcSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Sandbox, context.Context, *answerLog) {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	hc := sb.HTTPClient()
	log := &answerLog{base: hc.Transport, suffix: "/oidc/token"}
	hc.Transport = log
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return sb, context.WithValue(ctx, oauth2.HTTPClient, hc), log
}

// TestSandboxOIDCDeviceCode: go-oidc finds the provider's device
// endpoint; golang.org/x/oauth2's DeviceAuth (with the audience parameter)
// and DeviceAccessToken sign in while a person approves on the
// verification page; every early poll is authorization_pending, never
// slow_down (the client waits the interval); the token's aud and groups
// claim are what CDF's OIDC project takes; the refresh token rotates.
func TestSandboxOIDCDeviceCode(t *testing.T) {
	sb, ctx, log := oidcSandbox(t, sandbox.Options{DeviceInterval: time.Second})
	provider, doc := discover(t, ctx, sb.OIDCIssuer())
	if provider.Endpoint().DeviceAuthURL != sb.OIDCIssuer()+"/device/code" {
		t.Fatalf("device endpoint %q (discovery %v)", provider.Endpoint().DeviceAuthURL, doc)
	}
	conf := &oauth2.Config{ClientID: sandbox.OIDCPublicClientID, Endpoint: provider.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	audience := oauth2.SetAuthURLParam("audience", sandbox.OIDCAudience)
	da, err := conf.DeviceAuth(ctx, audience)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	if da.VerificationURI != sb.OIDCDeviceLoginURL() || da.Interval != 1 || !strings.Contains(da.VerificationURIComplete, da.UserCode) {
		t.Errorf("device authorization: %+v", da)
	}
	approved := make(chan error, 1)
	go func() {
		// Approve once the client has polled at least once.
		for sb.Count("oidc.token:device_code") == 0 && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		approved <- sandbox.ApproveDeviceCodeHTTP(ctx, sb.HTTPClient(), da.VerificationURI, da.UserCode, sandbox.AliceUsername)
	}()
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v (answers %v)", err, log.answers())
	}
	if err := <-approved; err != nil {
		t.Fatalf("approve on the verification page: %v", err)
	}
	answers := log.answers()
	if len(answers) < 2 || answers[len(answers)-1] != "" || slices.Contains(answers, "slow_down") {
		t.Errorf("poll answers %v, want authorization_pending until the token", answers)
	}
	for _, a := range answers[:len(answers)-1] {
		if a != "authorization_pending" {
			t.Errorf("poll answers %v", answers)
		}
	}
	at := unverifiedClaims(t, tok.AccessToken)
	if at["aud"] != sandbox.OIDCAudience || at["iss"] != sb.OIDCIssuer() || at["preferred_username"] != sandbox.AliceUsername {
		t.Errorf("access token: %v", at)
	}
	if !jsonListEqual(at[sandbox.OIDCGroupsClaim], sandbox.PoolGroupAdmins, sandbox.PoolGroupReaders) {
		t.Errorf("%s claim: %v", sandbox.OIDCGroupsClaim, at[sandbox.OIDCGroupsClaim])
	}
	status, in, body := inspectToken(t, sb, tok.AccessToken)
	if status != http.StatusOK || !slices.Equal(in.projectNames(), []string{sandbox.OIDCProjectName}) || in.Subject != at["sub"] {
		t.Errorf("token/inspect: %d %s", status, body)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if _, err := provider.Verifier(&oidc.Config{ClientID: sandbox.OIDCPublicClientID}).Verify(ctx, rawID); err != nil {
		t.Errorf("go-oidc rejects the ID token: %v", err)
	}

	// Refresh rotates: the old refresh token is spent.
	old := *tok
	old.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(ctx, &old).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
		t.Errorf("refresh token not rotated: %+v", fresh)
	}
	if c := unverifiedClaims(t, fresh.AccessToken); c["aud"] != sandbox.OIDCAudience {
		t.Errorf("refreshed access token lost its audience: %v", c)
	}
	if _, err := conf.TokenSource(ctx, &old).Token(); !isOAuthError(err, "invalid_grant") {
		t.Errorf("a spent refresh token: %v", err)
	}
}

// postForm posts a form and decodes the JSON answer.
func postForm(t *testing.T, c *http.Client, target string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("POST %s: %s: %v", target, resp.Status, err)
	}
	return resp.StatusCode, v
}

// TestSandboxOIDCDeviceSlowDown: a client that polls again before the
// interval has passed is told slow_down (RFC 8628 §3.5), and the device
// code of a declined sign-in answers access_denied.
func TestSandboxOIDCDeviceSlowDown(t *testing.T) {
	sb, _, _ := oidcSandbox(t, sandbox.Options{DeviceInterval: 5 * time.Second})
	c := sb.HTTPClient()
	_, da := postForm(t, c, sb.OIDCIssuer()+"/device/code", url.Values{"client_id": {sandbox.OIDCPublicClientID}, "scope": {"openid"}})
	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {sandbox.OIDCPublicClientID},
		"device_code": {fmt.Sprint(da["device_code"])}}
	for i, want := range []string{"authorization_pending", "slow_down"} {
		status, got := postForm(t, c, sb.OIDCIssuer()+"/token", poll)
		if status != http.StatusBadRequest || got["error"] != want {
			t.Errorf("poll %d: %d %v, want %s", i+1, status, got, want)
		}
	}
	if err := sb.DeclineOIDCDeviceCode(fmt.Sprint(da["user_code"])); err != nil {
		t.Fatal(err)
	}
	sb.Advance(time.Minute) // past the raised interval
	if status, got := postForm(t, c, sb.OIDCIssuer()+"/token", poll); status != http.StatusBadRequest || got["error"] != "access_denied" {
		t.Errorf("declined: %d %v", status, got)
	}
}

// TestSandboxOIDCBrowserAndClients: the code flow with PKCE (any port of
// http://localhost, iss in the answer), the audience parameter, the ID
// token verified by go-oidc; a token without the audience is refused by
// CDF; the confidential client with client_secret_post (and refused with
// a Basic header, which discovery does not offer) and with a
// private_key_jwt assertion.
func TestSandboxOIDCBrowserAndClients(t *testing.T) {
	sb, ctx, _ := oidcSandbox(t, sandbox.Options{})
	provider, doc := discover(t, ctx, sb.OIDCIssuer())
	if !jsonListEqual(doc["code_challenge_methods_supported"], "S256") {
		t.Errorf("code_challenge_methods_supported %v", doc["code_challenge_methods_supported"])
	}
	conf := &oauth2.Config{ClientID: sandbox.OIDCPublicClientID, Endpoint: provider.Endpoint(), RedirectURL: "http://localhost:50123",
		Scopes: []string{oidc.ScopeOpenID, "email"}}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	verifier := oauth2.GenerateVerifier()
	audience := oauth2.SetAuthURLParam("audience", sandbox.OIDCAudience)
	answer := browserSignIn(t, sb, conf.AuthCodeURL("o1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-o1"), audience), sandbox.AliceUsername)
	if answer.Get("iss") != sb.OIDCIssuer() || answer.Get("state") != "o1" || answer.Get("code") == "" {
		t.Fatalf("redirect answer: %v", answer)
	}
	tok, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: sandbox.OIDCPublicClientID}).Verify(ctx, rawID)
	if err != nil || idt.Nonce != "n-o1" || idt.VerifyAccessToken(tok.AccessToken) != nil {
		t.Fatalf("ID token: %v", err)
	}
	if tok.RefreshToken != "" {
		t.Error("a refresh token without offline_access")
	}
	if status, in, body := inspectToken(t, sb, tok.AccessToken); status != http.StatusOK || !slices.Equal(in.projectNames(), []string{sandbox.OIDCProjectName}) {
		t.Errorf("token/inspect: %d %s", status, body)
	}
	if status, _, body := inspectToken(t, sb, rawID); status != http.StatusUnauthorized {
		t.Errorf("CDF took an ID token: %d %s", status, body)
	}

	// No audience: the access token is for the client, and CDF refuses it.
	answer = browserSignIn(t, sb, conf.AuthCodeURL("o2", oauth2.S256ChallengeOption(verifier)), sandbox.AliceUsername)
	noAud, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := inspectToken(t, sb, noAud.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a token without CDF's audience: %d %s", status, body)
	}
	if a := browserSignIn(t, sb, conf.AuthCodeURL("o3"), sandbox.AliceUsername); a.Get("error") != "invalid_request" {
		t.Errorf("authorize without PKCE: %v", a)
	}

	cc := &clientcredentials.Config{ClientID: sandbox.OIDCSecretClientID, ClientSecret: sandbox.OIDCClientSecret,
		TokenURL: provider.Endpoint().TokenURL, EndpointParams: url.Values{"audience": {sandbox.OIDCAudience}}, AuthStyle: oauth2.AuthStyleInParams}
	robot, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}
	if c := unverifiedClaims(t, robot.AccessToken); c["sub"] != sandbox.OIDCSecretClientID || c["aud"] != sandbox.OIDCAudience {
		t.Errorf("machine token: %v", c)
	}
	if status, in, body := inspectToken(t, sb, robot.AccessToken); status != http.StatusOK || len(in.Projects) != 1 {
		t.Errorf("token/inspect of the machine token: %d %s", status, body)
	}
	cc.AuthStyle = oauth2.AuthStyleInHeader
	var re *oauth2.RetrieveError
	if _, err := cc.Token(ctx); !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
		t.Errorf("client_secret_basic, which discovery does not offer: %v", err)
	}

	// private_key_jwt: an RFC 7523 assertion signed with the certificate
	// app's key.
	cert, ok := certificateOf(sb.World())
	if !ok {
		t.Fatal("the sandbox has no certificate")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": sandbox.OIDCCertificateClientID,
		"sub": sandbox.OIDCCertificateClientID, "aud": provider.Endpoint().TokenURL, "jti": "j-1",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.OIDCCertificateClientID}, "audience": {sandbox.OIDCAudience},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	if status, got := postForm(t, sb.HTTPClient(), provider.Endpoint().TokenURL, form); status != http.StatusOK || got["access_token"] == nil {
		t.Errorf("private_key_jwt: %d %v", status, got)
	}
	form.Set("client_assertion", assertion[:len(assertion)-4]+"AAAA")
	if status, got := postForm(t, sb.HTTPClient(), provider.Endpoint().TokenURL, form); status != http.StatusUnauthorized || got["error"] != "invalid_client" {
		t.Errorf("a bad assertion signature: %d %v", status, got)
	}
}

// certificateOf is the sandbox's certificate app's certificate.
func certificateOf(w sandbox.World) (sandbox.Certificate, bool) {
	for _, c := range w.IdPClients {
		if c.ClientID == sandbox.OIDCCertificateClientID && len(c.Certificates) > 0 {
			return c.Certificates[0], true
		}
	}
	return sandbox.Certificate{}, false
}

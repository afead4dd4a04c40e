package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
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
// a Basic header and in the body; CDF's Cognito project maps the token's
// cognito:groups to its groups; unknown scopes, a wrong secret and the
// public client are refused as Cognito does.
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
		status, in, body := inspectToken(t, sb, tok.AccessToken)
		if status != http.StatusOK || in.Subject != sandbox.CognitoSecretClientID || !slices.Equal(in.projectNames(), []string{sandbox.CognitoProjectName}) {
			t.Errorf("token/inspect: %d %s", status, body)
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

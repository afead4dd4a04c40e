package insight

import (
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

func cognitoProfile(flow profiles.Flow) profiles.Profile {
	return profiles.Profile{Name: "cog", Provider: profiles.ProviderCognito, Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool",
		ClientID: "4q1client", Flow: flow, Cluster: "westeurope-1", Project: "p"}
}

func findings(t *testing.T, p profiles.Profile, payload map[string]any, now time.Time) map[string]claims.Finding {
	t.Helper()
	tok, err := claims.Decode(claimstest.Unsigned(payload))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]claims.Finding{}
	for _, f := range claims.Check(tok, ExpectFor(p, now, false)) {
		out[f.ID] = f
	}
	return out
}

func TestProviderChecks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	iss := "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
	user := map[string]any{"iss": iss, "client_id": "4q1client", "token_use": "access", "username": "alice",
		"scope":          "openid https://cognitedata.com/IDENTITY https://cognitedata.com/user_impersonation",
		"cognito:groups": []string{"cdf-admins"}, "iat": now.Unix() - 60, "exp": now.Unix() + 3600, "sub": "s1"}
	app := map[string]any{"iss": iss, "client_id": "6r2robot", "token_use": "access", "scope": "https://cognitedata.com/user_impersonation",
		"iat": now.Unix() - 60, "exp": now.Unix() + 3600, "sub": "6r2robot"}
	for _, c := range []struct {
		name    string
		p       profiles.Profile
		payload map[string]any
		want    map[string]claims.Severity // check ID → severity
	}{
		{"cognito user ok", cognitoProfile(profiles.FlowBrowser), user, map[string]claims.Severity{
			claims.IDIssuer: claims.SeverityOK, claims.IDTokenUse: claims.SeverityOK, claims.IDClientID: claims.SeverityOK,
			claims.IDScopes: claims.SeverityOK, claims.IDGroups: claims.SeverityOK, claims.IDKind: claims.SeverityOK}},
		{"cognito id token sent", cognitoProfile(profiles.FlowBrowser), claimstest.With(user, "token_use", "id"), map[string]claims.Severity{
			claims.IDTokenUse: claims.SeverityError}},
		{"cognito other pool", cognitoProfile(profiles.FlowBrowser), claimstest.With(user, "iss", "https://cognito-idp.us-east-1.amazonaws.com/other"), map[string]claims.Severity{
			claims.IDIssuer: claims.SeverityError}},
		{"cognito other client", cognitoProfile(profiles.FlowBrowser), claimstest.With(user, "client_id", "someone-else"), map[string]claims.Severity{
			claims.IDClientID: claims.SeverityError}},
		{"cognito no CDF scopes", cognitoProfile(profiles.FlowBrowser), claimstest.With(user, "scope", "openid email"), map[string]claims.Severity{
			claims.IDScopes: claims.SeverityError}},
		{"cognito no groups", cognitoProfile(profiles.FlowBrowser), claimstest.With(user, "cognito:groups", nil), map[string]claims.Severity{
			claims.IDGroups: claims.SeverityWarn}},
		{"cognito app: linked by client_id", func() profiles.Profile { p := cognitoProfile(profiles.FlowSecret); p.ClientID = "6r2robot"; return p }(), app,
			map[string]claims.Severity{claims.IDGroups: claims.SeverityOK, claims.IDKind: claims.SeverityOK}},
		{"oidc audience and custom groups claim", profiles.Profile{Name: "o", Provider: profiles.ProviderOIDC, Issuer: "https://idp.example", ClientID: "cli",
			Audience: "https://api.example", GroupsClaimName: "cdf_groups", Flow: profiles.FlowDevice, Cluster: "x", Project: "p"},
			map[string]any{"iss": "https://idp.example", "aud": "https://api.example", "scope": "openid IDENTITY", "preferred_username": "alice",
				"cdf_groups": []string{"a"}, "iat": now.Unix(), "exp": now.Unix() + 3600}, map[string]claims.Severity{
				claims.IDIssuer: claims.SeverityOK, claims.IDAudience: claims.SeverityOK, claims.IDScopes: claims.SeverityInfo, claims.IDGroups: claims.SeverityOK}},
		{"oidc wrong audience", profiles.Profile{Name: "o", Provider: profiles.ProviderOIDC, Issuer: "https://idp.example", ClientID: "cli",
			Audience: "https://api.example", Flow: profiles.FlowDevice, Cluster: "x", Project: "p"},
			map[string]any{"iss": "https://idp.example", "aud": "https://other", "scope": "IDENTITY", "preferred_username": "a", "exp": now.Unix() + 3600},
			map[string]claims.Severity{claims.IDAudience: claims.SeverityError, claims.IDGroups: claims.SeverityWarn}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := findings(t, c.p, c.payload, now)
			if _, ok := got[claims.IDTenant]; ok {
				t.Errorf("a tenant check for provider %s: %+v", c.p.ProviderOf(), got[claims.IDTenant])
			}
			for id, sev := range c.want {
				f, ok := got[id]
				if !ok || f.Severity != sev {
					t.Errorf("%s: got %+v, want severity %v (all: %+v)", id, f, sev, got)
				}
			}
		})
	}
}

func TestTokenGroups(t *testing.T) {
	dec := func(m map[string]any) *claims.Token {
		tok, err := claims.Decode(claimstest.Unsigned(m))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	cog := cognitoProfile(profiles.FlowBrowser)
	oidc := profiles.Profile{Provider: profiles.ProviderOIDC, GroupsClaimName: "cdf_groups"}
	tests := []struct {
		name       string
		p          profiles.Profile
		claims     map[string]any
		want       string
		byClientID bool
	}{
		{"cognito user", cog, map[string]any{"cognito:groups": []string{"a", "b"}, "groups": []string{"x"}, "username": "u", "client_id": "web"}, "a,b", false},
		{"cognito app", cog, map[string]any{"client_id": "robot", "scope": "x"}, "robot", true},
		{"cognito app with groups from a trigger", cog, map[string]any{"client_id": "robot", "scope": "x", "cognito:groups": []string{"r"}}, "r", false},
		{"cognito user without groups", cog, map[string]any{"client_id": "web", "username": "u"}, "", false},
		{"oidc app", oidc, map[string]any{"cdf_groups": []string{"z"}, "groups": []string{"x"}, "client_id": "robot"}, "z", false},
		{"entra", profiles.Profile{}, map[string]any{"groups": []string{"x"}}, "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := dec(tt.claims)
			if g := TokenGroups(tt.p, tok); strings.Join(g, ",") != tt.want {
				t.Errorf("TokenGroups = %v, want %s", g, tt.want)
			}
			if got := LinkedByClientID(tt.p, tok); got != tt.byClientID {
				t.Errorf("LinkedByClientID = %v, want %v", got, tt.byClientID)
			}
		})
	}
}

func TestCognitoProjectAudience(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := cognitoProfile(profiles.FlowSecret)
	tok, err := claims.Decode(claimstest.Unsigned(map[string]any{"iss": p.Issuer, "client_id": p.ClientID, "token_use": "access",
		"scope": "https://cognitedata.com/user_impersonation", "exp": now.Unix() + 3600}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		audience string
		want     claims.Severity
	}{{"https://cognitedata.com", claims.SeverityOK}, {"https://other.example", claims.SeverityError}} {
		exp := WithProjectAudience(ExpectFor(p, now, false), p, c.audience)
		for _, f := range claims.Check(tok, exp) {
			if f.ID == claims.IDAudience && f.Severity != c.want {
				t.Errorf("project audience %s: %+v", c.audience, f)
			}
		}
	}
}

func TestProviderTokenMeanings(t *testing.T) {
	tok, err := claims.Decode(claimstest.Unsigned(map[string]any{"iss": "https://cognito-idp.eu-west-1.amazonaws.com/p", "iat": 1, "token_use": "access",
		"client_id": "c", "cognito:groups": []string{"g"}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tok.Explain(time.Unix(2, 0), time.UTC) {
		if strings.Contains(c.Meaning, "Entra") || c.Meaning == "" {
			t.Errorf("%s: %q", c.Name, c.Meaning)
		}
	}
	entra, _ := claims.Decode(claimstest.Unsigned(claimstest.V2User(time.Unix(2, 0))))
	for _, c := range entra.Claims() {
		if c.Name == "iss" && !strings.Contains(c.Meaning, "Entra") {
			t.Errorf("an Entra token's iss: %q", c.Meaning)
		}
	}
}

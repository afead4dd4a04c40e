package profiles

import (
	"strings"
	"testing"
)

func TestImportProviders(t *testing.T) {
	env := func(k string) string { return map[string]string{"S": "x"}[k] }
	for _, c := range []struct {
		name, format, in string
		want             Profile
		noteHas, errHas  string
	}{
		{name: "toolkit cognito", format: FormatDotenv,
			in: "CDF_CLUSTER=westeurope-1\nCDF_PROJECT=acme\nPROVIDER=other\nLOGIN_FLOW=client_credentials\nIDP_CLIENT_ID=6r2robot\nIDP_CLIENT_SECRET=${IDP_CLIENT_SECRET}\n" +
				"IDP_TOKEN_URL=https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token\nIDP_AUDIENCE=https://westeurope-1.cognitedata.com\nIDP_SCOPES=https://cognitedata.com/user_impersonation,https://westeurope-1.cognitedata.com\n",
			want: Profile{Provider: ProviderCognito, ClientID: "6r2robot", Cluster: "westeurope-1", Project: "acme", Flow: FlowSecret,
				TokenURL: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token", Scopes: []string{"https://cognitedata.com/user_impersonation", "https://westeurope-1.cognitedata.com"},
				ClientSecret: "env:IDP_CLIENT_SECRET"}, noteHas: "Amazon Cognito takes no audience"},
		{name: "toolkit auth0 with discovery and default audience", format: FormatDotenv,
			in: "CDF_CLUSTER=api\nCDF_PROJECT=p\nPROVIDER=other\nLOGIN_FLOW=client_credentials\nIDP_CLIENT_ID=abc\nIDP_CLIENT_SECRET=${S}\nIDP_TOKEN_URL=https://acme.eu.auth0.com/oauth/token\nIDP_DISCOVERY_URL=https://acme.eu.auth0.com/\n",
			want: Profile{Provider: ProviderOIDC, ClientID: "abc", Cluster: "api", Project: "p", Flow: FlowSecret, TokenURL: "https://acme.eu.auth0.com/oauth/token",
				Issuer: "https://acme.eu.auth0.com", Audience: "https://api.cognitedata.com", ClientSecret: "env:S"}, noteHas: "default audience"},
		{name: "toolkit other interactive without issuer", format: FormatDotenv,
			in: "CDF_CLUSTER=api\nCDF_PROJECT=p\nPROVIDER=other\nLOGIN_FLOW=interactive\nIDP_CLIENT_ID=abc\nIDP_TOKEN_URL=https://idp.example/token\n", errHas: "needs the issuer"},
		{name: "toolkit cdf provider", format: FormatDotenv, in: "CDF_CLUSTER=api\nCDF_PROJECT=p\nPROVIDER=cdf\nLOGIN_FLOW=interactive\n", errHas: "Cognite's own IdP"},
		{name: "sdk client credentials with audience", format: FormatSDKYAML,
			in: "client:\n  project: p\n  base_url: https://api.cognitedata.com\n  credentials:\n    client_credentials:\n      token_url: https://acme.auth0.com/oauth/token\n      client_id: x\n      client_secret: ${S}\n      audience: https://api.example\n",
			want: Profile{Provider: ProviderOIDC, ClientID: "x", Cluster: "api", Project: "p", Flow: FlowSecret, TokenURL: "https://acme.auth0.com/oauth/token",
				Audience: "https://api.example", ClientSecret: "env:S"}, noteHas: "not Entra ID's"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Import([]byte(c.in), c.format, ImportOptions{Name: "x", Getenv: env})
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("err = %v, want %q", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			g := got.Profile
			g.Name = ""
			if g.Provider != c.want.Provider || g.ClientID != c.want.ClientID || g.Cluster != c.want.Cluster || g.TokenURL != c.want.TokenURL ||
				g.Issuer != c.want.Issuer || g.Audience != c.want.Audience || g.Flow != c.want.Flow || strings.Join(g.Scopes, " ") != strings.Join(c.want.Scopes, " ") ||
				g.ClientSecret != c.want.ClientSecret {
				t.Errorf("profile = %+v\nwant      %+v", g, c.want)
			}
			if !strings.Contains(strings.Join(got.Notes, "\n"), c.noteHas) {
				t.Errorf("notes %q lack %q", got.Notes, c.noteHas)
			}
			if err := Validate(got.Profile); err != nil {
				t.Errorf("imported profile invalid: %v", err)
			}
		})
	}
}

// TestProviderExportRoundTrip: every format writes what the Toolkit and
// the SDK take, and reads back as the same profile.
func TestProviderExportRoundTrip(t *testing.T) {
	profiles := []Profile{
		{Name: "cog", Provider: ProviderCognito, Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc", ClientID: "6r2robot", Cluster: "westeurope-1",
			Project: "acme", Flow: FlowSecret, TokenURL: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token", ClientSecret: "env:COG_SECRET",
			Scopes: []string{"https://cognitedata.com/user_impersonation"}},
		{Name: "auth0", Provider: ProviderOIDC, Issuer: "https://acme.eu.auth0.com", ClientID: "abc", CDFURL: "https://api.cognitedata.com", Project: "p",
			Flow: FlowSecret, TokenURL: "https://acme.eu.auth0.com/oauth/token", Audience: "https://api.example", GroupsClaimName: "https://cdf/groups", ClientSecret: "env:S"},
	}
	for _, p := range profiles {
		for _, format := range []string{FormatDotenv, FormatSDKYAML} {
			t.Run(p.Name+"/"+format, func(t *testing.T) {
				out, err := Export(p, format)
				if err != nil {
					t.Fatalf("Export: %v", err)
				}
				if format == FormatDotenv && (!strings.Contains(string(out), "PROVIDER=other\n") || !strings.Contains(string(out), "LOGIN_FLOW=client_credentials\n") ||
					!strings.Contains(string(out), "IDP_TOKEN_URL="+p.TokenURL+"\n")) {
					t.Errorf(".env:\n%s", out)
				}
				back, err := Import(out, format, ImportOptions{Name: p.Name, Getenv: func(string) string { return "x" }})
				if err != nil {
					t.Fatalf("Import:\n%s\n%v", out, err)
				}
				g := back.Profile
				if g.Provider != p.Provider || g.Issuer != p.Issuer || g.TokenURL != p.TokenURL || g.Audience != p.Audience ||
					g.GroupsClaimName != p.GroupsClaimName || g.ClientSecret != p.ClientSecret || strings.Join(g.ScopeList(), " ") != strings.Join(p.ScopeList(), " ") {
					t.Errorf("round trip:\n%s\ngot  %+v\nwant %+v", out, g, p)
				}
			})
		}
		py, err := ExportPython(p)
		if err != nil || !strings.Contains(string(py), "OAuthClientCredentials(\n    token_url="+pyStr(p.TokenURL)) {
			t.Errorf("python:\n%s\n%v", py, err)
		}
		if p.Audience != "" && !strings.Contains(string(py), "audience="+pyStr(p.Audience)) {
			t.Errorf("python lacks the audience:\n%s", py)
		}
	}
	// Person sign-ins and certificates of other providers: a clear
	// refusal, as the SDK and the Toolkit sign those in with Entra only.
	p := profiles[1]
	p.Flow = FlowBrowser
	for _, format := range ExportFormats {
		if _, err := Export(p, format); err == nil || !strings.Contains(err.Error(), "Entra ID only") {
			t.Errorf("%s of a browser oidc profile: %v", format, err)
		}
	}
	p = profiles[1]
	p.TokenURL = ""
	if _, err := Export(p, FormatPython); err == nil || !strings.Contains(err.Error(), "--token-url") {
		t.Errorf("without token_url: %v", err)
	}
}

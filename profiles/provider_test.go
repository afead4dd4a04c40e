package profiles

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestProviderValidation(t *testing.T) {
	cognito := Profile{Name: "cog", Provider: ProviderCognito, ClientID: "5ab4c3d2e1f0a9b8c7d6e5f4g3",
		Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", Cluster: "westeurope-1", Project: "acme", Flow: FlowBrowser}
	oidc := Profile{Name: "kc", Provider: ProviderOIDC, ClientID: "cdflogin", Issuer: "https://idp.example.com/realms/acme",
		Audience: "https://acme.cognitedata.com", GroupsClaimName: "roles", Cluster: "westeurope-1", Project: "acme", Flow: FlowDevice}
	tests := []struct {
		name string
		p    Profile
		want []string // fields with problems; none means valid
	}{
		{"cognito browser", cognito, nil},
		{"oidc device", oidc, nil},
		{"cognito device", with(cognito, func(p *Profile) { p.Flow = FlowDevice }), []string{"flow"}},
		{"cognito certificate", with(cognito, func(p *Profile) { p.Flow = FlowCertificate; p.Certificate = "" }), []string{"flow", "certificate"}},
		{"no issuer", with(oidc, func(p *Profile) { p.Issuer = "" }), []string{"issuer"}},
		{"secret with only a token URL", with(oidc, func(p *Profile) {
			p.Issuer, p.TokenURL, p.Flow, p.ClientSecret = "", "https://idp.example.com/oauth/token", FlowSecret, "env:S"
		}), nil},
		{"tenant on oidc", with(oidc, func(p *Profile) { p.Tenant = "contoso.onmicrosoft.com" }), []string{"tenant"}},
		{"issuer on entra", Profile{Name: "e", Tenant: "contoso.onmicrosoft.com", ClientID: "1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d",
			Cluster: "api", Project: "p", Flow: FlowDevice, Issuer: "https://x.example"}, []string{"issuer"}},
		{"unknown provider", with(oidc, func(p *Profile) { p.Provider = "okta-ish" }), []string{"provider"}},
		{"discovery URL as issuer", with(oidc, func(p *Profile) { p.Issuer += "/.well-known/openid-configuration" }), []string{"issuer"}},
		{"groups claim with spaces", with(oidc, func(p *Profile) { p.GroupsClaimName = "my groups" }), []string{"groups_claim"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.p)
			var got []string
			if ve, ok := err.(*ValidationError); ok {
				for _, pr := range ve.Problems {
					got = append(got, pr.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("problems in %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
}

func with(p Profile, f func(*Profile)) Profile { f(&p); return p }

func TestProviderDefaults(t *testing.T) {
	e := Profile{Cluster: "api"}
	c := Profile{Provider: ProviderCognito, Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/"}
	o := Profile{Provider: ProviderOIDC, Issuer: "https://idp.example.com", GroupsClaimName: "roles"}
	if e.ProviderOf() != ProviderEntra || !e.IsEntra() || e.GroupsClaim() != "groups" {
		t.Errorf("entra defaults: %q %q", e.ProviderOf(), e.GroupsClaim())
	}
	if c.GroupsClaim() != "cognito:groups" || c.IssuerURL() != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X" ||
		strings.Join(c.ScopeList(), " ") != "https://cognitedata.com/IDENTITY https://cognitedata.com/user_impersonation" {
		t.Errorf("cognito defaults: %q %q %q", c.GroupsClaim(), c.IssuerURL(), c.ScopeList())
	}
	if o.GroupsClaim() != "roles" || o.DiscoveryURL() != "https://idp.example.com/.well-known/openid-configuration" {
		t.Errorf("oidc: %q %q", o.GroupsClaim(), o.DiscoveryURL())
	}
	if !LooksLikeCognito(c.Issuer) || !LooksLikeCognito("https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token") || LooksLikeCognito(o.Issuer) {
		t.Error("LooksLikeCognito")
	}
}

// The provider settings are written and read back, and a file without
// them is an Entra profile as before.
func TestProviderRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "profiles.yaml")
	s := NewStore(path)
	p := Profile{Name: "cog", Provider: ProviderCognito, ClientID: "5ab4c3d2e1f0a9b8c7d6e5f4g3",
		Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", TokenURL: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
		GroupsClaimName: "cognito:groups", Audience: "x", Cluster: "westeurope-1", Project: "acme", Flow: FlowBrowser}
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("cog")
	if err != nil {
		t.Fatal(err)
	}
	if got.Provider != p.Provider || got.Issuer != p.Issuer || got.TokenURL != p.TokenURL || got.GroupsClaimName != p.GroupsClaimName || got.Audience != p.Audience {
		t.Errorf("read back %+v", got)
	}
}

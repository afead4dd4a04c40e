package ui

import (
	"context"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

func TestFirstRunNewProfileToDeviceToToken(t *testing.T) {
	d := newDriver(t, 80, 30, nil, func(c *Config) {
		c.Demo = &DemoHooks{User: "alice"}
	})
	d.m.cfg.Demo.ApproveDeviceCode = func(context.Context, string) error {
		d.auth.approve <- struct{}{}
		return nil
	}
	d.waitFor("the welcome page on first run", onScreen(scrWelcome))
	d.requireView("Welcome to cdflogin.", "A profile is a named set of sign-in settings", "Create a profile")
	d.press("n")
	d.waitFor("the new-profile form", onScreen(scrForm))
	d.requireView("New profile", "Profile name")
	d.typeText("acme dev")
	d.waitView("not a usable profile name") // checked as typed, with profiles' words
	d.press("enter")
	if f := d.m.formPage().form.GetFocusedField(); f.GetKey() != "name" {
		t.Fatalf("enter left the invalid name for %q", f.GetKey())
	}
	for range len("acme dev") {
		d.press("backspace")
	}
	d.fillForm("acme-dev", "", claimstest.TenantID, claimstest.ClientID, "westeurope-1", "acme")
	d.waitFor("flows", onScreen(scrFlow))
	p, err := d.store.Get("acme-dev")
	if err != nil {
		t.Fatal(err)
	}
	want := profiles.Profile{Name: "acme-dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID, Cluster: "westeurope-1", Project: "acme", Flow: profiles.FlowDevice}
	if p.Name != want.Name || p.Tenant != want.Tenant || p.ClientID != want.ClientID || p.Cluster != want.Cluster || p.Project != want.Project || p.Flow != want.Flow {
		t.Fatalf("stored %+v, want %+v", p, want)
	}
	d.press("enter")
	d.waitFor("device code", onScreen(scrDevice))
	d.press("a")
	d.waitFor("token", onScreen(scrToken))
}

// fillForm types the form's fields in order (name only for a new one),
// waiting for the focus to move after each enter as huh does it through
// commands.
func (d *driver) fillForm(name, _ string, tenant, client, cluster, project string) {
	d.t.Helper()
	if name != "" {
		d.focusField("name")
		d.typeText(name)
		d.press("enter")
	}
	d.focusField("flow")
	d.press("enter") // keep device code
	for _, f := range []struct{ key, v string }{{"tenant", tenant}, {"client_id", client}, {"cdf", cluster}, {"project", project}} {
		d.fillField(f.key, f.v)
	}
	d.focusField("more")
	d.press("enter") // no more settings: submit
}

// TestFormCognitoIssuer: the tenant field takes a Cognito user pool's
// issuer, as the CDF field takes a URL; the profile is a cognito profile,
// and its flow page offers the browser only, saying why.
func TestFormCognitoIssuer(t *testing.T) {
	d := newDriver(t, 100, 40, nil)
	d.waitFor("the welcome page on first run", onScreen(scrWelcome))
	d.press("n")
	d.waitFor("the new-profile form", onScreen(scrForm))
	d.fillField("name", "acme-cognito")
	d.focusField("flow")
	d.press("up", "enter") // device → browser
	const issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
	d.focusField("tenant")
	d.typeText(issuer)
	d.waitView("Amazon Cognito user pool issuer")
	d.press("enter")
	for _, f := range []struct{ key, v string }{{"client_id", "4q1sandboxcognitopublic0a1"}, {"cdf", "westeurope-1"}, {"project", "acme"}} {
		d.fillField(f.key, f.v)
	}
	d.focusField("more")
	d.press("enter")
	d.waitFor("flows", onScreen(scrFlow))
	p, err := d.store.Get("acme-cognito")
	if err != nil {
		t.Fatal(err)
	}
	if p.Provider != profiles.ProviderCognito || p.Issuer != issuer || p.Tenant != "" || p.Flow != profiles.FlowBrowser || p.ClientID != "4q1sandboxcognitopublic0a1" {
		t.Fatalf("stored %+v", p)
	}
	d.waitView("Amazon Cognito has no device-code endpoint")
}

// TestFormOpenIDProviderSettings: an OpenID provider's issuer in the tenant
// field brings its settings after the project (audience, token URL, groups
// claim), each checked as typed; they are saved with the profile, and an
// edit shows them again.
func TestFormOpenIDProviderSettings(t *testing.T) {
	d := newDriver(t, 100, 40, nil)
	d.waitFor("the welcome page on first run", onScreen(scrWelcome))
	d.press("n")
	d.waitFor("the new-profile form", onScreen(scrForm))
	d.fillField("name", "acme-auth0")
	d.focusField("flow")
	d.press("enter")
	const issuer = "https://acme.eu.auth0.com/"
	d.focusField("tenant")
	d.typeText(issuer)
	d.waitView("Its audience, token URL")
	d.press("enter")
	for _, f := range []struct{ key, v string }{{"client_id", "Zx9exampleclient"}, {"cdf", "westeurope-1"}, {"project", "acme"}} {
		d.fillField(f.key, f.v)
	}
	d.focusField("more")
	d.press("enter")
	d.focusField("audience")
	d.waitView("Identity provider", "Auth0's audience parameter")
	d.typeText("https://westeurope-1.cognitedata.com")
	d.press("enter")
	d.focusField("token_url")
	d.typeText("http://acme.example/token")
	d.waitView("✗ token_url")
	d.press("enter")
	d.focusField("token_url") // refused: the form stays on the field
	for range len("http://acme.example/token") {
		d.press("backspace")
	}
	d.press("enter")
	d.fillField("groups_claim", "https://acme.example/groups")
	d.waitFor("flows", onScreen(scrFlow))
	p, err := d.store.Get("acme-auth0")
	if err != nil {
		t.Fatal(err)
	}
	if p.Provider != profiles.ProviderOIDC || p.Issuer != "https://acme.eu.auth0.com" || p.Audience != "https://westeurope-1.cognitedata.com" ||
		p.TokenURL != "" || p.GroupsClaimName != "https://acme.example/groups" || p.Tenant != "" {
		t.Fatalf("stored %+v", p)
	}

	v := valuesOf(&p)
	if v.Audience != p.Audience || v.GroupsClaim != p.GroupsClaimName || v.Tenant != p.Issuer {
		t.Errorf("an edit of the profile shows %+v", v)
	}
}

// TestFormBackToEntraDropsProviderSettings: a tenant in place of the
// issuer makes the profile an Entra one, without the provider's settings.
func TestFormBackToEntraDropsProviderSettings(t *testing.T) {
	p := profiles.Profile{Name: "x", Provider: profiles.ProviderOIDC, Issuer: "https://acme.eu.auth0.com", Audience: "a",
		TokenURL: "https://acme.eu.auth0.com/oauth/token", GroupsClaimName: "g", ClientID: "c", Cluster: "westeurope-1", Project: "p", Flow: profiles.FlowDevice}
	v := valuesOf(&p)
	if v.Audience != "a" || v.TokenURL != p.TokenURL || v.GroupsClaim != "g" {
		t.Fatalf("values of an OIDC profile: %+v", v)
	}
	v.Tenant = "contoso.onmicrosoft.com"
	v.Apply(&p)
	if p.Provider != "" || p.Issuer != "" || p.Audience != "" || p.TokenURL != "" || p.GroupsClaimName != "" || p.Tenant != "contoso.onmicrosoft.com" {
		t.Errorf("back to Entra: %+v", p)
	}
}

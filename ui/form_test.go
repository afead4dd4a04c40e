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
	focus := func(key string) {
		d.waitFor("focus on "+key, func(m *app) bool {
			f := m.formPage().form.GetFocusedField()
			return f != nil && f.GetKey() == key
		})
	}
	if name != "" {
		focus("name")
		d.typeText(name)
		d.press("enter")
	}
	focus("flow")
	d.press("enter") // keep device code
	for _, f := range []struct{ key, v string }{{"tenant", tenant}, {"client_id", client}, {"cdf", cluster}, {"project", project}} {
		focus(f.key)
		d.typeText(f.v)
		d.press("enter")
	}
	focus("more")
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
	focus := func(key string) {
		d.waitFor("focus on "+key, func(m *app) bool {
			f := m.formPage().form.GetFocusedField()
			return f != nil && f.GetKey() == key
		})
	}
	focus("name")
	d.typeText("acme-cognito")
	d.press("enter")
	focus("flow")
	d.press("up", "enter") // device → browser
	const issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
	focus("tenant")
	d.typeText(issuer)
	d.waitView("Amazon Cognito user pool issuer")
	d.press("enter")
	for _, f := range []struct{ key, v string }{{"client_id", "4q1sandboxcognitopublic0a1"}, {"cdf", "westeurope-1"}, {"project", "acme"}} {
		focus(f.key)
		d.typeText(f.v)
		d.press("enter")
	}
	focus("more")
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

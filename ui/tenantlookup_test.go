package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// findContoso finds the tenant of contoso.com as Entra's discovery
// answers for it, and no other (AADSTS90002), on the profile's host.
func findContoso(_ context.Context, p profiles.Profile, given string) (*insight.TenantOfDomain, error) {
	body := `{"issuer":"https://login.microsoftonline.com/` + claimstest.TenantID + `/v2.0","tenant_region_scope":"EU"}`
	status := 200
	if d, _ := insight.DomainOf(given); d != "contoso.com" {
		body, status = `{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '`+d+`' not found.","error_codes":[90002]}`, 400
	}
	host, _ := insight.AuthorityHostOf(p.Authority)
	d, err := insight.DomainOf(given)
	if err != nil {
		return nil, err
	}
	return insight.ParseTenantDiscovery(host, d, []byte(body), status)
}

// newProfileWithEmail fills the New profile form with an e-mail address
// as the tenant and submits it.
func newProfileWithEmail(t testing.TB, w, h int, email string) *driver {
	t.Helper()
	d := newDriver(t, w, h, nil, func(c *Config) { c.FindTenant = findContoso })
	d.waitFor("welcome", onScreen(scrWelcome))
	d.press("n")
	d.waitFor("form", onScreen(scrForm))
	d.fillForm("acme-dev", "", email, claimstest.ClientID, "westeurope-1", "acme-dev")
	d.waitFor("the tenant look-up", func(m *app) bool {
		p, ok := m.page.(*tenantPage)
		return ok && !p.Busy()
	})
	return d
}

// TestFormFindsTheTenant: an e-mail address typed as the tenant is looked
// up on save, shown, and, once confirmed, stored as the tenant ID with
// the address as the login hint.
func TestFormFindsTheTenant(t *testing.T) {
	d := newProfileWithEmail(t, 80, 24, "alice@Contoso.com")
	d.requireView("The domain contoso.com belongs to this Entra tenant:", "Tenant ID "+claimstest.TenantID,
		"Use it for profile acme-dev?", "y/enter use this tenant and save")
	if _, err := d.store.Get("acme-dev"); err == nil {
		t.Fatal("saved before the tenant was confirmed")
	}
	d.press("y")
	d.waitFor("flows", onScreen(scrFlow))
	p, err := d.store.Get("acme-dev")
	if err != nil || p.Tenant != claimstest.TenantID || p.LoginHint != "alice@Contoso.com" || p.Authority != "" {
		t.Fatalf("stored %+v %v", p, err)
	}
}

// TestFormTenantBack: esc goes back to the form with everything typed;
// a domain no tenant claims says so, and nothing is saved.
func TestFormTenantBack(t *testing.T) {
	d := newProfileWithEmail(t, 80, 24, "bob@contoso.example")
	d.requireView("No tenant was found for bob@contoso.example:", "no Entra tenant claims the domain contoso.example", "esc")
	d.press("y") // not offered: nothing found
	if d.m.screen != scrTenant {
		t.Fatalf("y with no tenant found left for %v", d.m.screen)
	}
	d.press("esc")
	d.waitFor("the form again", onScreen(scrForm))
	v := *d.m.formPage().vals
	if v.Name != "acme-dev" || v.Tenant != "bob@contoso.example" || v.ClientID != claimstest.ClientID || v.Project != "acme-dev" {
		t.Fatalf("the form lost values: %+v", v)
	}
	if _, err := d.store.Get("acme-dev"); err == nil {
		t.Fatal("saved")
	}
	// A changed form still asks before esc drops it.
	d.press("esc")
	d.requireView("Discard the changes")
}

// TestFormTenantField: an e-mail address is a tenant the form takes only
// where it can look it up, and is checked as typed.
func TestFormTenantField(t *testing.T) {
	m := &profileForm{common: &common{cfg: Config{FindTenant: findContoso}}, validate: defaultValidate}
	if err := m.check("tenant", "alice@contoso.com"); err != nil {
		t.Errorf("e-mail: %v", err)
	}
	if err := m.check("tenant", "alice@"); err == nil || !errors.Is(err, insight.ErrNotADomain) {
		t.Errorf("alice@: %v", err)
	}
	m.cfg.FindTenant = nil
	if err := m.check("tenant", "alice@contoso.com"); err == nil || !strings.Contains(err.Error(), "is not a valid domain name") {
		t.Errorf("without a look-up: %v", err)
	}
}

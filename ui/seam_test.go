package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
)

// The program judges a token as claims and doctor do (insight.ExpectFor,
// with the project's audience once the CDF access tab has it), and
// explains CDF's failures through the diagnosis seam.

// proxyProfile reaches CDF through a proxy, with scopes for the cluster:
// the tokens' aud is the cluster, which CDF accepts.
var proxyProfile = profiles.Profile{Name: "via-proxy", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
	CDFURL: "https://cdf-proxy.acme.example", Project: "acme-dev", Flow: profiles.FlowDevice,
	Scopes: []string{claimstest.CDFURL + "/user_impersonation", "offline_access"}}

// signIn signs in with the profile's device flow and waits for the token.
func signIn(t *testing.T, d *driver) {
	t.Helper()
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("device", onScreen(scrDevice))
	d.auth.approve <- struct{}{}
	d.waitFor("token", onScreen(scrToken))
}

// audFinding is the token page's audience finding.
func audFinding(t *testing.T, d *driver) claims.Finding {
	t.Helper()
	for _, f := range d.m.tokenPage().findings {
		if f.ID == claims.IDAudience {
			return f
		}
	}
	t.Fatalf("no audience finding in %+v", d.m.tokenPage().findings)
	return claims.Finding{}
}

func TestTokenAudienceOfProxyProfile(t *testing.T) {
	d := newDriver(t, 120, 40, []profiles.Profile{proxyProfile})
	signIn(t, d)
	f := audFinding(t, d)
	if f.Severity >= claims.SeverityWarn {
		t.Fatalf("a token for the scopes' resource is judged %v: %s", f.Severity, f.Message)
	}
	if !strings.Contains(f.Message, "cdf-proxy.acme.example") {
		t.Errorf("the finding does not say where CDF is reached: %s", f.Message)
	}
	// What claims and doctor say of the same token.
	tok, err := claims.Decode(d.m.tokenPage().tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := claims.Check(tok, insight.ExpectFor(proxyProfile, d.clock.Now(), true))
	for _, w := range want {
		if w.ID == claims.IDAudience && (w.Severity != f.Severity || w.Message != f.Message) {
			t.Errorf("the program says %v %q, insight.ExpectFor %v %q", f.Severity, f.Message, w.Severity, w.Message)
		}
	}
	v := d.view()
	if strings.Contains(v, "✗ aud") || strings.Contains(v, "CDF will answer 401") {
		t.Errorf("the overview fails the audience:\n%s", v)
	}
}

// A token whose aud is the project's audience in CDF, which is neither the
// profile's CDF URL (the sandbox, a proxy) nor a scope's resource, fails
// until the CDF access tab has told the project's audience, and then
// passes: CDF judges it against that.
func TestTokenAudienceFromCDF(t *testing.T) {
	p := profiles.Profile{Name: "sandboxish", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		CDFURL: "https://127.0.0.1:8443", Project: "acme-dev", Flow: profiles.FlowDevice}
	inspect := func(context.Context, profiles.Profile, *flows.Tokens) (*Access, error) {
		return &Access{Subject: "s", Projects: []string{"acme-dev"}, Audience: claimstest.CDFURL}, nil
	}
	d := newDriver(t, 120, 40, []profiles.Profile{p}, func(c *Config) { c.Inspect = inspect })
	signIn(t, d)
	if f := audFinding(t, d); f.Severity != claims.SeverityError {
		t.Fatalf("before CDF told the audience: %v %s", f.Severity, f.Message)
	}
	d.press("shift+tab")
	d.waitFor("access", func(m *app) bool { return m.tokenPage().cdf != nil })
	f := audFinding(t, d)
	if f.Severity != claims.SeverityOK || !strings.Contains(f.Message, "project acme-dev's audience in CDF") {
		t.Fatalf("with the project's audience: %v %s", f.Severity, f.Message)
	}
	d.press("tab") // back to the overview
	if v := d.view(); strings.Contains(v, "CDF will answer 401") {
		t.Errorf("the overview still fails the audience:\n%s", v)
	}
}

// CDF's refusal on the CDF access tab is explained by the seam, for the
// profile: the fix names it.
func TestCDFErrorExplained(t *testing.T) {
	cdfErr := &cdf.Error{Status: 401, Message: "Unauthorized", Method: "GET", Path: "/api/v1/token/inspect"}
	inspect := func(context.Context, profiles.Profile, *flows.Tokens) (*Access, error) { return nil, cdfErr }
	d := newDriver(t, 120, 40, []profiles.Profile{devProfile}, func(c *Config) { c.Inspect = inspect })
	signIn(t, d)
	d.press("shift+tab")
	d.waitFor("answer", func(m *app) bool { return m.tokenPage().cdfErr != nil })
	x := diagnosis.Explain(diagnosis.Input{Err: cdfErr, Profile: devProfile, Flow: devProfile.Flow})
	if !x.Explained() {
		t.Fatal("the seam does not explain a 401")
	}
	d.requireView("CDF: ", "Fix:", "did not accept the token", "cdflogin doctor -p dev")
}

// A Cognito app's token carries no groups: the overview says CDF links
// the app by its client ID rather than counting the client ID as a group
// in the token.
func TestCognitoAppTokenGroups(t *testing.T) {
	p := profiles.Profile{Name: "acme-robot", Provider: profiles.ProviderCognito, ClientID: "6r2exampleserviceacc0b",
		Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", Flow: profiles.FlowSecret,
		ClientSecret: "env:COGNITO_SECRET", Project: "acme", Cluster: "westeurope-1"}
	d := newDriver(t, 120, 40, []profiles.Profile{p})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("token", onScreen(scrToken))
	v := d.view()
	if !strings.Contains(v, "none in the token; CDF links the app by its client ID") || strings.Contains(v, "1 in the token") {
		t.Errorf("the overview's groups line of a Cognito app token:\n%s", v)
	}
}

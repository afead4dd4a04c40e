package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

func names(m *app) string {
	var out []string
	for _, r := range m.list.visible() {
		out = append(out, r.Profile.Name)
	}
	return strings.Join(out, ",")
}

func TestProfileFilter(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, browserProfile, secretProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	for _, tc := range []struct{ typed, want string }{
		{"", "dev,desk,robot"},
		{"rob", "robot"},
		{"DESK", "desk"},
		{"browser", "desk"},              // by flow
		{"acme-dev", "dev,desk"},         // by project
		{"westeurope", "dev,desk,robot"}, // by cluster
		{"8f0c6f5e", "dev,desk,robot"},   // by tenant
		{"nothing", ""},
	} {
		d.press("/")
		d.typeText(tc.typed)
		if got := names(d.m); got != tc.want {
			t.Errorf("filter %q: %q, want %q", tc.typed, got, tc.want)
		}
		d.press("esc")
		if got := names(d.m); got != "dev,desk,robot" {
			t.Fatalf("esc did not clear the filter: %q", got)
		}
	}
	// Letters typed into the filter are not shortcuts.
	d.press("/")
	d.typeText("qrob")
	if d.quit {
		t.Fatal("q in the filter quit the program")
	}
	for range 4 {
		d.press("backspace")
	}
	d.typeText("rob")
	d.press("enter", "enter")
	if d.m.screen != scrFlow {
		t.Fatal("enter after the filter did not choose")
	}
}

func TestDeleteWithConfirmation(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("d")
	d.requireView(`Delete profile "dev"`)
	d.press("n")
	if _, err := d.store.Get("dev"); err != nil {
		t.Fatal("n deleted the profile")
	}
	d.press("d", "y")
	d.waitView(`Deleted profile "dev".`)
	d.waitFor("the reloaded list", func(m *app) bool { return names(m) == "robot" })
	if _, err := d.store.Get("dev"); err == nil {
		t.Fatal("y did not delete the profile")
	}
	if got := names(d.m); got != "robot" {
		t.Fatalf("list after delete: %q", got)
	}
}

func TestEditProfile(t *testing.T) {
	d := newDriver(t, 80, 30, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("e")
	d.waitFor("form", onScreen(scrForm))
	d.requireView("Edit profile dev")
	d.waitFor("focus on flow", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "flow" })
	d.press("enter") // keep the flow
	for _, key := range []string{"tenant", "client_id", "cdf"} {
		d.waitFor("focus on "+key, func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == key })
		d.press("enter") // keep the value
	}
	d.waitFor("focus on project", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "project" })
	for range len(devProfile.Project) {
		d.press("backspace")
	}
	d.typeText("acme-test")
	d.press("enter")
	d.waitFor("focus on more", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "more" })
	d.press("enter")
	d.waitView(`Saved profile "dev".`)
	d.waitFor("back on the list after an edit from the list", onScreen(scrProfiles))
	p, _ := d.store.Get("dev")
	if p.Project != "acme-test" || p.Tenant != devProfile.Tenant || p.Flow != profiles.FlowDevice {
		t.Fatalf("stored %+v", p)
	}
}

func TestNewSecretProfileKeepsOnlyAReference(t *testing.T) {
	const secret = "s3cr3t~Value.Do-Not-Show"
	var saved []string
	d := newDriver(t, 100, 40, nil, func(c *Config) {
		c.SaveSecret = func(profile, field, value string) (string, error) {
			saved = append(saved, profile+"/"+field+"="+value)
			return profiles.RefKeyring, nil
		}
	})
	d.waitFor("welcome", onScreen(scrWelcome))
	d.press("n")
	d.waitFor("form", onScreen(scrForm))
	d.focusField("name")
	d.typeText("robot")
	d.press("enter")
	d.focusField("flow")
	d.press("down", "enter") // device → secret
	for _, f := range []struct{ key, v string }{{"tenant", claimstest.TenantID}, {"client_id", claimstest.ClientID}, {"cdf", "westeurope-1"}, {"project", "acme"}} {
		d.focusField(f.key)
		d.typeText(f.v)
		d.press("enter")
	}
	d.focusField("more")
	d.press("enter")
	d.focusField("client_secret")
	d.typeText(secret)
	if strings.Contains(d.view(), secret) {
		t.Fatal("the secret is shown while typed")
	}
	d.press("enter")
	d.waitFor("flows", onScreen(scrFlow))
	if len(saved) != 1 || saved[0] != "robot/client_secret="+secret {
		t.Fatalf("saved %q", saved)
	}
	p, err := d.store.Get("robot")
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientSecret != profiles.RefKeyring || p.Flow != profiles.FlowSecret {
		t.Fatalf("stored %+v", p)
	}
	if strings.Contains(d.view(), secret) {
		t.Fatal("the secret is on screen")
	}
}

func TestUnreadableProfiles(t *testing.T) {
	d := newDriver(t, 80, 24, nil)
	d.store.listErr = errors.New("profiles.yaml line 3: mapping values are not allowed here")
	d.m.screen = scrLoading
	d.handle(d.m.loadProfiles()())
	d.requireView("Cannot read the profiles: profiles.yaml line 3")
	if d.m.screen == scrForm {
		t.Fatal("a broken profiles.yaml opened the new-profile form")
	}
}

// Deleting a profile also clears its cached tokens and keyring secrets
// through Config.Forget, and only after the profile left the store.
func TestDeleteForgetsTokensAndSecrets(t *testing.T) {
	var forgot []string
	var storeHadIt bool
	var d *driver
	d = newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile}, func(c *Config) {
		c.Forget = func(p profiles.Profile) error {
			forgot = append(forgot, p.Name+"/"+p.ClientID)
			_, err := d.store.Get(p.Name)
			storeHadIt = err == nil
			return nil
		}
	})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("d", "y")
	d.waitView(`Deleted profile "dev".`)
	if len(forgot) != 1 || forgot[0] != "dev/"+devProfile.ClientID {
		t.Fatalf("Forget calls = %v, want the dev profile once", forgot)
	}
	if storeHadIt {
		t.Error("Forget ran before the profile was removed from the store")
	}
}

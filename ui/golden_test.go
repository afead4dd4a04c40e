package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// fakeAccess is a fixed CDF answer for the CDF access tab.
func fakeAccess(context.Context, profiles.Profile, *flows.Tokens) (*Access, error) {
	return &Access{
		Subject:  "mJ0c2VyX3N1YmplY3Q",
		Projects: []string{"acme-dev", "acme-prod"},
		Capabilities: []string{"projectsAcl: LIST, READ (all)", "groupsAcl: LIST (current user)",
			"assetsAcl: READ, WRITE (all)", "timeSeriesAcl: READ (all)"},
		Groups: []GroupAccess{
			{Name: "admins", SourceID: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", Matched: true},
			{Name: "readers", SourceID: "6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c", Matched: true},
			{Name: "retired-team", SourceID: "11111111-2222-4333-8444-555555555555"},
		},
		Notes: []string{"1 group(s) of the token map to no CDF group: 99999999-0000-4000-8000-000000000000"},
	}, nil
}

// goldenSizes are the window sizes every screen is checked at: the
// smallest supported, the classic terminal, and two larger ones.
var goldenSizes = [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 45}}

// goldenScreens drives the app to every screen, with real-length values
// (a GUID tenant, a 118-character CDF URL, a browser URL of over 200
// characters, 12 groups, an overage token); each returns the driver
// positioned on its screen.
var goldenScreens = []struct {
	name string
	to   func(t *testing.T, w, h int) *driver
}{
	{"welcome", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, nil, func(c *Config) {
			c.OfferDemo = true
			c.Import = func(string) (Imported, error) { return Imported{}, nil }
		})
		d.waitFor("welcome", onScreen(scrWelcome))
		return d
	}},
	{"import", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, nil, func(c *Config) {
			c.Import = func(path string) (Imported, error) {
				return Imported{}, errors.New(path + ": LOGIN_FLOW=token uses a ready-made token: cdflogin signs in itself; set LOGIN_FLOW to interactive, device_code or client_credentials; nothing was imported")
			}
		})
		d.waitFor("welcome", onScreen(scrWelcome))
		d.press("i")
		d.typeText(".env")
		d.press("enter")
		d.waitView("LOGIN_FLOW=token")
		return d
	}},
	{"import-start", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile}, func(c *Config) {
			c.Import = func(string) (Imported, error) { return Imported{Name: "acme"}, nil }
		})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("i")
		d.waitFor("import", onScreen(scrImport))
		return d
	}},
	{"profiles", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile, browserProfile, secretProfile, prodProfile})
		d.auth.cached["dev"] = &flows.Tokens{ExpiresOn: t0.Add(42 * time.Minute)}
		d.auth.cached["robot"] = &flows.Tokens{ExpiresOn: t0.Add(-time.Hour)}
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("down")
		return d
	}},
	{"profiles-filter", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile, browserProfile, secretProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("/")
		d.typeText("rob")
		return d
	}},
	{"profiles-delete", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile, secretProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("d")
		return d
	}},
	{"new-profile", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, nil)
		d.waitFor("welcome", onScreen(scrWelcome))
		d.press("n")
		d.waitFor("form", onScreen(scrForm))
		d.waitView("A short name you will type")
		return d
	}},
	{"new-profile-invalid", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, nil)
		d.waitFor("welcome", onScreen(scrWelcome))
		d.press("n")
		d.waitFor("form", onScreen(scrForm))
		d.typeText("acme dev")
		d.waitView("not a usable profile name")
		return d
	}},
	{"new-profile-discard", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, nil)
		d.waitFor("welcome", onScreen(scrWelcome))
		d.press("n")
		d.waitFor("form", onScreen(scrForm))
		d.typeText("acme")
		d.press("esc")
		return d
	}},
	{"edit-profile", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{prodProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("e")
		d.waitFor("form", onScreen(scrForm))
		d.waitView("Sign-in flow")
		return d
	}},
	{"edit-secret-profile", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{secretProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("e")
		d.waitFor("form", onScreen(scrForm))
		for _, key := range []string{"flow", "tenant", "client_id", "cdf", "project", "more"} {
			d.waitFor("focus on "+key, func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == key })
			d.press("enter")
		}
		d.waitFor("the secret", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "client_secret" })
		d.waitView("Reference: env:IDP_CLIENT_SECRET")
		return d
	}},
	{"token-accessible", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{secretProfile}, func(c *Config) { c.Accessible = true })
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("token", onScreen(scrToken))
		d.tick(17 * time.Minute)
		return d
	}},
	{"flows", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{browserProfile})
		d.auth.cached["desk"] = &flows.Tokens{ExpiresOn: t0.Add(42 * time.Minute)}
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter")
		return d
	}},
	{"flows-long-profile", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{prodProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter")
		return d
	}},
	{"flows-headless", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{browserProfile}, func(c *Config) {
			c.CanOpenBrowser = func() (bool, string) { return false, "this is an SSH session" }
		})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter")
		return d
	}},
	{"device-code", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile}, func(c *Config) {
			c.Demo = &DemoHooks{User: "alice@contoso.example"}
			c.OpenBrowser = func(string) error { return nil }
		})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		d.tick(75 * time.Second)
		return d
	}},
	{"device-copied", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile}, func(c *Config) {
			c.Clipboard = Clipboard{OSC52: true, Via: "tmux's paste buffer (and your terminal's clipboard, where it allows OSC 52)"}
		})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		d.press("c")
		return d
	}},
	{"device-qr", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		d.press("s")
		return d
	}},
	{"browser", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{browserProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("browser", func(m *app) bool {
			return m.screen == scrBrowser && m.browserPage().url != "" && !m.browserPage().deadline.IsZero()
		})
		d.tick(10 * time.Second)
		return d
	}},
	{"browser-failed", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{browserProfile})
		d.auth.browserFail = true
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("browser", func(m *app) bool {
			return m.screen == scrBrowser && m.browserPage().failed != "" && !m.browserPage().deadline.IsZero()
		})
		return d
	}},
	{"signing-in", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{secretProfile})
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter")
		d.waitFor("flows", onScreen(scrFlow))
		// Show the Working page without letting the sign-in finish.
		d.m.profile = secretProfile
		d.m.show(newWorkingPage(d.m.common, secretProfile.Name, "Signing in as the app with its client secret…"))
		return d
	}},
	{"token", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.tick(17*time.Minute + 23*time.Second)
		return d
	}},
	{"token-checks-failed", func(t *testing.T, w, h int) *driver {
		return userTokenFor(t, w, h, prodProfile)
	}},
	{"token-access-claims", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("tab")
		return d
	}},
	{"token-access-claims-end", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("tab", "G")
		return d
	}},
	{"token-id-claims", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("tab", "tab")
		return d
	}},
	{"token-raw-json", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("tab", "v")
		return d
	}},
	{"token-reveal", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("t")
		return d
	}},
	{"token-cdf-access", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("shift+tab")
		d.waitFor("access", func(m *app) bool { return m.tokenPage().cdf != nil })
		return d
	}},
	{"token-overage", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile}, func(c *Config) { c.Inspect = fakeAccess })
		d.auth.overage = true
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		d.auth.approve <- struct{}{}
		d.waitFor("token", onScreen(scrToken))
		return d
	}},
	{"token-overage-claims", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile}, func(c *Config) { c.Inspect = fakeAccess })
		d.auth.overage = true
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		d.auth.approve <- struct{}{}
		d.waitFor("token", onScreen(scrToken))
		d.press("tab")
		return d
	}},
	{"token-refreshing", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.m.tokenPage().Refreshing(true)
		return d
	}},
	{"token-refresh-failed", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.auth.silentErr = &flows.NetworkError{Op: "refresh", Err: unknownCAError("https://login.microsoftonline.com/" + claimstest.TenantID + "/oauth2/v2.0/token")}
		d.tick(55 * time.Minute)
		d.waitFor("failure", func(m *app) bool { return m.tokenPage().ref.failures == 1 })
		d.tick(3 * time.Second)
		return d
	}},
	{"token-expired", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.auth.silentErr = &flows.LoginRequiredError{Profile: "dev", Reason: "refresh token expired (AADSTS700082)"}
		d.tick(55 * time.Minute)
		d.waitFor("failure", func(m *app) bool { return m.tokenPage().ref.failures == 1 })
		d.tick(6 * time.Minute)
		return d
	}},
	{"token-refreshed-same", func(t *testing.T, w, h int) *driver {
		return refreshedToken(t, w, h, nil)
	}},
	{"token-refreshed-groups-changed", func(t *testing.T, w, h int) *driver {
		return refreshedToken(t, w, h, movedGroups)
	}},
	{"changes", func(t *testing.T, w, h int) *driver {
		d := refreshedToken(t, w, h, movedGroups)
		d.press("w")
		d.waitFor("changes", onScreen(scrChanges))
		return d
	}},
	{"changes-long", func(t *testing.T, w, h int) *driver {
		d := refreshedToken(t, w, h, movedGroups)
		// Two more refreshes: the groups come back, then stay.
		d.auth.mu.Lock()
		d.auth.groups = twelveGroups
		d.auth.mu.Unlock()
		for i := range 2 {
			d.tick(55 * time.Minute)
			d.waitFor("the refresh", func(m *app) bool { return m.tokenPage().ref.count == 2+i })
		}
		d.press("w")
		d.waitFor("changes", onScreen(scrChanges))
		return d
	}},
	{"changes-long-end", func(t *testing.T, w, h int) *driver {
		d := refreshedToken(t, w, h, movedGroups)
		d.auth.mu.Lock()
		d.auth.groups = twelveGroups
		d.auth.mu.Unlock()
		for i := range 2 {
			d.tick(55 * time.Minute)
			d.waitFor("the refresh", func(m *app) bool { return m.tokenPage().ref.count == 2+i })
		}
		d.press("w", "G")
		d.waitFor("changes", onScreen(scrChanges))
		return d
	}},
	{"tenant-found", func(t *testing.T, w, h int) *driver {
		return newProfileWithEmail(t, w, h, "alice.anders@contoso.com")
	}},
	{"tenant-not-found", func(t *testing.T, w, h int) *driver {
		return newProfileWithEmail(t, w, h, "alice.anders@contoso-corporation.example")
	}},
	{"error-7000218", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{devProfile})
		d.auth.loginErr = entraErr("device code sign-in", "invalid_client", 7000218, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("error", onScreen(scrError))
		return d
	}},
	{"error-500011-with-link", func(t *testing.T, w, h int) *driver {
		d := newDriver(t, w, h, []profiles.Profile{prodProfile})
		d.auth.loginErr = entraErr("device code sign-in", "invalid_resource", 500011, "AADSTS500011: The resource principal named "+longCDFURL+" was not found in the tenant named Acme Corporation.")
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("error", onScreen(scrError))
		return d
	}},
	{"full-help", func(t *testing.T, w, h int) *driver {
		d := userToken(t, w, h)
		d.press("?")
		return d
	}},
}

// movedGroups are twelveGroups after an admin took the user out of the
// second and third group and into another.
var movedGroups = append(append([]string{twelveGroups[0]}, twelveGroups[3:]...), "5c7e2a90-1b3d-4e6f-8a0b-2c4d6e8f0a1c")

// refreshedToken is userToken after the automatic refresh 55 minutes on,
// the user's groups then being groups (nil: unchanged).
func refreshedToken(t testing.TB, w, h int, groups []string) *driver {
	t.Helper()
	d := userToken(t, w, h)
	if groups != nil {
		d.auth.mu.Lock()
		d.auth.groups = groups
		d.auth.mu.Unlock()
	}
	d.tick(55 * time.Minute)
	d.waitFor("the refresh", func(m *app) bool { return m.tokenPage().ref.count == 1 })
	d.tick(7 * time.Second)
	return d
}

// userToken drives a device sign-in to the token page, with the CDF tab
// and 12 groups in the token.
func userToken(t testing.TB, w, h int) *driver {
	t.Helper()
	return userTokenFor(t, w, h, devProfile)
}

// userTokenFor is userToken with the profile p.
func userTokenFor(t testing.TB, w, h int, p profiles.Profile) *driver {
	t.Helper()
	d := newDriver(t, w, h, []profiles.Profile{p}, func(c *Config) { c.Inspect = fakeAccess })
	d.auth.groups = twelveGroups
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("device", onScreen(scrDevice))
	d.auth.approve <- struct{}{}
	d.waitFor("token", onScreen(scrToken))
	return d
}

func TestGoldenScreens(t *testing.T) {
	for _, size := range goldenSizes {
		for _, sc := range goldenScreens {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				d := sc.to(t, size[0], size[1])
				d.golden()
			})
		}
	}
}

// TestLayoutFits checks every screen at the minimum size, an odd size
// and a very large one: nothing wider or taller than the window.
func TestLayoutFits(t *testing.T) {
	for _, size := range [][2]int{{minWidth, minHeight}, {67, 17}, {220, 60}} {
		for _, sc := range goldenScreens {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				d := sc.to(t, size[0], size[1])
				checkFits(t, d.view(), size[0], size[1])
			})
		}
	}
}

// TestTooSmall: below the minimum window, one screen asks for a larger
// one (and q still quits); the pages come back when it grows.
func TestTooSmall(t *testing.T) {
	d := newDriver(t, 40, 12, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.requireView("needs a window of at least", "60×15; this one is 40×12", "Enlarge the")
	checkFits(t, d.view(), 40, 12)
	d.golden()
	d.press("enter") // nothing to be seen: ignored
	if d.m.screen != scrProfiles {
		t.Fatalf("enter on the too-small screen opened %v", d.m.screen)
	}
	d.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.requireView("dev", "q quit")
	d.handle(tea.WindowSizeMsg{Width: 59, Height: 30})
	d.requireView("Enlarge the window")
	d.press("q")
	d.waitFor("q to quit on the too-small screen", func(*app) bool { return d.quit })
}

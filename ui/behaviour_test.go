package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// c copies the code raw, and says "Copied" only when it could be.
func TestCopyIsHonest(t *testing.T) {
	deviceOf := func(t *testing.T, cb Clipboard) *driver {
		d := newDriver(t, 80, 24, []profiles.Profile{devProfile}, func(c *Config) { c.Clipboard = cb })
		d.waitFor("profiles", onScreen(scrProfiles))
		d.press("enter", "enter")
		d.waitFor("device", onScreen(scrDevice))
		return d
	}

	d := deviceOf(t, Clipboard{OSC52: true, Via: "your terminal's clipboard"})
	d.press("c")
	d.settle()
	if len(d.clip) != 1 || d.clip[0] != "ABCD-EFGH" {
		t.Errorf("OSC 52 copies %q, want the raw code", d.clip)
	}
	d.requireView("Copied the code ABCD-EFGH to your terminal's clipboard (OSC 52).")

	var wrote []string
	d = deviceOf(t, Clipboard{Write: func(s string) error { wrote = append(wrote, s); return nil }})
	d.press("u")
	d.waitView("Copied the URL to the clipboard.")
	if len(wrote) != 1 || wrote[0] != "https://microsoft.com/devicelogin" || len(d.clip) != 0 {
		t.Errorf("the OS clipboard got %q (OSC 52 %q), want the raw URL only", wrote, d.clip)
	}
	d.requireView("Copied the URL to the clipboard.")

	d = deviceOf(t, Clipboard{Write: func(string) error { return errors.New("xclip: Can't open display") }})
	d.press("c")
	d.waitView("Could not copy (xclip: Can't open display): select the code ABCD-EFGH above")
	if strings.Contains(d.view(), "Copied") {
		t.Error("says Copied after a failed copy")
	}

	d = deviceOf(t, Clipboard{})
	d.press("c")
	d.settle()
	d.requireView("No clipboard this program can reach here: select the code ABCD-EFGH above with", "the mouse.")
	if len(d.clip) != 0 {
		t.Error("sent OSC 52 where it is not known to work")
	}
	// The terminal says it takes OSC 52 (XTGETTCAP Ms): then it is used.
	d.handle(tea.CapabilityMsg{Content: "Ms=\\E]52;%p1%s;%p2%s\\007"})
	d.press("c")
	d.settle()
	if len(d.clip) != 1 {
		t.Error("the terminal's own answer was not used")
	}
}

// Esc on a changed form asks before it drops the changes; on an
// unchanged one it leaves at once.
func TestFormEscAsks(t *testing.T) {
	d := newDriver(t, 80, 30, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("e")
	d.waitFor("form", onScreen(scrForm))
	d.press("esc")
	d.waitFor("the list: nothing was changed", onScreen(scrProfiles))

	d.press("e")
	d.waitFor("form", onScreen(scrForm))
	d.waitFor("focus on flow", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "flow" })
	d.press("enter")
	d.waitFor("focus on tenant", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "tenant" })
	d.typeText("x")
	d.press("esc")
	d.requireView("Discard the changes to this profile?")
	d.press("n")
	if d.m.screen != scrForm || !strings.HasSuffix(d.m.formPage().vals.Tenant, "x") {
		t.Fatalf("n did not keep the form and its change")
	}
	d.press("esc", "y")
	d.waitFor("the list", onScreen(scrProfiles))
	if p, _ := d.store.Get("dev"); p.Tenant != devProfile.Tenant {
		t.Errorf("a discarded change was saved: %q", p.Tenant)
	}
}

// The form edits every setting: the advanced ones under More settings;
// one field for the cluster or the CDF URL, never both.
func TestFormEditsEverySetting(t *testing.T) {
	ca := t.TempDir() + "/ca.pem"
	if err := writeFile(ca); err != nil {
		t.Fatal(err)
	}
	p := devProfile
	p.Cluster, p.CDFURL = "westeurope-1", "https://old.example.com" // a file written before the rule
	d := newDriver(t, 100, 40, []profiles.Profile{p})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("e")
	d.waitFor("form", onScreen(scrForm))
	replace := func(key, v string) {
		d.t.Helper()
		d.focusField(key)
		for range 200 {
			d.press("backspace")
		}
		d.typeText(v)
		d.press("enter")
	}
	d.focusField("flow")
	d.press("up", "enter") // device → browser
	d.focusField("tenant")
	d.press("enter")
	d.focusField("client_id")
	d.press("enter")
	d.focusField("cdf")
	if d.m.formPage().vals.CDF != "https://old.example.com" {
		t.Errorf("the CDF field shows %q, want the URL the profile uses", d.m.formPage().vals.CDF)
	}
	replace("cdf", "westeurope-2")
	d.focusField("project")
	d.press("enter")
	d.focusField("more")
	d.press("left", "enter") // yes, more settings
	replace("authority", "https://login.microsoftonline.us/"+claimstest.TenantID)
	replace("scopes", "https://westeurope-2.cognitedata.com/.default offline_access")
	replace("redirect_port", "53123")
	replace("login_hint", "alice@contoso.example")
	replace("ca_file", ca)
	d.focusField("default")
	d.press("left", "enter")
	d.waitView(`Saved profile "dev".`)
	got, _ := d.store.Get("dev")
	want := profiles.Profile{Name: "dev", Tenant: devProfile.Tenant, ClientID: devProfile.ClientID, Cluster: "westeurope-2", Project: devProfile.Project,
		Flow: profiles.FlowBrowser, Authority: "https://login.microsoftonline.us/" + claimstest.TenantID,
		Scopes: []string{"https://westeurope-2.cognitedata.com/.default", "offline_access"}, RedirectPort: 53123,
		LoginHint: "alice@contoso.example", CAFile: ca, Default: true}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("stored\n%+v\nwant\n%+v", got, want)
	}
}

// A secret field shows a reference (env:VAR) in clear and masks anything
// else.
func TestFormShowsReferencesInClear(t *testing.T) {
	d := newDriver(t, 100, 40, []profiles.Profile{secretProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("e")
	d.waitFor("form", onScreen(scrForm))
	for _, key := range []string{"flow", "tenant", "client_id", "cdf", "project", "more"} {
		d.waitFor("focus on "+key, func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == key })
		d.press("enter")
	}
	d.waitFor("the secret", func(m *app) bool { return m.formPage().form.GetFocusedField().GetKey() == "client_secret" })
	d.settle()
	d.requireView("> env:IDP_CLIENT_SECRET")
	for range len("env:IDP_CLIENT_SECRET") {
		d.press("backspace")
	}
	d.typeText("s3cret")
	if strings.Contains(d.view(), "s3cret") {
		t.Error("a typed secret is shown")
	}
}

// The profile just used is the one selected when the list comes back.
func TestListReturnsToTheProfileUsed(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, browserProfile, secretProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("G", "enter") // robot
	d.waitFor("flows", onScreen(scrFlow))
	d.press("enter")
	d.waitFor("token", onScreen(scrToken))
	d.press("k", "k", "esc")
	d.waitFor("profiles", onScreen(scrProfiles))
	d.settle()
	if s := d.m.list.Selected(); s == nil || s.Profile.Name != "robot" {
		t.Fatalf("selected %+v, want robot", s)
	}
	d.requireView("> robot")
}

// cdflogin -p NAME opens the program at the profile; an unknown name
// says so, with the nearest.
func TestOpenProfile(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile}, func(c *Config) { c.OpenProfile = "robot" })
	d.waitFor("the profile's page", onScreen(scrFlow))
	d.requireView("Sign in · robot", "Client secret")
	d.press("esc")
	d.waitFor("profiles", onScreen(scrProfiles))
	d.requireView("> robot")

	d = newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile}, func(c *Config) { c.OpenProfile = "robto" })
	d.waitFor("profiles", onScreen(scrProfiles))
	d.waitView(`There is no profile "robto". Did you mean robot?`)
}

// The first run's import creates the profile and goes on to its sign-in.
func TestWelcomeImport(t *testing.T) {
	var asked string
	var d *driver
	d = newDriver(t, 80, 24, nil, func(c *Config) {
		c.Import = func(path string) (Imported, error) {
			asked = path
			p := devProfile
			p.Name = "acme"
			return Imported{Name: "acme", Notes: []string{"IDP_AUDIENCE is left out"}}, d.store.Add(p)
		}
	})
	d.waitFor("welcome", onScreen(scrWelcome))
	d.press("i")
	d.waitFor("import", onScreen(scrImport))
	d.press("enter")
	d.requireView("Type the path of the file to import first.")
	d.typeText("./.env")
	d.press("enter")
	d.waitFor("the imported profile's page", onScreen(scrFlow))
	if asked != "./.env" {
		t.Errorf("imported %q", asked)
	}
	d.requireView("Sign in · acme", `Imported ./.env as profile "acme". Note: IDP_AUDIENCE is left out`)
}

// A block (a URL longer than the window) is written again as one run
// once it has stayed in place: DECSC, the cursor at its first cell, the
// hyperlink and the whole URL, DECRC.
func TestSoftwrapWritesBlocksAgain(t *testing.T) {
	d := newDriver(t, 60, 20, []profiles.Profile{browserProfile})
	var pending []func(time.Time) tea.Msg
	d.m.setAfter(func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		pending = append(pending, fn)
		return nil
	})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("browser", func(m *app) bool { return m.screen == scrBrowser && m.browserPage().url != "" })
	u := d.m.browserPage().url
	fire := func() tea.Cmd {
		_ = d.m.View() // the frame is drawn
		cmd := d.m.soft.check(d.m.after)
		for len(pending) > 0 {
			fn := pending[0]
			pending = pending[1:]
			if msg, ok := fn(time.Now()).(softwrapMsg); ok {
				_ = d.m.View()
				_, c := d.m.Update(msg)
				cmd = tea.Batch(cmd, c)
			}
		}
		return cmd
	}
	var raw string
	for range 3 {
		if cmd := fire(); cmd != nil {
			raw += collectRaw(cmd)
		}
	}
	if !strings.Contains(raw, "\x1b7") || !strings.Contains(raw, "\x1b8") || !strings.Contains(raw, u) {
		t.Fatalf("the block was not written again whole: %q", raw)
	}
	if !strings.Contains(raw, "\x1b]8;id=cdfl-") {
		t.Errorf("no hyperlink in %q", raw)
	}
	// Written once: the next frames, unchanged, write nothing.
	if cmd := fire(); collectRaw(cmd) != "" {
		t.Error("an unchanged block was written again")
	}
}

// collectRaw runs cmd (and the batches in it) and returns what tea.Raw
// commands would write.
func collectRaw(cmd tea.Cmd) string {
	if cmd == nil {
		return ""
	}
	switch msg := cmd().(type) {
	case tea.RawMsg:
		return msg.Msg.(string)
	case tea.BatchMsg:
		var s string
		for _, c := range msg {
			s += collectRaw(c)
		}
		return s
	}
	return ""
}

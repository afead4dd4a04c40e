package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// flowChoice is one line of the Flow page.
type flowChoice struct {
	Flow   profiles.Flow // empty for "use the cached sign-in"
	Title  string
	When   string // when to use it
	Needs  string // what the app registration needs
	Cached bool
}

// flowPickerKeys are the keys of the Flow page.
type flowPickerKeys struct {
	KeyMap
	Choose, Back, EditProfile key.Binding
}

// flowPicker is the Flow page: the profile in full, and the flows it
// allows.
type flowPicker struct {
	*common
	keys    flowPickerKeys
	profile profiles.Profile
	choices []flowChoice
	cur     cursor
	reason  string // why device code is preselected
	width   int
	height  int
}

// allowedFlows lists the flows a profile's app registration can do: the
// user flows share a public client; the app flows need their credential.
func allowedFlows(p profiles.Profile) []profiles.Flow {
	switch p.Flow {
	case profiles.FlowSecret, profiles.FlowCertificate:
		var out []profiles.Flow
		if p.ClientSecret != "" || p.Flow == profiles.FlowSecret {
			out = append(out, profiles.FlowSecret)
		}
		if p.Certificate != "" || p.Flow == profiles.FlowCertificate {
			out = append(out, profiles.FlowCertificate)
		}
		return out
	default:
		if p.FlowSupported(profiles.FlowDevice) != nil {
			// Amazon Cognito: no device-code endpoint.
			return []profiles.Flow{profiles.FlowBrowser}
		}
		return []profiles.Flow{profiles.FlowBrowser, profiles.FlowDevice}
	}
}

// describeProviderFlow is describeFlow for a Cognito or OIDC profile: what
// the provider's app client needs.
func describeProviderFlow(p profiles.Profile, f profiles.Flow) flowChoice {
	c := describeFlow(profiles.Profile{}, f)
	switch f {
	case profiles.FlowBrowser:
		c.Needs = "The app client allows the callback URL " + p.RedirectURI() + ", the authorization code grant and the scopes openid + " + strings.Join(p.ScopeList(), " ") + "."
	case profiles.FlowDevice:
		c.Needs = "A device_authorization_endpoint in the issuer's discovery document (Cognito has none)."
	case profiles.FlowSecret:
		c.Needs = "An app client with a secret and the client credentials grant."
	case profiles.FlowCertificate:
		c.Needs = "An app client that takes private_key_jwt with this certificate's key."
	}
	return c
}

func describeFlow(p profiles.Profile, f profiles.Flow) flowChoice {
	switch f {
	case profiles.FlowBrowser:
		return flowChoice{Flow: f, Title: "Browser (auth code + PKCE)",
			When:  "You are at a desktop with a browser on this machine.",
			Needs: "Redirect URI " + p.RedirectURI() + " under Mobile and desktop applications."}
	case profiles.FlowDevice:
		return flowChoice{Flow: f, Title: "Device code",
			When:  "SSH, containers, no browser here: sign in on any other device.",
			Needs: "Authentication › Allow public client flows = Yes."}
	case profiles.FlowSecret:
		return flowChoice{Flow: f, Title: "Client secret (app, no person)",
			When:  "Scripts and services acting as the app itself.",
			Needs: "A client secret (Certificates & secrets) and the app in a CDF group."}
	case profiles.FlowCertificate:
		return flowChoice{Flow: f, Title: "Client certificate (app, no person)",
			When:  "Like the secret, with a certificate instead (no shared secret).",
			Needs: "The certificate uploaded under Certificates & secrets › Certificates."}
	}
	return flowChoice{Flow: f, Title: string(f)}
}

// newFlowPicker builds the choices for p. cachedLeft > 0 adds "use the
// cached sign-in" on top. canOpen/reason come from the browser check.
func newFlowPicker(c *common, p profiles.Profile, cachedLeft time.Duration, canOpen bool, reason string, want profiles.Flow) *flowPicker {
	k := c.keys
	m := &flowPicker{common: c, profile: p, keys: flowPickerKeys{KeyMap: k,
		Choose: with(k.Open, "sign in"), Back: with(k.Back, "profiles"), EditProfile: with(k.Edit, "edit profile")}}
	if cachedLeft > 0 {
		m.choices = append(m.choices, flowChoice{Cached: true, Title: "Use the cached sign-in",
			When: "Valid for " + human(cachedLeft) + "; refreshed silently, no prompt."})
	}
	for _, f := range allowedFlows(p) {
		if p.IsEntra() {
			m.choices = append(m.choices, describeFlow(p, f))
		} else {
			m.choices = append(m.choices, describeProviderFlow(p, f))
		}
	}
	pre := p.Flow
	if want != "" {
		pre = want
	}
	noDevice := p.Flow.IsUser() && p.FlowSupported(profiles.FlowDevice) != nil
	if noDevice {
		m.reason = "No device code: " + p.ProviderOf().Title() + " has no device-code endpoint; sign in with the browser."
		if !canOpen && reason != "" {
			m.reason += " (" + reason + ": open the sign-in URL the next screen shows on a machine with a browser.)"
		}
	}
	if !canOpen && pre == profiles.FlowBrowser && want == "" && !noDevice {
		pre = profiles.FlowDevice
		if reason == "" {
			reason = "no browser can open here"
		}
		m.reason = "Device code preselected: " + reason + "."
	}
	for i, c := range m.choices {
		if !c.Cached && c.Flow == pre {
			m.cur.i = i
		}
	}
	return m
}

// Screen names the page.
func (m *flowPicker) Screen() screen { return scrFlow }

// Title is the header.
func (m *flowPicker) Title() string { return "Sign in · " + m.profile.Name }

// SetSize sets the space the picker may use.
func (m *flowPicker) SetSize(w, h int) { m.width, m.height = w, h }

// Selected is the choice under the cursor.
func (m *flowPicker) Selected() flowChoice { return m.choices[m.cur.i] }

// Update handles keys: enter signs in with the chosen flow (or the
// cached sign-in), e edits the profile, esc goes back to the profiles.
func (m *flowPicker) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	if m.cur.move(m.keys.KeyMap, k, len(m.choices), len(m.choices)) {
		return nil, nil
	}
	switch {
	case key.Matches(k, m.keys.Choose):
		c := m.Selected()
		if c.Cached {
			return nil, reqUseCached{p: m.profile}
		}
		return nil, reqSignIn{p: m.profile, flow: c.Flow}
	case key.Matches(k, m.keys.EditProfile):
		return nil, reqEditProfile{p: m.profile, back: scrFlow}
	case key.Matches(k, m.keys.Back):
		return nil, reqProfiles{}
	}
	return nil, nil
}

// details is the profile in full: the row of the list it was opened on.
func (m *flowPicker) details() []string {
	p := m.profile
	w := m.width
	var out []string
	add := func(label, value string) {
		if value != "" {
			out = append(out, kvWrap(m.st, label, value, 11, w, m.termWidth)...)
		}
	}
	if p.IsEntra() {
		add("Tenant", p.Tenant)
	} else {
		add("Provider", p.ProviderOf().Title())
		add("Issuer", p.IssuerURL())
	}
	add("App", p.ClientID)
	add("CDF", p.BaseURL())
	add("Project", p.Project)
	if p.Authority != "" {
		add("Authority", p.AuthorityURL())
	}
	return out
}

// cursorLine is the body line of the chosen flow's title, to scroll to.
func (m *flowPicker) cursorLine() int {
	return len(m.details()) + 1 + 3*m.cur.i
}

// View renders the profile and the choices; the chosen one shows when to
// use it and what the app registration needs, wrapped.
func (m *flowPicker) View() string {
	w := m.width
	lines := m.details()
	lines = append(lines, "")
	for i, c := range m.choices {
		if i == m.cur.i {
			lines = append(lines, selectedRow(m.st, "> "+c.Title, w))
		} else {
			lines = append(lines, "  "+c.Title)
		}
		lines = append(lines, para(m.st, "    ", 4, c.When, w, 4, m.termWidth, m.st.Muted.Render)...)
		if c.Needs != "" {
			lines = append(lines, para(m.st, "    "+m.st.Muted.Render("Needs:")+" ", 11, c.Needs, w, 4, m.termWidth, m.st.Muted.Render)...)
		}
	}
	if m.reason != "" {
		lines = append(lines, para(m.st, "", 0, m.reason, w, 0, m.termWidth, m.st.Warn.Render)...)
	}
	body := strings.Join(lines, "\n")
	if len(lines) <= m.height {
		return body + "\n"
	}
	// Too tall: scroll as little as keeps the chosen flow on screen.
	return scrollView(m.st, body, max(m.cursorLine()+4-m.height, 0), m.height)
}

// KeyMap is the page's help.
func (m *flowPicker) KeyMap() help.KeyMap {
	k := m.keys
	return keyMap{short: []key.Binding{k.Choose, k.EditProfile, k.Back},
		full: [][]key.Binding{append(k.nav(), k.Choose), {k.EditProfile, k.Back}}}
}

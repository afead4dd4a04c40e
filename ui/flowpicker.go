package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// flowChoice is one line of the Flow screen.
type flowChoice struct {
	Flow   profiles.Flow // empty for "use the cached sign-in"
	Title  string
	When   string // when to use it
	Needs  string // what the app registration needs
	Cached bool
}

// flowPickerKeys are the keys of the Flow screen.
type flowPickerKeys struct {
	Up, Down, Choose, Back, Help key.Binding
}

func newFlowPickerKeys() flowPickerKeys {
	return flowPickerKeys{
		Up:     bind("up,k", "↑/k", "up"),
		Down:   bind("down,j", "↓/j", "down"),
		Choose: bind("enter", "enter", "sign in"),
		Back:   bind("esc", "esc", "back"),
		Help:   bind("?", "?", "more keys"),
	}
}

// flowPicker is the Flow screen: the flows the profile allows.
type flowPicker struct {
	*common
	keys    flowPickerKeys
	profile profiles.Profile
	choices []flowChoice
	cursor  int
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
		return []profiles.Flow{profiles.FlowBrowser, profiles.FlowDevice}
	}
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
	m := &flowPicker{common: c, keys: newFlowPickerKeys(), profile: p}
	if cachedLeft > 0 {
		m.choices = append(m.choices, flowChoice{Cached: true, Title: "Use the cached sign-in",
			When: "Valid for " + human(cachedLeft) + "; refreshed silently, no prompt."})
	}
	for _, f := range allowedFlows(p) {
		m.choices = append(m.choices, describeFlow(p, f))
	}
	pre := p.Flow
	if want != "" {
		pre = want
	}
	if !canOpen && pre == profiles.FlowBrowser && want == "" {
		pre = profiles.FlowDevice
		if reason == "" {
			reason = "no browser can open here"
		}
		m.reason = "Device code preselected: " + reason + "."
	}
	for i, c := range m.choices {
		if !c.Cached && c.Flow == pre {
			m.cursor = i
		}
	}
	return m
}

// SetSize sets the space the picker may use.
func (m *flowPicker) SetSize(w, h int) { m.width, m.height = w, h }

// Screen names the page.
func (m *flowPicker) Screen() screen { return scrFlow }

// Title is the header.
func (m *flowPicker) Title() string { return "Sign in · " + m.profile.Name }

// Selected is the choice under the cursor.
func (m *flowPicker) Selected() flowChoice { return m.choices[m.cursor] }

// Update handles keys: enter signs in with the chosen flow (or the
// cached sign-in), esc goes back to the profiles.
func (m *flowPicker) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	switch {
	case key.Matches(k, m.keys.Up):
		if m.cursor > 0 {
			m.cursor--
		}
	case key.Matches(k, m.keys.Down):
		if m.cursor < len(m.choices)-1 {
			m.cursor++
		}
	case key.Matches(k, m.keys.Choose):
		c := m.Selected()
		if c.Cached {
			return nil, reqUseCached{p: m.profile}
		}
		return nil, reqSignIn{p: m.profile, flow: c.Flow}
	case key.Matches(k, m.keys.Back):
		return nil, reqProfiles{}
	}
	return nil, nil
}

// View renders the choices.
func (m *flowPicker) View() string {
	var b strings.Builder
	w := m.width
	compact := m.height < 3*len(m.choices)+2
	for i, c := range m.choices {
		title := c.Title
		if i == m.cursor {
			b.WriteString(trunc(m.st.Selected.Render("> "+title), w) + "\n")
		} else {
			b.WriteString(trunc("  "+title, w) + "\n")
		}
		if compact && i != m.cursor {
			continue
		}
		b.WriteString(trunc("    "+m.st.Muted.Render(c.When), w) + "\n")
		if c.Needs != "" {
			b.WriteString(trunc("    "+m.st.Muted.Render("Needs: "+c.Needs), w) + "\n")
		}
	}
	if m.reason != "" {
		b.WriteString(trunc(m.st.Warn.Render(m.reason), w) + "\n")
	}
	return b.String()
}

// KeyMap is the screen's help.
func (m *flowPicker) KeyMap() help.KeyMap {
	k := m.keys
	return keyMap{short: []key.Binding{k.Choose, k.Back, k.Help}, full: [][]key.Binding{{k.Up, k.Down, k.Choose}, {k.Back}}}
}

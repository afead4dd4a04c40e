package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// browserKeys are the keys of the Browser screen.
type browserKeys struct {
	Copy, Open, Complete, Cancel, Help key.Binding
}

func newBrowserKeys(demoUser string, canOpen bool) browserKeys {
	k := browserKeys{
		Copy:     bind("c", "c", "copy URL"),
		Open:     bind("o", "o", "open again"),
		Complete: bind("a", "a", "sign in (demo)"),
		Cancel:   bind("esc", "esc", "cancel"),
		Help:     bind("?", "?", "more keys"),
	}
	k.Complete.SetEnabled(demoUser != "")
	k.Open.SetEnabled(canOpen)
	return k
}

// browserView is the Browser screen: the sign-in URL and the wait for the
// redirect on the loopback port.
type browserView struct {
	*common
	keys      browserKeys
	profile   string
	url       string
	addr      string // localhost:53000
	deadline  time.Time
	failed    string // why the browser could not open
	redeeming bool
	status    string
	demoUser  string
	width     int
	height    int
}

func newBrowserView(c *common, profile, addr string, canOpen bool) *browserView {
	demoUser := c.demoUser()
	return &browserView{common: c, keys: newBrowserKeys(demoUser, canOpen), profile: profile, addr: addr, demoUser: clean(demoUser)}
}

// Screen names the page.
func (m *browserView) Screen() screen { return scrBrowser }

// Title is the header.
func (m *browserView) Title() string { return "Browser sign-in · " + m.profile }

// NeedsClock: the redirect's countdown.
func (m *browserView) NeedsClock() bool { return true }

// Busy: the page always waits for something.
func (m *browserView) Busy() bool { return true }

// KeepsStatus: the status line tells what the browser did.
func (m *browserView) KeepsStatus() bool { return true }

// SetSize sets the space the screen may use.
func (m *browserView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys.
func (m *browserView) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy) && m.url != "":
			m.status = "Copied the URL to the clipboard (OSC 52: works where your terminal allows it)."
			return tea.SetClipboard(m.url), nil
		case key.Matches(msg, m.keys.Open) && m.url != "":
			return nil, reqOpen{url: m.url}
		case key.Matches(msg, m.keys.Complete) && m.url != "":
			m.status = "Signing in as " + m.demoUser + " in the sandbox's browser double…"
			return nil, reqDemoComplete{url: m.url}
		case key.Matches(msg, m.keys.Cancel):
			return nil, reqCancelSignIn{}
		}
	}
	return nil, nil
}

// View renders the screen.
func (m *browserView) View() string {
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(trunc(s, w) + "\n") }
	if m.url == "" {
		line(spinView(m.st, m.now()) + " Preparing the sign-in…")
		return b.String()
	}
	if m.failed != "" {
		line(m.st.Warn.Render("The browser could not open (" + clean(m.failed) + ")."))
		line("Open this URL in a browser on this machine:")
	} else {
		line("Sign in in your browser. If it did not open, use this URL:")
	}
	// Never truncated: the URL must be usable elsewhere.
	b.WriteString(m.st.Key.Render(wrapHard(clean(m.url), w)) + "\n")
	addr := clean(m.addr)
	if addr == "" {
		addr = "localhost"
	}
	switch {
	case m.redeeming:
		line(spinView(m.st, m.now()) + " The browser answered; redeeming the code…")
	case m.deadline.IsZero():
		line(spinView(m.st, m.now()) + " Waiting for the redirect on " + addr + "…")
	case m.st.Plain:
		line("Waiting for the redirect on " + addr + " until " + hhmm(m.deadline) + ".")
	default:
		line(spinView(m.st, m.now()) + " Waiting for the redirect on " + addr + "… " + clock(m.deadline.Sub(m.now())) + " left")
	}
	if m.status != "" {
		line(m.st.Muted.Render(m.status))
	} else if m.demoUser != "" && !m.redeeming {
		line(m.st.Warn.Render("Demo: press a to sign in as " + m.demoUser))
	}
	return b.String()
}

// KeyMap is the screen's help.
func (m *browserView) KeyMap() help.KeyMap {
	k := m.keys
	return keyMap{
		short: []key.Binding{k.Complete, k.Copy, k.Open, k.Cancel, k.Help},
		full:  [][]key.Binding{{k.Copy, k.Open}, {k.Complete, k.Cancel}},
	}
}

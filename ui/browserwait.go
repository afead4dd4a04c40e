package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// browserKeys are the keys of the Browser page.
type browserKeys struct {
	KeyMap
	Copy, Open, Complete, Cancel key.Binding
}

func newBrowserKeys(k KeyMap, demoUser string, canOpen bool) browserKeys {
	b := browserKeys{
		KeyMap:   k,
		Copy:     with(k.Copy, "copy URL"),
		Open:     with(k.OpenBrowser, "open again"),
		Complete: with(k.Approve, "sign in (demo)"),
		Cancel:   with(k.Back, "cancel"),
	}
	b.Complete.SetEnabled(demoUser != "")
	b.Open.SetEnabled(canOpen)
	return b
}

// browserView is the Browser page: the sign-in URL and the wait for the
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
	return &browserView{common: c, keys: newBrowserKeys(c.keys, demoUser, canOpen), profile: profile, addr: addr, demoUser: clean(demoUser)}
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

// SetSize sets the space the page may use.
func (m *browserView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys and the result of a copy.
func (m *browserView) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case copiedMsg:
		m.status = msg.status
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy) && m.url != "":
			cmd, status := m.copy(m.url, "the URL")
			m.status = status
			return cmd, nil
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

// View renders the page.
func (m *browserView) View() string {
	w := m.width
	var lines []string
	text := func(s string, paint func(...string) string) {
		lines = append(lines, para(m.st, "", 0, s, w, 0, m.termWidth, paint)...)
	}
	if m.url == "" {
		text(spinView(m.st, m.now())+" Preparing the sign-in…", nil)
		return strings.Join(lines, "\n") + "\n"
	}
	if m.failed != "" {
		text("The browser could not open ("+tuiAdvice(clean(m.failed), browserPageKeys)+").", m.st.Warn.Render)
		text("Open this URL in a browser on this machine:", nil)
	} else {
		text("Sign in in your browser. If it did not open, use this URL:", nil)
	}
	lines = append(lines, urlLines(m.st, m.url, w, m.termWidth)...)
	addr := clean(m.addr)
	if addr == "" {
		addr = "localhost"
	}
	switch {
	case m.redeeming:
		text(spinView(m.st, m.now())+" The browser answered; redeeming the code…", nil)
	case m.deadline.IsZero():
		text(spinView(m.st, m.now())+" Waiting for the redirect on "+addr+"…", nil)
	case m.st.Plain:
		text("Waiting for the redirect on "+addr+" until "+hhmmZone(m.deadline)+".", nil)
	default:
		text(spinView(m.st, m.now())+" Waiting for the redirect on "+addr+"… "+clock(m.deadline.Sub(m.now()))+" left", nil)
	}
	if m.status != "" {
		text(m.status, m.st.Muted.Render)
	} else if m.demoUser != "" && !m.redeeming {
		text("Demo: press a to sign in as "+m.demoUser, m.st.Warn.Render)
	}
	return strings.Join(lines, "\n") + "\n"
}

// KeyMap is the page's help: copy and open only once there is a URL.
func (m *browserView) KeyMap() help.KeyMap {
	k := m.keys
	if m.url == "" {
		return keyMap{short: []key.Binding{k.Cancel}, full: [][]key.Binding{{k.Cancel}}}
	}
	return keyMap{
		short: []key.Binding{k.Complete, k.Copy, k.Open, k.Cancel},
		full:  [][]key.Binding{{k.Copy, k.Open}, {k.Complete, k.Cancel}},
	}
}

package ui

import (
	"strings"
	"time"

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

type browserAction int

const (
	browserNone browserAction = iota
	browserCopy
	browserOpen
	browserComplete
	browserCancel
)

// browserView is the Browser screen: the sign-in URL and the wait for the
// redirect on the loopback port.
type browserView struct {
	keys      browserKeys
	st        Styles
	now       func() time.Time
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

func newBrowserView(st Styles, now func() time.Time, addr, demoUser string, canOpen bool) browserView {
	return browserView{keys: newBrowserKeys(demoUser, canOpen), st: st, now: now, addr: addr, demoUser: clean(demoUser)}
}

// SetSize sets the space the screen may use.
func (m *browserView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys and spinner ticks.
func (m browserView) Update(msg tea.Msg) (browserView, browserAction, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy) && m.url != "":
			m.status = "Copied the URL to the clipboard (OSC 52: works where your terminal allows it)."
			return m, browserCopy, tea.SetClipboard(m.url)
		case key.Matches(msg, m.keys.Open) && m.url != "":
			return m, browserOpen, nil
		case key.Matches(msg, m.keys.Complete) && m.url != "":
			m.status = "Signing in as " + m.demoUser + " in the sandbox's browser double…"
			return m, browserComplete, nil
		case key.Matches(msg, m.keys.Cancel):
			return m, browserCancel, nil
		}
	}
	return m, browserNone, nil
}

// View renders the screen.
func (m browserView) View() string {
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
func (m browserView) KeyMap() keyMap {
	k := m.keys
	return keyMap{
		short: []key.Binding{k.Complete, k.Copy, k.Open, k.Cancel, k.Help},
		full:  [][]key.Binding{{k.Copy, k.Open}, {k.Complete, k.Cancel}},
	}
}

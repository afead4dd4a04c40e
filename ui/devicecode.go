package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/mdp/qrterminal/v3"

	"github.com/cognite-tools/cdflogin/flows"
)

// deviceKeys are the keys of the Device code screen.
type deviceKeys struct {
	Copy, Open, QR, Approve, Cancel, Help key.Binding
}

func newDeviceKeys(demoUser string, canOpen bool) deviceKeys {
	k := deviceKeys{
		Copy:    bind("c", "c", "copy code"),
		Open:    bind("o", "o", "open browser"),
		QR:      bind("q", "q", "QR code"),
		Approve: bind("a", "a", "approve (demo)"),
		Cancel:  bind("esc", "esc", "cancel"),
		Help:    bind("?", "?", "more keys"),
	}
	k.Approve.SetEnabled(demoUser != "")
	k.Open.SetEnabled(canOpen)
	return k
}

// deviceView is the Device code screen.
type deviceView struct {
	*common
	keys     deviceKeys
	profile  string
	code     flows.DeviceCode
	showQR   bool
	qr       string
	status   string // "Copied…", "Signing in…", demo errors
	width    int
	height   int
	waiting  bool // false once the code was redeemed
	demoUser string
}

func newDeviceView(c *common, profile string, code flows.DeviceCode, canOpen bool) *deviceView {
	code.UserCode, code.VerificationURL = clean(code.UserCode), clean(code.VerificationURL)
	demoUser := c.demoUser()
	return &deviceView{
		common: c, keys: newDeviceKeys(demoUser, canOpen), profile: profile, code: code, waiting: true, demoUser: clean(demoUser),
	}
}

// Screen names the page.
func (m *deviceView) Screen() screen { return scrDevice }

// Title is the header.
func (m *deviceView) Title() string { return "Device code · " + m.profile }

// NeedsClock: the code's countdown.
func (m *deviceView) NeedsClock() bool { return true }

// Busy while the sign-in is awaited.
func (m *deviceView) Busy() bool { return m.waiting }

// KeepsStatus: the status line tells what the browser did.
func (m *deviceView) KeepsStatus() bool { return true }

// Redeeming records that the code was used: Entra is asked for the token.
func (m *deviceView) Redeeming() { m.waiting = false }

// SetSize sets the space the screen may use.
func (m *deviceView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys.
func (m *deviceView) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy):
			m.status = "Copied " + m.code.UserCode + " to the clipboard (OSC 52: works where your terminal allows it)."
			return tea.SetClipboard(m.code.UserCode), nil
		case key.Matches(msg, m.keys.Open):
			return nil, reqOpen{url: m.code.VerificationURL}
		case key.Matches(msg, m.keys.QR):
			m.showQR = !m.showQR
			if m.showQR && m.qr == "" {
				m.qr = qrString(m.code.VerificationURL)
			}
		case key.Matches(msg, m.keys.Approve):
			m.status = "Approved as " + m.demoUser + "; Entra's answer comes with the next poll…"
			return nil, reqDemoApprove{code: m.code.UserCode}
		case key.Matches(msg, m.keys.Cancel):
			return nil, reqCancelSignIn{}
		}
	}
	return nil, nil
}

// qrString renders url as a QR code in half blocks.
func qrString(url string) string {
	var b strings.Builder
	qrterminal.GenerateWithConfig(url, qrterminal.Config{Level: qrterminal.L, Writer: &b, HalfBlocks: true, QuietZone: 1,
		BlackChar: qrterminal.BLACK_BLACK, WhiteBlackChar: qrterminal.WHITE_BLACK, WhiteChar: qrterminal.WHITE_WHITE, BlackWhiteChar: qrterminal.BLACK_WHITE})
	return strings.TrimRight(b.String(), "\n")
}

// spaced puts a space between the characters of a user code.
func spaced(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

// View renders the screen.
func (m *deviceView) View() string {
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(trunc(s, w) + "\n") }
	left := m.code.ExpiresAt.Sub(m.now())
	if m.showQR {
		line("Scan to open " + m.code.VerificationURL)
		b.WriteString(m.qr + "\n")
		line("Code: " + m.st.Code.Render(m.code.UserCode) + "   expires in " + clock(left))
		if m.status != "" {
			line(m.st.Muted.Render(m.status))
		}
		return b.String()
	}
	line("On any device, open")
	// The URL is never truncated: it must be usable elsewhere.
	b.WriteString(m.st.Key.Render(wrapHard(m.code.VerificationURL, w)) + "\n")
	line("and enter the code")
	code := m.st.Code.Render(spaced(m.code.UserCode))
	if !m.st.Plain && m.height >= 12 && lipgloss.Width(code)+6 <= w {
		b.WriteString(m.st.Box.Render(code) + "\n")
	} else {
		line("  " + code)
	}
	switch {
	case !m.waiting:
		line(m.st.Muted.Render("Signing in…"))
	case left <= 0:
		line(m.st.Bad.Render("The code has expired. Press esc and start again."))
	case m.st.Plain:
		line("Waiting for you to sign in. The code expires at " + hhmm(m.code.ExpiresAt) + ".")
	default:
		line(spinView(m.st, m.now()) + " Waiting for you to sign in… code expires in " + clock(left))
	}
	if m.status != "" {
		line(m.st.Muted.Render(m.status))
	} else if m.demoUser != "" && m.waiting {
		line(m.st.Warn.Render("Demo: press a to approve as " + m.demoUser))
	}
	return b.String()
}

// KeyMap is the screen's help.
func (m *deviceView) KeyMap() help.KeyMap {
	k := m.keys
	return keyMap{
		short: []key.Binding{k.Approve, k.Copy, k.Open, k.QR, k.Cancel, k.Help},
		full:  [][]key.Binding{{k.Copy, k.Open, k.QR}, {k.Approve, k.Cancel}},
	}
}

// wrapHard breaks s into lines of at most w cells, for URLs that must stay
// whole.
func wrapHard(s string, w int) string {
	if w <= 0 || lipgloss.Width(s) <= w {
		return s
	}
	// By cells, not runes: wide characters take two.
	return ansi.Hardwrap(s, w, true)
}

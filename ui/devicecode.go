package ui

import (
	"strings"
	"time"

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

// deviceAction is what a key on the Device code screen asks for.
type deviceAction int

const (
	deviceNone deviceAction = iota
	deviceCopy
	deviceOpen
	deviceApprove
	deviceCancel
)

// deviceView is the Device code screen.
type deviceView struct {
	keys     deviceKeys
	st       Styles
	now      func() time.Time
	code     flows.DeviceCode
	showQR   bool
	qr       string
	status   string // "Copied…", "Signing in…", demo errors
	width    int
	height   int
	waiting  bool // false once the code was redeemed
	demoUser string
}

func newDeviceView(st Styles, now func() time.Time, code flows.DeviceCode, demoUser string, canOpen bool) deviceView {
	code.UserCode, code.VerificationURL = clean(code.UserCode), clean(code.VerificationURL)
	return deviceView{
		keys: newDeviceKeys(demoUser, canOpen), st: st, now: now, code: code, waiting: true, demoUser: clean(demoUser),
	}
}

// SetSize sets the space the screen may use.
func (m *deviceView) SetSize(w, h int) { m.width, m.height = w, h }

// SetStatus sets the line under the code.
func (m *deviceView) SetStatus(s string) { m.status = s }

// Update handles keys and spinner ticks.
func (m deviceView) Update(msg tea.Msg) (deviceView, deviceAction, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy):
			m.status = "Copied " + m.code.UserCode + " to the clipboard (OSC 52: works where your terminal allows it)."
			return m, deviceCopy, tea.SetClipboard(m.code.UserCode)
		case key.Matches(msg, m.keys.Open):
			return m, deviceOpen, nil
		case key.Matches(msg, m.keys.QR):
			m.showQR = !m.showQR
			if m.showQR && m.qr == "" {
				m.qr = qrString(m.code.VerificationURL)
			}
		case key.Matches(msg, m.keys.Approve):
			m.status = "Approved as " + m.demoUser + "; Entra's answer comes with the next poll…"
			return m, deviceApprove, nil
		case key.Matches(msg, m.keys.Cancel):
			return m, deviceCancel, nil
		}
	}
	return m, deviceNone, nil
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
func (m deviceView) View() string {
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
func (m deviceView) KeyMap() keyMap {
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

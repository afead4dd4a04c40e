package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/mdp/qrterminal/v3"

	"github.com/cognite-tools/cdflogin/flows"
)

// deviceKeys are the keys of the Device code page.
type deviceKeys struct {
	KeyMap
	Copy, CopyURL, Open, QR, Approve, Cancel key.Binding
}

func newDeviceKeys(k KeyMap, demoUser string, canOpen bool) deviceKeys {
	d := deviceKeys{
		KeyMap:  k,
		Copy:    with(k.Copy, "copy code"),
		CopyURL: bind("u", "u", "copy URL"),
		Open:    k.OpenBrowser,
		QR:      k.QR,
		Approve: k.Approve,
		Cancel:  with(k.Back, "cancel"),
	}
	d.Approve.SetEnabled(demoUser != "")
	d.Open.SetEnabled(canOpen)
	return d
}

// deviceView is the Device code page: the URL to open and the code to
// enter, as Entra gave them (the code is not spaced out, so a copy with
// the mouse is the code).
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
		common: c, keys: newDeviceKeys(c.keys, demoUser, canOpen), profile: profile, code: code, waiting: true, demoUser: clean(demoUser),
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

// SetSize sets the space the page may use.
func (m *deviceView) SetSize(w, h int) { m.width, m.height = w, h }

// Redeeming records that the code was used: Entra is asked for the token.
func (m *deviceView) Redeeming() { m.waiting = false }

// Update handles keys and the result of a copy.
func (m *deviceView) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case copiedMsg:
		m.status = msg.status
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Copy):
			cmd, status := m.copy(m.code.UserCode, "the code "+m.code.UserCode)
			m.status = status
			return cmd, nil
		case key.Matches(msg, m.keys.CopyURL):
			cmd, status := m.copy(m.code.VerificationURL, "the URL")
			m.status = status
			return cmd, nil
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
			if m.showQR {
				m.showQR = false
				return nil, nil
			}
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

// View renders the page.
func (m *deviceView) View() string {
	w := m.width
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	text := func(s string, paint func(...string) string) { add(para(m.st, "", 0, s, w, 0, m.termWidth, paint)...) }
	left := m.code.ExpiresAt.Sub(m.now())
	if m.showQR {
		qw, qh := lipgloss.Width(m.qr), lipgloss.Height(m.qr)
		if qw > w || qh+1+len(para(m.st, "", 0, "Scan to open "+m.code.VerificationURL, w, 0, m.termWidth, nil)) > m.height {
			// Never drawn cut: a cut code does not scan.
			needW, needH := qw+(m.termWidth-w), qh+2+(m.termHeight-m.height)
			text(fmt.Sprintf("The QR code needs a window of at least %d×%d; this one is %d×%d. Enlarge the window, or open the URL on the other device (esc hides this).", needW, needH, m.termWidth, m.termHeight), m.st.Warn.Render)
		} else {
			text("Scan to open "+m.code.VerificationURL, nil)
			add(strings.Split(m.qr, "\n")...)
		}
		add("Code: " + m.st.Code.Render(m.code.UserCode) + "   expires in " + clock(left))
		if m.status != "" {
			text(m.status, m.st.Muted.Render)
		}
		return strings.Join(lines, "\n") + "\n"
	}
	add("On any device, open")
	add(urlLines(m.st, m.code.VerificationURL, w, m.termWidth)...)
	add("and enter the code")
	code := m.st.Code.Render(m.code.UserCode)
	if !m.st.Plain && m.height >= 12 && lipgloss.Width(code)+6 <= w {
		add(strings.Split(m.st.Box.Render(code), "\n")...)
	} else {
		// Hard-broken only if longer than the line (a code is short).
		add(para(m.st, "  ", 2, m.code.UserCode, w, 2, m.termWidth, m.st.Code.Render)...)
	}
	switch {
	case !m.waiting:
		add(m.st.Muted.Render("Signing in…"))
	case left <= 0:
		text("The code has expired. Press esc and start again.", m.st.Bad.Render)
	case m.st.Plain:
		text("Waiting for you to sign in. The code expires at "+hhmmZone(m.code.ExpiresAt)+".", nil)
	default:
		text(spinView(m.st, m.now())+" Waiting for you to sign in… code expires in "+clock(left), nil)
	}
	if m.status != "" {
		text(m.status, m.st.Muted.Render)
	} else if m.demoUser != "" && m.waiting {
		text("Demo: press a to approve as "+m.demoUser, m.st.Warn.Render)
	}
	return strings.Join(lines, "\n") + "\n"
}

// KeyMap is the page's help.
func (m *deviceView) KeyMap() help.KeyMap {
	k := m.keys
	qr, cancel := k.QR, k.Cancel
	if m.showQR {
		qr, cancel = with(qr, "hide QR code"), with(cancel, "back")
	}
	return keyMap{
		short: []key.Binding{k.Approve, k.Copy, k.Open, qr, cancel},
		full:  [][]key.Binding{{k.Copy, k.CopyURL, k.Open, qr}, {k.Approve, cancel}},
	}
}

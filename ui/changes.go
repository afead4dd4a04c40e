package ui

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
)

// maxHeld is how many tokens of one profile a run keeps: days of hourly
// refreshes.
const maxHeld = 200

// heldToken is one access token the program held in this run.
type heldToken struct {
	at      time.Time // when the program got it
	how     string    // "signed in", "from the cache", "refreshed"
	sum     [sha256.Size]byte
	subject string
	groups  int
	issued  time.Time
	expires time.Time
	claims  []claims.Claim
	// diff is what changed from the token held before it; nil for the
	// first.
	diff *insight.ClaimsDiff
}

// heldTokens are one profile's tokens of this run, oldest first.
type heldTokens struct {
	list []heldToken
}

// record adds the access token tok (raw is its text) got at at, with
// what changed from the token held before (insight.DiffClaims, as
// claims --diff shows it). The same token shown again is not a new one:
// it returns false and keeps nothing.
func (h *heldTokens) record(raw string, tok *claims.Token, how string, at time.Time) bool {
	sum := sha256.Sum256([]byte(raw))
	if n := len(h.list); n > 0 && h.list[n-1].sum == sum {
		return false
	}
	e := heldToken{at: at, how: how, sum: sum, subject: tok.Subject(), groups: len(tok.Groups()), claims: tok.Claims()}
	e.issued, _ = tok.Time("iat")
	e.expires, _ = tok.Expiry()
	if n := len(h.list); n > 0 {
		d := insight.DiffClaims(h.list[n-1].claims, e.claims)
		e.diff = &d
	}
	h.list = append(h.list, e)
	if len(h.list) > maxHeld {
		h.list = append(h.list[:0:0], h.list[len(h.list)-maxHeld:]...)
	}
	return true
}

// last is the newest token, or nil.
func (h *heldTokens) last() *heldToken {
	if h == nil || len(h.list) == 0 {
		return nil
	}
	return &h.list[len(h.list)-1]
}

// heldFor is the run's tokens of a profile.
func (c *common) heldFor(profile string) *heldTokens {
	if c.held == nil {
		c.held = map[string]*heldTokens{}
	}
	h, ok := c.held[profile]
	if !ok {
		h = &heldTokens{}
		c.held[profile] = h
	}
	return h
}

// access reports whether a diff changed what the token is or grants:
// anything besides its times.
func accessChanged(d *insight.ClaimsDiff) bool {
	if d == nil {
		return false
	}
	for _, c := range d.Changes {
		switch c.Kind {
		case insight.ChangeIssued, insight.ChangeExpires, insight.ChangeLifetime:
		default:
			return true
		}
	}
	return false
}

// changesKeys are the keys of the Changes page.
type changesKeys struct {
	KeyMap
	Back key.Binding
}

// changesPage lists what changed at each token the token page held in
// this run, newest first. It covers the token page, whose refreshes (and
// the history) go on beneath it.
type changesPage struct {
	*common
	keys   changesKeys
	token  *tokenView
	scroll scroller
	shown  struct{ lines, height int }

	width, height int
}

func newChangesPage(c *common, t *tokenView) *changesPage {
	return &changesPage{common: c, token: t, keys: changesKeys{
		KeyMap: c.keys,
		Back:   bind("esc,w", "esc/w", "back to the token"),
	}}
}

// Screen names the page.
func (m *changesPage) Screen() screen { return scrChanges }

// Title is the header.
func (m *changesPage) Title() string { return "Changes · " + m.token.profile.Name }

// Covers: the token page goes on refreshing beneath.
func (m *changesPage) Covers(p page) bool { return p == page(m.token) }

// NeedsClock: the token page's automatic refresh goes on.
func (m *changesPage) NeedsClock() bool { return true }

// Busy while the token page refreshes.
func (m *changesPage) Busy() bool { return m.token.Busy() }

// Leave stops the token page's work (the program ends, or another page
// replaces both).
func (m *changesPage) Leave() { m.token.Leave() }

// SetSize sets the space the page may use.
func (m *changesPage) SetSize(w, h int) {
	m.width, m.height = w, h
	m.token.SetSize(w, h)
}

// Update gives the clock and the refresh's answers to the token page,
// and handles its own keys.
func (m *changesPage) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case secondMsg, refreshDoneMsg, accessMsg:
		cmd, _ := m.token.Update(msg)
		return cmd, nil
	case tea.KeyPressMsg:
		k := m.keys
		if m.scroll.move(k.KeyMap, msg, lineCount(m.body()), max(m.height-1, 1)) {
			return nil, nil
		}
		switch {
		case key.Matches(msg, k.Back):
			return nil, reqShow{p: m.token}
		case key.Matches(msg, k.Refresh):
			return m.token.startRefresh(true), nil
		}
	}
	return nil, nil
}

// View is the refresh state in a line, then the history.
func (m *changesPage) View() string {
	head := m.stateLine() + "\n"
	avail := m.height - 1
	if avail < 1 {
		return clip(head, m.height)
	}
	body := m.body()
	m.shown.lines, m.shown.height = lineCount(body), avail
	return head + m.scroll.view(m.st, body, avail)
}

// stateLine says where the refresh stands, in one line.
func (m *changesPage) stateLine() string {
	r := m.token.ref
	now := m.now()
	s := "Valid until " + hhmmZone(r.expires)
	switch {
	case r.refreshing:
		s = spinView(m.st, now) + " Refreshing…"
	case r.Left(now) <= 0:
		s = m.st.Bad.Render("Expired") + " at " + hhmmZone(r.expires)
	case r.lastErr != nil:
		s += " · " + m.st.Bad.Render("last refresh failed")
	}
	return s + fmt.Sprintf(" · refreshed %d×", r.count)
}

// body lists the tokens of this run, newest first: when and how each
// came, and what changed from the one before, one change a line (a
// group, role or scope a line).
func (m *changesPage) body() string {
	h := m.heldFor(m.token.profile.Name)
	w := m.width
	var lines []string
	text := func(lead string, leadW int, s string, hang int, paint func(...string) string) {
		lines = append(lines, para(m.st, lead, leadW, s, w, hang, m.termWidth, paint)...)
	}
	n := len(h.list)
	intro := fmt.Sprintf("%d tokens held in this run; what changed at each, newest first.", n)
	if n == 1 {
		intro = "1 token held in this run. Each refresh is compared with the token before it: groups gained or lost, roles and scopes, another account, times."
	}
	text("", 0, intro, 0, m.st.Muted.Render)
	loc := m.now().Location()
	for i := n - 1; i >= 0; i-- {
		e := h.list[i]
		lines = append(lines, "")
		head := hhmm(e.at) + " " + e.how + " — "
		lead := m.st.Subtitle.Render(head)
		switch {
		case e.diff == nil:
			text(lead, len([]rune(head)), m.firstSummary(e), 2, nil)
		case e.diff.OtherAccount():
			text(lead, len([]rune(head)), "another account: "+clean(e.diff.Before.Subject)+" → "+clean(e.diff.After.Subject), 2, m.st.Bad.Render)
		case accessChanged(e.diff):
			text(lead, len([]rune(head)), clean(e.diff.Summary()), 2, m.st.Warn.Render)
		default:
			text(lead, len([]rune(head)), clean(e.diff.Summary()), 2, nil)
		}
		if e.diff == nil {
			continue
		}
		if !e.diff.Changed() {
			text("  ", 2, "the same token's claims", 4, m.st.Muted.Render)
		}
		labelW := 0
		for _, c := range e.diff.Changes {
			labelW = max(labelW, lipgloss.Width(clean(c.Label())))
		}
		labelW = min(labelW, max(w/4, 8))
		for _, c := range e.diff.Changes {
			mark, paint := m.changeMark(c)
			label := clean(c.Label())
			lead := "  " + paint(mark) + " " + m.st.Label.Render(padRight(label, labelW)) + "  "
			leadW := 4 + max(lipgloss.Width(label), labelW) + 2
			if lipgloss.Width(label) > labelW {
				// A long claim name: on its own line, the value under it.
				lines = append(lines, "  "+paint(mark)+" "+m.st.Label.Render(label))
				lead, leadW = strings.Repeat(" ", 4+labelW+2), 4+labelW+2
			}
			hang := 4 + labelW + 2
			if len(c.Values) == 0 {
				text(lead, leadW, clean(c.Text(loc)), hang, nil)
				continue
			}
			for j, v := range c.Values {
				if j > 0 {
					lead = strings.Repeat(" ", hang)
					leadW = hang
				}
				text(lead, leadW, clean(v), hang, m.st.Value.Render)
			}
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// firstSummary describes the first token of the run: whose, and how many
// groups it carries.
func (m *changesPage) firstSummary(e heldToken) string {
	s := clean(e.subject)
	if s == "" {
		s = "the first token"
	}
	switch e.groups {
	case 0:
	case 1:
		s += ", 1 group"
	default:
		s += fmt.Sprintf(", %d groups", e.groups)
	}
	if !e.expires.IsZero() {
		s += ", valid until " + hhmm(e.expires)
	}
	return s
}

// changeMark is a change's mark and colour: ! another account (bad), +
// gained, - lost (warn), i times and ~ other claims (muted).
func (m *changesPage) changeMark(c insight.Change) (string, func(...string) string) {
	switch mark := c.Mark(); mark {
	case "!":
		return mark, m.st.Bad.Render
	case "+":
		return mark, m.st.Good.Render
	case "-":
		return mark, m.st.Warn.Render
	default:
		return mark, m.st.Muted.Render
	}
}

// scrolls reports whether the history is taller than its space.
func (m *changesPage) scrolls() bool {
	if m.shown.height == 0 {
		return lineCount(m.body()) > max(m.height-1, 1)
	}
	return m.shown.lines > m.shown.height
}

// KeyMap is the page's help.
func (m *changesPage) KeyMap() help.KeyMap {
	k := m.keys
	short := []key.Binding{k.Back, k.Refresh}
	full := [][]key.Binding{{k.Back, k.Refresh}}
	if m.scrolls() {
		full = append(full, k.nav())
	}
	return keyMap{short: short, full: full}
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// tokenTab is a tab of the Token screen.
type tokenTab int

const (
	tabOverview tokenTab = iota
	tabAccess
	tabID
	tabCDF
)

func (t tokenTab) String() string {
	return [...]string{"Overview", "Access token", "ID token", "CDF access"}[t]
}

// tokenKeys are the keys of the Token screen.
type tokenKeys struct {
	Refresh, NextTab, PrevTab, Raw, Reveal, Up, Down, SignIn, Back, Quit, Help key.Binding
}

func newTokenKeys() tokenKeys {
	return tokenKeys{
		Refresh: bind("r", "r", "refresh now"),
		NextTab: bind("tab,right,l", "tab", "next tab"),
		PrevTab: bind("shift+tab,left,h", "shift+tab", "previous tab"),
		Raw:     bind("j", "j", "raw JSON"),
		Reveal:  bind("t", "t", "show raw token"),
		Up:      bind("up,k", "↑/k", "scroll up"),
		Down:    bind("down", "↓", "scroll down"),
		SignIn:  bind("enter", "enter", "sign in again"),
		Back:    bind("esc", "esc", "profiles"),
		Quit:    bind("q", "q", "quit"),
		Help:    bind("?", "?", "more keys"),
	}
}

// Answers of the Token page's own work, addressed by page serial and
// run, so that answers for a page or run that is gone are dropped.
type (
	refreshDoneMsg struct {
		page, seq int
		tokens    *flows.Tokens
		err       error
	}
	accessMsg struct {
		page, seq int
		access    *Access
		err       error
	}
)

// decoded is one token decoded for display.
type decoded struct {
	tok *claims.Token
	err error
}

// tokenView is the Token screen: who signed in, the claims, the findings,
// CDF access, and the live refresh indicator.
type tokenView struct {
	*common
	keys     tokenKeys
	serial   int
	profile  profiles.Profile
	tokens   *flows.Tokens
	access   decoded
	id       decoded
	findings []claims.Finding
	ref      refresher
	bar      bar
	tab      tokenTab
	tabs     []tokenTab
	raw      bool // raw JSON of the claims
	reveal   bool // raw access token shown
	scroll   int
	lastNote string // result of the last refresh, explained
	lastFix  string // the fix for the last failure, if known
	signedAt time.Time

	cdf        *Access
	cdfErr     error
	cdfLoading bool

	refreshSeq    int // the current refresh run
	accessSeq     int
	cancelRefresh context.CancelFunc

	width, height int
}

func newTokenView(c *common, p profiles.Profile, t *flows.Tokens) *tokenView {
	leeway, withCDF := c.cfg.RefreshLeeway, c.cfg.Inspect != nil
	m := &tokenView{
		common: c, keys: newTokenKeys(), serial: c.nextSerial(), profile: p,
	}
	m.bar = newBar()
	m.tabs = []tokenTab{tabOverview, tabAccess}
	if t.IDToken != "" {
		m.tabs = append(m.tabs, tabID)
	}
	if withCDF {
		m.tabs = append(m.tabs, tabCDF)
	}
	m.setTokens(t)
	m.ref = newRefresher(leeway, m.issued(), t.ExpiresOn)
	m.signedAt = c.now()
	return m
}

// Screen names the page.
func (m *tokenView) Screen() screen { return scrToken }

// Title is the header.
func (m *tokenView) Title() string { return "Token · " + m.profile.Name }

// NeedsClock: the countdown and the automatic refresh.
func (m *tokenView) NeedsClock() bool { return true }

// Busy while refreshing or asking CDF.
func (m *tokenView) Busy() bool { return m.ref.refreshing || m.cdfLoading }

// Leave stops a refresh in flight: its answer would be for a page that
// is gone.
func (m *tokenView) Leave() {
	if m.cancelRefresh != nil {
		m.cancelRefresh()
		m.cancelRefresh = nil
	}
	m.refreshSeq++
	m.ref.refreshing = false
}

// startRefresh refreshes the shown token (forced by "r", or due).
func (m *tokenView) startRefresh(forced bool) tea.Cmd {
	if m.ref.refreshing {
		return nil
	}
	m.refreshSeq++
	page, seq := m.serial, m.refreshSeq
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelRefresh = cancel
	m.Refreshing(forced)
	auth, p := m.cfg.Auth, m.profile
	return m.goWork(func() tea.Msg {
		t, err := auth.Silent(ctx, p, flows.SilentOptions{Force: true})
		return refreshDoneMsg{page: page, seq: seq, tokens: t, err: err}
	})
}

// onRefreshDone shows a refresh's result, the failure explained.
func (m *tokenView) onRefreshDone(msg refreshDoneMsg) {
	m.cancelRefresh = nil
	if msg.err != nil || msg.tokens == nil {
		err := msg.err
		if err == nil {
			err = errors.New("the refresh returned no token")
		}
		needsLogin := errors.Is(err, flows.ErrLoginRequired)
		note, fix := firstLine(err.Error()), ""
		if ex, ok := m.explain(err, m.profile, m.tokens.Flow); ok {
			note, fix = ex.Title, ex.Fix
			if ex.Code != 0 {
				note += fmt.Sprintf(" (AADSTS%d)", ex.Code)
			}
		}
		m.Refreshed(nil, err, needsLogin, note, fix)
		return
	}
	if m.cfg.OnSignedIn != nil {
		m.cfg.OnSignedIn(msg.tokens)
	}
	m.Refreshed(msg.tokens, nil, false, "", "")
}

// loadAccess asks CDF what the token grants.
func (m *tokenView) loadAccess() tea.Cmd {
	if m.cfg.Inspect == nil {
		return nil
	}
	m.accessSeq++
	page, seq, inspect, p, t, ctx := m.serial, m.accessSeq, m.cfg.Inspect, m.profile, m.tokens, m.ctx
	return m.goWork(func() tea.Msg {
		a, err := inspect(ctx, p, t)
		return accessMsg{page: page, seq: seq, access: a, err: err}
	})
}

// setTokens decodes new tokens and runs the claims checks.
func (m *tokenView) setTokens(t *flows.Tokens) {
	m.tokens = t
	m.access = decode(t.AccessToken)
	m.id = decoded{}
	if t.IDToken != "" {
		m.id = decode(t.IDToken)
	}
	m.findings = nil
	if m.access.tok != nil {
		user := t.Flow.IsUser()
		m.findings = claims.Check(m.access.tok, claims.Expect{
			Now: m.now(), Tenant: m.profile.Tenant, CDFURL: m.profile.BaseURL(),
			ClientID: m.profile.ClientID, UserFlow: &user, Fresh: !t.FromCache,
		})
	}
}

func decode(raw string) decoded {
	tok, err := claims.Decode(raw)
	return decoded{tok: tok, err: err}
}

// issued is when the current access token was issued (iat), or now.
func (m *tokenView) issued() time.Time {
	if m.access.tok != nil {
		if t, ok := m.access.tok.Time("iat"); ok {
			return t
		}
	}
	return m.now()
}

// SetSize sets the space the screen may use.
func (m *tokenView) SetSize(w, h int) {
	m.width, m.height = w, h
	m.bar.SetWidth(max(min(w-26, 40), 6))
}

// Refreshing marks a refresh as started.
func (m *tokenView) Refreshing(forced bool) { m.ref.Start(forced) }

// Refreshed records a refresh's result.
func (m *tokenView) Refreshed(t *flows.Tokens, err error, needsLogin bool, explained, fix string) {
	now := m.now()
	if err != nil {
		m.ref.Failed(now, err, needsLogin)
		m.lastNote, m.lastFix = explained, fix
		return
	}
	m.setTokens(t)
	m.ref.Succeeded(now, m.issued(), t.ExpiresOn)
	m.lastNote, m.lastFix = "", ""
	m.reveal = false
}

// SetAccess records what CDF answered.
func (m *tokenView) SetAccess(a *Access, err error) {
	m.cdf, m.cdfErr, m.cdfLoading = a, err, false
}

// Update handles keys, the clock (automatic refresh) and the answers of
// its refreshes and of CDF.
func (m *tokenView) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case secondMsg:
		if m.ref.Due(m.now()) {
			return m.startRefresh(false), nil
		}
	case refreshDoneMsg:
		if msg.page == m.serial && msg.seq == m.refreshSeq {
			m.onRefreshDone(msg)
		}
	case accessMsg:
		if msg.page == m.serial && msg.seq == m.accessSeq {
			m.SetAccess(msg.access, msg.err)
		}
	case tea.KeyPressMsg:
		k := m.keys
		switch {
		case key.Matches(msg, k.Refresh):
			return m.startRefresh(true), nil
		case key.Matches(msg, k.NextTab), key.Matches(msg, k.PrevTab):
			i := 0
			for j, t := range m.tabs {
				if t == m.tab {
					i = j
				}
			}
			if key.Matches(msg, k.NextTab) {
				i = (i + 1) % len(m.tabs)
			} else {
				i = (i + len(m.tabs) - 1) % len(m.tabs)
			}
			m.tab = m.tabs[i]
			m.scroll = 0
			if m.tab == tabCDF && m.cdf == nil && m.cdfErr == nil && !m.cdfLoading {
				m.cdfLoading = true
				return m.loadAccess(), nil
			}
		case key.Matches(msg, k.Raw):
			m.raw = !m.raw
			m.scroll = 0
		case key.Matches(msg, k.Reveal):
			m.reveal = !m.reveal
			m.scroll = 0
		case key.Matches(msg, k.Up):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(msg, k.Down):
			m.scroll++
		case key.Matches(msg, k.SignIn):
			return nil, reqChooseFlow{p: m.profile}
		case key.Matches(msg, k.Back):
			if m.reveal {
				m.reveal = false
				return nil, nil
			}
			return nil, reqProfiles{}
		case key.Matches(msg, k.Quit):
			return nil, reqQuit{}
		}
	}
	return nil, nil
}

// View renders the screen.
func (m *tokenView) View() string {
	w := m.width
	var b strings.Builder
	b.WriteString(m.liveView())
	b.WriteString(m.tabsView() + "\n")
	avail := m.height - strings.Count(b.String(), "\n")
	if avail < 1 {
		return clip(b.String(), m.height)
	}
	b.WriteString(truncLines(scrollView(m.st, m.bodyView(), m.scroll, avail), w))
	return b.String()
}

// liveView is the live refresh indicator, on top of every tab.
func (m *tokenView) liveView() string {
	w := m.width
	now := m.now()
	r := m.ref
	left := r.Left(now)
	var b strings.Builder
	line := func(s string) { b.WriteString(trunc(s, w) + "\n") }

	var state string
	switch {
	case left <= 0:
		state = m.st.Bad.Render("Expired") + " at " + hhmm(r.expires)
	case m.st.Plain:
		state = "Valid for " + human(left) + ", until " + hhmm(r.expires)
	default:
		paint := m.st.Good.Render
		if left < r.Leeway() {
			paint = m.st.Warn.Render
		}
		state = "Valid " + paint(clock(left)) + " " + m.bar.ViewAs(m.st, r.Fraction(now)) + " until " + hhmm(r.expires)
	}
	line(state)

	var next string
	switch {
	case r.refreshing:
		next = spinView(m.st, now) + " Refreshing…"
	case r.needsLogin:
		next = m.st.Bad.Render("Sign-in needed") + " · press enter to sign in again"
	case r.failures > 0:
		next = fmt.Sprintf("Retry %s (in %s)", hhmm(r.retryAt), human(r.retryAt.Sub(now)))
	default:
		next = "Auto refresh " + hhmm(r.NextAuto()) + " (" + human(r.Leeway()) + " before expiry)"
	}
	next += fmt.Sprintf(" · refreshed %d×", r.count)
	line(next)

	switch {
	case r.lastErr != nil:
		msg := m.lastNote
		if msg == "" {
			msg = r.lastErr.Error()
		}
		msg = clean(firstLine(msg))
		line(m.st.Bad.Render("Last refresh "+hhmm(r.lastAt)+" failed: ") + msg)
		if m.lastFix != "" {
			line(m.st.Muted.Render("Fix: " + clean(m.lastFix)))
		}
	case !r.lastAt.IsZero():
		line(m.st.Good.Render("Last refresh "+hhmm(r.lastAt)+" ok") + ", new expiry " + hhmm(r.expires))
	default:
		src := "Signed in at " + hhmm(m.signedAt)
		if m.tokens.FromCache {
			src = "Token from the cache"
		}
		line(m.st.Muted.Render(src + "; not refreshed yet"))
	}
	return b.String()
}

func (m *tokenView) tabsView() string {
	var parts []string
	for _, t := range m.tabs {
		name := t.String()
		if t == m.tab {
			if m.st.Plain {
				name = "[" + name + "]"
			}
			parts = append(parts, m.st.TabActive.Render(name))
		} else {
			parts = append(parts, m.st.Tab.Render(name))
		}
	}
	return trunc(strings.Join(parts, m.st.Muted.Render(" │ ")), m.width)
}

func (m *tokenView) bodyView() string {
	if m.reveal {
		return m.revealView()
	}
	switch m.tab {
	case tabAccess:
		return m.claimsView(m.access)
	case tabID:
		return m.claimsView(m.id)
	case tabCDF:
		return m.cdfView()
	}
	return m.overview()
}

func (m *tokenView) revealView() string {
	var b strings.Builder
	b.WriteString(m.st.Warn.Render("This is your access token. Anyone who has it can use CDF as you until "+hhmm(m.ref.expires)+". Do not paste it anywhere you would not paste a password. Press t to hide.") + "\n")
	b.WriteString(wrapHard(clean(m.tokens.AccessToken), m.width) + "\n")
	return b.String()
}

func (m *tokenView) overview() string {
	t := m.tokens
	p := m.profile
	w := m.width
	var b strings.Builder
	lw := 11
	add := func(label, value string) {
		if value != "" {
			b.WriteString(kv(m.st, label, value, lw, w) + "\n")
		}
	}
	acct := t.Account
	tok := m.access.tok
	if t.Flow.IsUser() {
		name := acct.Name
		if name == "" && tok != nil {
			name = tok.String("name")
		}
		add("Signed in", name)
		upn := acct.Username
		if upn == "" && tok != nil {
			upn = tok.Username()
		}
		add("User", upn)
		oid := acct.ObjectID
		if oid == "" && tok != nil {
			oid = tok.String("oid")
		}
		add("Object ID", oid)
	} else {
		add("Signed in", "as the app itself ("+flowLabel(t.Flow)+")")
		if tok != nil {
			add("Object ID", tok.String("oid"))
		}
	}
	tenant := acct.TenantID
	if tenant == "" && tok != nil {
		tenant = tok.TenantID()
	}
	add("Tenant", tenant)
	app := p.ClientID
	if tok != nil && tok.ClientID() != "" {
		app = tok.ClientID()
	}
	add("App", app)
	add("Profile", p.Name+" · "+flowLabel(t.Flow)+" · "+p.Project+" on "+p.BaseURL())
	if tok != nil {
		if aud := tok.Audience(); len(aud) > 0 {
			add("Audience", strings.Join(aud, " "))
		}
		if s := tok.Scopes(); len(s) > 0 {
			add("Scopes", strings.Join(s, " "))
		}
		if r := tok.Roles(); len(r) > 0 {
			add("Roles", strings.Join(r, " "))
		}
		if g := tok.Groups(); len(g) > 0 {
			add("Groups", fmt.Sprintf("%d in the token", len(g)))
		}
	} else if m.access.err != nil {
		b.WriteString(m.st.Warn.Render("The access token cannot be read: "+clean(m.access.err.Error())) + "\n")
	}
	if len(m.findings) > 0 {
		b.WriteString(m.st.Subtitle.Render("Checks at sign-in") + "\n")
		for _, f := range m.findings {
			b.WriteString(trunc(m.finding(f), w) + "\n")
			if f.Fix != "" && f.Severity >= claims.SeverityWarn {
				b.WriteString(trunc("    "+m.st.Muted.Render("Fix: "+clean(f.Fix)), w) + "\n")
			}
		}
	}
	return b.String()
}

func (m *tokenView) finding(f claims.Finding) string {
	f.Message = clean(f.Message)
	switch f.Severity {
	case claims.SeverityOK:
		return m.st.Good.Render("ok  ") + f.Message
	case claims.SeverityInfo:
		return m.st.Muted.Render("info") + " " + f.Message
	case claims.SeverityWarn:
		return m.st.Warn.Render("warn") + " " + f.Message
	}
	return m.st.Bad.Render("FAIL") + " " + f.Message
}

func (m *tokenView) claimsView(d decoded) string {
	if d.err != nil {
		return m.st.Warn.Render("Cannot read this token: "+clean(d.err.Error())) + "\n"
	}
	if d.tok == nil {
		return m.st.Muted.Render("No token.") + "\n"
	}
	if m.raw {
		return cleanBlock(string(d.tok.PayloadJSON()))
	}
	rows := d.tok.Explain(m.now(), m.now().Location())
	nameW := 5
	for _, c := range rows {
		nameW = max(nameW, lipgloss.Width(c.Name))
	}
	nameW = min(nameW, 12)
	rest := m.width - nameW - 2
	valW := rest
	showMeaning := rest >= 50
	if showMeaning {
		valW = rest * 45 / 100
	}
	var b strings.Builder
	for _, c := range rows {
		val := c.Display
		if val == "" {
			val = fmt.Sprint(c.Value)
		}
		val = clean(val)
		line := m.st.Label.Render(padRight(trunc(clean(c.Name), nameW), nameW)) + "  " + m.st.Value.Render(padRight(trunc(val, valW), valW))
		if showMeaning && c.Meaning != "" {
			line += "  " + m.st.Muted.Render(clean(c.Meaning))
		}
		b.WriteString(trunc(line, m.width) + "\n")
	}
	b.WriteString(m.st.Muted.Render("j: raw JSON (no signature)") + "\n")
	return b.String()
}

func (m *tokenView) cdfView() string {
	switch {
	case m.cdfLoading:
		return spinView(m.st, m.now()) + " Asking CDF what this token grants…\n"
	case m.cdfErr != nil:
		return m.st.Bad.Render("CDF: ") + clean(m.cdfErr.Error()) + "\n"
	case m.cdf == nil:
		return m.st.Muted.Render("No answer from CDF yet.") + "\n"
	}
	a := m.cdf
	var b strings.Builder
	w := m.width
	b.WriteString(kv(m.st, "Subject", a.Subject, 10, w) + "\n")
	b.WriteString(kv(m.st, "Projects", strings.Join(a.Projects, ", "), 10, w) + "\n")
	b.WriteString(m.st.Subtitle.Render("Groups") + "\n")
	if len(a.Groups) == 0 {
		b.WriteString("  none\n")
	}
	for _, g := range a.Groups {
		mark := m.st.Good.Render("matched  ")
		if !g.Matched {
			mark = m.st.Warn.Render("unmatched")
		}
		b.WriteString(trunc("  "+mark+" "+clean(g.Name)+" "+m.st.Muted.Render(clean(g.SourceID)), w) + "\n")
	}
	b.WriteString(m.st.Subtitle.Render("Capabilities") + "\n")
	for _, c := range a.Capabilities {
		b.WriteString(trunc("  "+clean(c), w) + "\n")
	}
	for _, n := range a.Notes {
		b.WriteString(trunc(m.st.Warn.Render(clean(n)), w) + "\n")
	}
	return b.String()
}

// padRight pads s with spaces to w cells.
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// KeyMap is the screen's help.
func (m *tokenView) KeyMap() help.KeyMap {
	k := m.keys
	short := []key.Binding{k.Refresh, k.NextTab}
	if m.ref.needsLogin || m.ref.Left(m.now()) <= 0 {
		short = append([]key.Binding{k.SignIn}, short...)
	}
	short = append(short, k.Back, k.Quit, k.Help)
	return keyMap{
		short: short,
		full:  [][]key.Binding{{k.Refresh, k.SignIn}, {k.NextTab, k.PrevTab, k.Up, k.Down}, {k.Raw, k.Reveal}, {k.Back, k.Quit}},
	}
}

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
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
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

// tokenKeys are the keys of the Token page.
type tokenKeys struct {
	KeyMap
	SignIn, Back, HideRaw key.Binding
	Changes, DemoGroups   key.Binding
}

func newTokenKeys(k KeyMap) tokenKeys {
	k.DemoGroups.SetEnabled(false)
	return tokenKeys{
		KeyMap:     k,
		SignIn:     with(k.Open, "sign in again"),
		Back:       with(k.Back, "profiles"),
		HideRaw:    bind("t,esc", "t/esc", "hide raw token"),
		Changes:    k.Changes,
		DemoGroups: k.DemoGroups,
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
	scroll   scroller
	lastNote string // result of the last refresh, explained
	lastFix  string // the fix for the last failure, if known
	signedAt time.Time

	cdf        *Access
	cdfErr     error
	cdfLoading bool

	shown struct{ lines, height int } // the body as last drawn

	refreshSeq    int // the current refresh run
	accessSeq     int
	cancelRefresh context.CancelFunc

	width, height int
}

func newTokenView(c *common, p profiles.Profile, t *flows.Tokens) *tokenView {
	leeway, withCDF := c.cfg.RefreshLeeway, c.cfg.Inspect != nil
	m := &tokenView{
		common: c, keys: newTokenKeys(c.keys), serial: c.nextSerial(), profile: p,
	}
	m.bar = newBar()
	m.tabs = []tokenTab{tabOverview, tabAccess}
	if t.IDToken != "" {
		m.tabs = append(m.tabs, tabID)
	}
	if withCDF {
		m.tabs = append(m.tabs, tabCDF)
	}
	if d := c.cfg.Demo; d != nil && d.ChangeGroups != nil && t.Flow.IsUser() {
		m.keys.DemoGroups.SetEnabled(true)
	}
	m.setTokens(t)
	how := "signed in"
	if t.FromCache {
		how = "from the cache"
	}
	m.hold(how)
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
		if ex := explain(err, m.profile, m.tokens.Flow); ex.Explained() {
			note, fix = ex.Title, ex.FixText()
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
	m.check()
}

// hold keeps the access token's claims in the run's history of the
// profile, with what changed from the token held before.
func (m *tokenView) hold(how string) {
	if m.access.tok == nil {
		return
	}
	m.heldFor(m.profile.Name).record(m.tokens.AccessToken, m.access.tok, how, m.now())
}

// lastChange is what changed at the last refresh, or nil.
func (m *tokenView) lastChange() *insight.ClaimsDiff {
	if e := m.heldFor(m.profile.Name).last(); e != nil && e.how == "refreshed" {
		return e.diff
	}
	return nil
}

// check runs the claims checks on the access token with what the profile
// leads one to expect of it (insight.ExpectFor, as claims and doctor
// judge it), and the project's audience once CDF has told it.
func (m *tokenView) check() {
	m.findings = nil
	if m.access.tok == nil {
		return
	}
	exp := expectFor(m.now(), m.profile, m.tokens)
	if m.cdf != nil {
		exp = insight.WithProjectAudience(exp, m.profile, m.cdf.Audience)
	}
	m.findings = claims.Check(m.access.tok, exp)
}

// expectFor is insight.ExpectFor for the flow the token came from (which
// may not be the profile's).
func expectFor(now time.Time, p profiles.Profile, t *flows.Tokens) claims.Expect {
	exp := insight.ExpectFor(p, now, !t.FromCache)
	if t.Flow != "" {
		user := t.Flow.IsUser()
		exp.UserFlow = &user
	}
	return exp
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
	m.hold("refreshed")
	m.ref.Succeeded(now, m.issued(), t.ExpiresOn)
	m.lastNote, m.lastFix = "", ""
	m.reveal = false
}

// SetAccess records what CDF answered; the project's audience, when CDF
// told it, is what the token's aud is judged against from now on.
func (m *tokenView) SetAccess(a *Access, err error) {
	m.cdf, m.cdfErr, m.cdfLoading = a, err, false
	m.check()
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
		return m.key(msg)
	}
	return nil, nil
}

// key handles a key press.
func (m *tokenView) key(msg tea.KeyPressMsg) (tea.Cmd, request) {
	k := m.keys
	if m.scroll.move(k.KeyMap, msg, lineCount(m.bodyView()), m.bodyHeight()) {
		return nil, nil
	}
	switch {
	case m.reveal && key.Matches(msg, k.HideRaw):
		m.reveal = false
		m.scroll.off = 0
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
		m.scroll.off = 0
		m.reveal = false
		if m.tab == tabCDF && m.cdf == nil && m.cdfErr == nil && !m.cdfLoading {
			m.cdfLoading = true
			return m.loadAccess(), nil
		}
	case key.Matches(msg, k.Raw) && m.claimsTab() && !m.reveal:
		m.raw = !m.raw
		m.scroll.off = 0
	case key.Matches(msg, k.Reveal):
		m.reveal = true
		m.scroll.off = 0
	case key.Matches(msg, k.DemoGroups):
		return nil, reqDemoGroups{}
	case key.Matches(msg, k.Changes):
		return nil, reqShow{p: newChangesPage(m.common, m)}
	case key.Matches(msg, k.SignIn):
		return nil, reqChooseFlow{p: m.profile}
	case key.Matches(msg, k.Back):
		return nil, reqProfiles{}
	}
	return nil, nil
}

// claimsTab reports whether a tab of claims is shown (raw JSON applies).
func (m *tokenView) claimsTab() bool { return m.tab == tabAccess || m.tab == tabID }

// View renders the page: the live refresh lines, the tabs, and the tab's
// body scrolled to fit. It notes the body's length for KeyMap (which the
// frame asks for right after), so a frame builds the body once.
func (m *tokenView) View() string {
	var b strings.Builder
	live := m.liveView()
	b.WriteString(live)
	b.WriteString(m.tabsView() + "\n")
	avail := m.height - strings.Count(b.String(), "\n")
	if avail < 1 {
		return clip(b.String(), m.height)
	}
	body := m.bodyView()
	m.shown.lines, m.shown.height = lineCount(body), avail
	b.WriteString(m.scroll.view(m.st, body, avail))
	return b.String()
}

// scrolls reports whether the body is taller than its space (as last
// drawn, else as it is now).
func (m *tokenView) scrolls() bool {
	if m.shown.height == 0 {
		return lineCount(m.bodyView()) > m.bodyHeight()
	}
	return m.shown.lines > m.shown.height
}

// bodyHeight is the space under the live lines and the tabs.
func (m *tokenView) bodyHeight() int {
	return max(m.height-strings.Count(m.liveView(), "\n")-1, 1)
}

// liveView is the live refresh indicator, on top of every tab.
func (m *tokenView) liveView() string {
	w := m.width
	now := m.now()
	r := m.ref
	left := r.Left(now)
	var lines []string
	text := func(lead string, leadW int, s string, paint func(...string) string) {
		lines = append(lines, para(m.st, lead, leadW, s, w, leadW, m.termWidth, paint)...)
	}

	var state string
	switch {
	case left <= 0:
		state = m.st.Bad.Render("Expired") + " at " + hhmmZone(r.expires)
	case m.st.Plain:
		// No countdown: a transcript should not grow every minute.
		state = "Valid until " + hhmmZone(r.expires)
	default:
		paint := m.st.Good.Render
		if left < r.Leeway() {
			paint = m.st.Warn.Render
		}
		// The bar takes what the line leaves, 6 to 40 cells.
		head, tail := "Valid "+clock(left)+" ", " until "+hhmmZone(r.expires)
		m.bar.SetWidth(min(max(w-lipgloss.Width(head+tail), 6), 40))
		state = "Valid " + paint(clock(left)) + " " + m.bar.ViewAs(m.st, r.Fraction(now)) + tail
	}
	lines = append(lines, state)

	var next string
	switch {
	case r.refreshing:
		next = spinView(m.st, now) + " Refreshing…"
	case r.needsLogin:
		next = m.st.Bad.Render("Sign-in needed") + " · press enter to sign in again"
	case r.failures > 0 && m.st.Plain:
		next = "Retry at " + hhmm(r.retryAt)
	case r.failures > 0:
		next = fmt.Sprintf("Retry %s (in %s)", hhmm(r.retryAt), human(r.retryAt.Sub(now)))
	default:
		next = "Auto refresh " + hhmm(r.NextAuto()) + " (" + human(r.Leeway()) + " before expiry)"
	}
	next += fmt.Sprintf(" · refreshed %d×", r.count)
	text("", 0, next, nil)

	switch {
	case r.lastErr != nil:
		msg := m.lastNote
		if msg == "" {
			msg = r.lastErr.Error()
		}
		lead := "Last refresh " + hhmm(r.lastAt) + " failed: "
		text(m.st.Bad.Render(lead), len(lead), tuiAdvice(clean(firstLine(msg)), tokenPageKeys), nil)
		if m.lastFix != "" {
			text(m.st.Muted.Render("Fix: "), 5, tuiAdvice(clean(m.lastFix), tokenPageKeys), m.st.Muted.Render)
		}
	case !r.lastAt.IsZero():
		d := m.lastChange()
		line := m.st.Good.Render("Last refresh "+hhmm(r.lastAt)+" ok") + ", new expiry " + hhmm(r.expires)
		if d != nil {
			for _, c := range d.Of(insight.ChangeExpires) {
				if c.Shift != 0 {
					line += " (" + signedHuman(c.Shift) + ")"
				}
			}
		}
		lines = append(lines, line)
		if d != nil {
			m.changeLine(text, d)
		}
	default:
		src := "Signed in at " + hhmm(m.signedAt)
		if m.tokens.FromCache {
			src = "Token from the cache"
		}
		lines = append(lines, m.st.Muted.Render(src+"; not refreshed yet"))
	}
	return strings.Join(lines, "\n") + "\n"
}

// changeLine says what the last refresh changed: another account (a
// warning), the groups, roles and scopes gained and lost, or that they
// stayed; w lists every change.
func (m *tokenView) changeLine(text func(string, int, string, func(...string) string), d *insight.ClaimsDiff) {
	const more = " · w: what changed"
	switch {
	case d.OtherAccount():
		lead := "Another account: "
		text(m.st.Bad.Render(lead), len(lead), clean(d.Before.Subject)+" → "+clean(d.After.Subject)+more, nil)
	case accessChanged(d):
		lead := "Changed: "
		text(m.st.Warn.Render(lead), len(lead), clean(d.Summary())+more, nil)
	default:
		text("", 0, "Same groups, roles and scopes"+more, m.st.Muted.Render)
	}
}

// signedHuman is a shift for people: "+20 min", "-1 h".
func signedHuman(d time.Duration) string {
	if d < 0 {
		return "-" + human(-d)
	}
	return "+" + human(d)
}

// tabsView is the tab line; the raw token is shown in place of the tabs.
func (m *tokenView) tabsView() string {
	if m.reveal {
		return m.st.TabActive.Render("Raw access token") + m.st.Muted.Render(" · t or esc hides it")
	}
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
	return strings.Join(parts, m.st.Muted.Render(" │ "))
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

// revealView is the raw access token: a block the terminal wraps (one
// line for a copy), under the warning.
func (m *tokenView) revealView() string {
	warn := "This is your access token. Anyone who has it can use CDF as you until " + hhmmZone(m.ref.expires) + ". Do not paste it anywhere you would not paste a password. Press t to hide."
	lines := para(m.st, "", 0, warn, m.width, 0, m.termWidth, m.st.Warn.Render)
	lines = append(lines, textBlock(m.st, clean(m.tokens.AccessToken), m.termWidth)...)
	return strings.Join(lines, "\n") + "\n"
}

func (m *tokenView) overview() string {
	t := m.tokens
	p := m.profile
	w := m.width
	var lines []string
	lw := 11
	add := func(label, value string) {
		if value != "" {
			lines = append(lines, kvWrap(m.st, label, value, lw, w, m.termWidth)...)
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
		if insight.LinkedByClientID(p, tok) {
			add("Groups", "none in the token; CDF links the app by its client ID")
		} else if g := insight.TokenGroups(p, tok); len(g) > 0 {
			add("Groups", fmt.Sprintf("%d in the token (Access token tab lists them)", len(g)))
		}
	} else if m.access.err != nil {
		lines = append(lines, para(m.st, "", 0, "The access token cannot be read: "+clean(m.access.err.Error()), w, 0, m.termWidth, m.st.Warn.Render)...)
	}
	if len(m.findings) > 0 {
		lines = append(lines, m.st.Subtitle.Render("Checks at sign-in"))
		for _, f := range m.findings {
			mark, paint := m.mark(f.Severity)
			lines = append(lines, para(m.st, paint(mark)+" ", 2, clean(f.Message), w, 2, m.termWidth, nil)...)
			if f.Fix != "" && f.Severity >= claims.SeverityWarn {
				lines = append(lines, para(m.st, "  "+m.st.Muted.Render("Fix: "), 7, tuiAdvice(clean(f.Fix), tokenPageKeys), w, 7, m.termWidth, m.st.Muted.Render)...)
			}
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// mark is a finding's mark, as the command line prints it: ✓ ok, i info,
// ! warning, ✗ failed.
func (m *tokenView) mark(s claims.Severity) (string, func(...string) string) {
	switch s {
	case claims.SeverityOK:
		return "✓", m.st.Good.Render
	case claims.SeverityInfo:
		return "i", m.st.Muted.Render
	case claims.SeverityWarn:
		return "!", m.st.Warn.Render
	}
	return "✗", m.st.Bad.Render
}

// claimsView lists a token's claims: name, value and meaning, each
// wrapped in its column (wide windows), or the meaning under the value.
func (m *tokenView) claimsView(d decoded) string {
	if d.err != nil {
		return strings.Join(para(m.st, "", 0, "Cannot read this token: "+clean(d.err.Error()), m.width, 0, m.termWidth, m.st.Warn.Render), "\n") + "\n"
	}
	if d.tok == nil {
		return m.st.Muted.Render("No token.") + "\n"
	}
	if m.raw {
		return m.rawView(d.tok)
	}
	rows := d.tok.Explain(m.now(), m.now().Location())
	w := m.width
	nameW := 5
	for _, c := range rows {
		nameW = max(nameW, lipgloss.Width(clean(c.Name)))
	}
	// A longer name goes on a line of its own.
	nameW = min(nameW, max(8, w/5), 22)
	valX := nameW + 2
	columns := w >= 120
	valW := w - valX
	if columns {
		valW = (w - valX) * 45 / 100
	}
	var lines []string
	for _, c := range rows {
		val := c.Display
		if val == "" {
			val = fmt.Sprint(c.Value)
		}
		name := clean(c.Name)
		var vals []string
		if lipgloss.Width(name) > nameW {
			// A name longer than its column: on a line of its own.
			lines = append(lines, para(m.st, "", 0, name, w, 2, m.termWidth, m.st.Label.Render)...)
			vals = para(m.st, strings.Repeat(" ", valX), valX, clean(val), valX+valW, valX, m.termWidth, m.st.Value.Render)
		} else {
			vals = para(m.st, m.st.Label.Render(padRight(name, nameW))+"  ", valX, clean(val), valX+valW, valX, m.termWidth, m.st.Value.Render)
		}
		meaning := clean(c.Meaning)
		hasBlock := false
		for _, v := range vals {
			hasBlock = hasBlock || isLinkLine(v)
		}
		if hasBlock && columns && lipgloss.Width(name) <= nameW {
			// A URL longer than the value column: the value takes the
			// line's whole width, the meaning goes under it.
			vals = para(m.st, m.st.Label.Render(padRight(name, nameW))+"  ", valX, clean(val), w, valX, m.termWidth, m.st.Value.Render)
		}
		switch {
		case meaning == "":
			lines = append(lines, vals...)
		case columns && !hasBlock:
			mx := valX + valW + 2
			means := para(m.st, "", 0, meaning, w-mx, 0, m.termWidth, m.st.Muted.Render)
			for i := 0; i < max(len(vals), len(means)); i++ {
				v := ""
				if i < len(vals) {
					v = vals[i]
				}
				if i < len(means) {
					v = padRight(v, mx) + means[i]
				}
				lines = append(lines, v)
			}
		default:
			lines = append(lines, vals...)
			lines = append(lines, para(m.st, strings.Repeat(" ", valX), valX, meaning, w, valX, m.termWidth, m.st.Muted.Render)...)
		}
	}
	lines = append(lines, m.st.Muted.Render("v: raw JSON (no signature)"))
	return strings.Join(lines, "\n") + "\n"
}

// rawView is the token's payload as JSON, each line wrapped under its own
// indentation.
func (m *tokenView) rawView(tok *claims.Token) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(cleanBlock(string(tok.PayloadJSON())), "\n"), "\n") {
		ind := len(l) - len(strings.TrimLeft(l, " "))
		pad := strings.Repeat(" ", ind)
		lines = append(lines, para(m.st, pad, ind, strings.TrimLeft(l, " "), m.width, ind+2, m.termWidth, nil)...)
	}
	lines = append(lines, m.st.Muted.Render("v: the claims explained"))
	return strings.Join(lines, "\n") + "\n"
}

func (m *tokenView) cdfView() string {
	switch {
	case m.cdfLoading:
		return spinView(m.st, m.now()) + " Asking CDF what this token grants…\n"
	case m.cdfErr != nil:
		return m.cdfErrView()
	case m.cdf == nil:
		return m.st.Muted.Render("No answer from CDF yet.") + "\n"
	}
	a := m.cdf
	w := m.width
	var lines []string
	lines = append(lines, kvWrap(m.st, "Subject", a.Subject, 10, w, m.termWidth)...)
	lines = append(lines, kvWrap(m.st, "Projects", strings.Join(a.Projects, ", "), 10, w, m.termWidth)...)
	lines = append(lines, m.st.Subtitle.Render("Groups"))
	if len(a.Groups) == 0 {
		lines = append(lines, "  none")
	}
	for _, g := range a.Groups {
		mark := m.st.Good.Render("✓ matched  ")
		if !g.Matched {
			mark = m.st.Warn.Render("! unmatched")
		}
		lines = append(lines, para(m.st, "  "+mark+" ", 14, clean(g.Name)+" "+clean(g.SourceID), w, 14, m.termWidth, nil)...)
	}
	lines = append(lines, m.st.Subtitle.Render("Capabilities"))
	for _, c := range a.Capabilities {
		lines = append(lines, para(m.st, "  ", 2, clean(c), w, 4, m.termWidth, nil)...)
	}
	for _, n := range a.Notes {
		lines = append(lines, para(m.st, "", 0, clean(n), w, 2, m.termWidth, m.st.Warn.Render)...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// cdfErrView is CDF's failure, explained by the diagnosis seam as the
// command line explains it (cdflogin inspect): the error, then why and the
// fix when the seam knows them.
func (m *tokenView) cdfErrView() string {
	w := m.width
	lines := para(m.st, m.st.Bad.Render("CDF: "), 5, clean(firstLine(m.cdfErr.Error())), w, 5, m.termWidth, nil)
	if x := explain(m.cdfErr, m.profile, m.tokens.Flow); x.Explained() {
		if x.Cause != "" && x.Kind == diagnosis.Network {
			lines = append(lines, para(m.st, m.st.Label.Render("Why: "), 5, tuiAdvice(clean(x.Cause), tokenPageKeys), w, 5, m.termWidth, nil)...)
		}
		if fix := x.FixText(); fix != "" {
			lead := m.st.Good.Render("Fix: ")
			for _, l := range strings.Split(strings.TrimRight(cleanBlock(fix), "\n"), "\n") {
				lines = append(lines, para(m.st, lead, 5, tuiAdvice(clean(strings.TrimSpace(l)), tokenPageKeys), w, 5, m.termWidth, nil)...)
				lead = "     "
			}
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// padRight pads s with spaces to w cells.
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// KeyMap is the page's help: only the keys that do something now.
func (m *tokenView) KeyMap() help.KeyMap {
	k := m.keys
	if m.reveal {
		full := [][]key.Binding{{k.HideRaw}}
		if m.scrolls() {
			full = append(full, k.nav())
		}
		return keyMap{short: []key.Binding{k.HideRaw}, full: full}
	}
	short := []key.Binding{k.Refresh, k.NextTab}
	if m.ref.needsLogin || m.ref.Left(m.now()) <= 0 {
		short = append([]key.Binding{k.SignIn}, short...)
	}
	tools := []key.Binding{k.Reveal}
	if m.claimsTab() {
		raw := k.Raw
		if m.raw {
			raw = with(raw, "claims explained")
		}
		short = append(short, raw)
		tools = append([]key.Binding{raw}, tools...)
	}
	if m.lastChange() != nil {
		short = append(short, k.Changes)
	}
	tools = append(tools, k.Changes)
	if k.DemoGroups.Enabled() {
		short = append(short, k.DemoGroups)
		tools = append(tools, k.DemoGroups)
	}
	short = append(short, k.Back)
	full := [][]key.Binding{{k.Refresh, k.SignIn}, {k.NextTab, k.PrevTab}, tools, {k.Back}}
	if m.scrolls() {
		full = append(full, k.nav())
	}
	return keyMap{short: short, full: full}
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

// screen is one of the program's screens.
type screen int

const (
	scrLoading screen = iota
	scrProfiles
	scrForm
	scrFlow
	scrWorking // signing in before (or without) a device code / browser
	scrDevice
	scrBrowser
	scrToken
	scrError
)

// Messages of the app's own commands. Everything that comes back from a
// goroutine carries the attempt it belongs to, so that answers of
// cancelled work are dropped.
type (
	profilesMsg struct {
		rows []profileRow
		err  error
	}
	startMsg struct {
		p   profiles.Profile
		err error
	}
	flowEventMsg struct {
		attempt int
		ev      flows.Event
	}
	loginDoneMsg struct {
		attempt int
		tokens  *flows.Tokens
		err     error
	}
	refreshDoneMsg struct {
		attempt int
		tokens  *flows.Tokens
		err     error
	}
	accessMsg struct {
		attempt int
		access  *Access
		err     error
	}
	demoDoneMsg struct {
		attempt int
		err     error
	}
	openedMsg struct{ err error }
	savedMsg  struct {
		name string
		err  error
	}
	deletedMsg struct {
		name    string
		removed bool // the profile is gone from the store (err may still be set)
		err     error
	}
)

// deleteProfile removes the named profile and then, through forget, its
// cached tokens and keyring secrets, as `cdflogin profile remove` does.
func deleteProfile(store Store, forget func(profiles.Profile) error, name string) deletedMsg {
	p, getErr := store.Get(name)
	if err := store.Remove(name); err != nil {
		return deletedMsg{name: name, err: err}
	}
	if forget == nil || getErr != nil {
		return deletedMsg{name: name, removed: true}
	}
	if err := forget(p); err != nil {
		return deletedMsg{name: name, removed: true, err: fmt.Errorf("its cached tokens or keyring secret were not all removed: %w", err)}
	}
	return deletedMsg{name: name, removed: true}
}

// app is the root model: it owns the screens and runs the work they ask
// for (sign-in, refresh, store changes) as commands.
type app struct {
	ctx    context.Context
	cfg    Config
	st     Styles
	isDark bool
	keys   globalKeys
	help   help.Model

	width, height int
	screen        screen
	interrupted   bool
	firstLoad     bool

	list     profileList
	form     profileForm
	formBack screen
	picker   flowPicker
	device   deviceView
	browser  browserView
	token    tokenView
	errv     errorView

	profile profiles.Profile // the profile being signed in / shown
	flow    profiles.Flow    // the flow of the current attempt
	rows    []profileRow

	attempt       int // current sign-in; bumped on cancel
	loginActive   bool
	refreshSeq    int // current refresh
	accessSeq     int
	cancelWork    context.CancelFunc
	events        <-chan flows.Event // the current sign-in's events
	cancelRefresh context.CancelFunc
	work          *sync.WaitGroup

	clock      ticker // the 1 s clock of countdowns and auto refresh
	spinner    ticker // redraws while something is in progress
	after      afterFunc
	pendingNav *afterSaveMsg // where to go once the saved profile is loaded
	working    string        // what the Working screen says
	status     string        // a one-line note in the footer
	statusBad  bool
	startedAt  time.Time
	canOpen    bool
	openReason string
}

func newApp(ctx context.Context, cfg Config) *app {
	m := &app{
		ctx: ctx, cfg: cfg, isDark: true, keys: newGlobalKeys(), help: help.New(),
		width: cfg.Width, height: cfg.Height, firstLoad: true, work: &sync.WaitGroup{},
	}
	m.setAfter(tea.Tick)
	if m.width == 0 {
		m.width = 80
	}
	if m.height == 0 {
		m.height = 24
	}
	m.canOpen = true
	if cfg.CanOpenBrowser != nil {
		m.canOpen, m.openReason = cfg.CanOpenBrowser()
	}
	m.restyle()
	m.list = newProfileList(m.st, cfg.Now)
	m.layout()
	return m
}

// setAfter sets how timers are scheduled (tests record them instead).
func (m *app) setAfter(after afterFunc) {
	m.after = after
	m.clock = newTicker(1, time.Second, after)
	m.spinner = newTicker(2, spinInterval, after)
}

// stopWork cancels in-flight sign-ins and refreshes.
func (m *app) stopWork() {
	if m.cancelWork != nil {
		m.cancelWork()
		m.cancelWork = nil
	}
	if m.cancelRefresh != nil {
		m.cancelRefresh()
		m.cancelRefresh = nil
	}
	m.loginActive = false
}

// wait blocks until every goroutine the app started has returned (so the
// loopback port is released), or until d passes.
func (m *app) wait(d time.Duration) {
	done := make(chan struct{})
	go func() { m.work.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// restyle rebuilds the styles (background reported, or at start).
func (m *app) restyle() {
	m.st = NewStyles(m.isDark, m.cfg.plain())
	m.help.Styles = m.st.Help
	m.list.st, m.picker.st, m.device.st, m.browser.st, m.errv.st = m.st, m.st, m.st, m.st, m.st
	if m.token.tokens != nil {
		m.token.st = m.st
		m.token.bar = newBar(m.st)
		m.token.SetSize(m.token.width, m.token.height)
	}
}

// Init loads the profiles (or the start profile) and asks the terminal
// for its background colour.
func (m *app) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.cfg.StartProfile != "" {
		store, name := m.cfg.Store, m.cfg.StartProfile
		cmds = append(cmds, func() tea.Msg {
			p, err := store.Get(name)
			return startMsg{p: p, err: err}
		})
	} else {
		cmds = append(cmds, m.loadProfiles())
	}
	cmds = append(cmds, m.nextWarning())
	return tea.Batch(cmds...)
}

// warningMsg is a warning from the store or the flows (Config.Warnings).
type warningMsg string

// nextWarning waits for the next warning, or for the program's end; nil
// when Config.Warnings is nil.
func (m *app) nextWarning() tea.Cmd {
	ch, done := m.cfg.Warnings, m.ctx.Done()
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case w := <-ch:
			return warningMsg(w)
		case <-done:
			return nil
		}
	}
}

// loadProfiles reads the profiles and their cached token state.
func (m *app) loadProfiles() tea.Cmd {
	store, auth := m.cfg.Store, m.cfg.Auth
	return func() tea.Msg {
		ps, err := store.List()
		if err != nil {
			return profilesMsg{err: err}
		}
		rows := make([]profileRow, 0, len(ps))
		for _, p := range ps {
			r := profileRow{Profile: p}
			t, err := auth.Cached(p)
			switch {
			case err != nil:
				r.StateErr = err
			case t != nil:
				r.ExpiresOn = t.ExpiresOn
			}
			rows = append(rows, r)
		}
		return profilesMsg{rows: rows}
	}
}

// bodySize is the space a screen gets between header and footer.
func (m *app) bodySize() (int, int) {
	w := max(m.width-2, 10) // App style pads one cell on each side
	h := m.height - 2       // title line and help line
	if m.help.ShowAll {
		h -= 3
	}
	if m.status != "" {
		h--
	}
	if m.cfg.plain() {
		h-- // the inline frame ends with a newline
	}
	return w, max(h, 1)
}

// layout passes the body size to every screen.
func (m *app) layout() {
	w, h := m.bodySize()
	m.help.SetWidth(w)
	m.list.SetSize(w, h)
	m.picker.SetSize(w, h)
	m.device.SetSize(w, h)
	m.browser.SetSize(w, h)
	m.errv.SetSize(w, h)
	if m.token.tokens != nil {
		m.token.SetSize(w, h)
	}
	if m.form.form != nil {
		m.form.SetSize(w, h)
	}
}

func (m *app) setStatus(s string, bad bool) {
	m.status, m.statusBad = s, bad
	m.layout()
}

// textInput reports whether keys go to a text field, so that letters
// and "?" must not act as shortcuts.
func (m *app) textInput() bool {
	return m.screen == scrForm || (m.screen == scrProfiles && m.list.Busy())
}

// Update is the program's state machine. After every message the timers
// are started or stopped to match the screen.
func (m *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	return model, tea.Batch(cmd, m.timers())
}

// timers runs the 1 s clock on the screens that count down and the
// spinner while something is in progress (never in plain mode).
func (m *app) timers() tea.Cmd {
	var cmds []tea.Cmd
	needClock := m.screen == scrWorking || m.screen == scrDevice || m.screen == scrBrowser || m.screen == scrToken
	switch {
	case needClock && !m.clock.Running():
		cmds = append(cmds, m.clock.Start())
	case !needClock && m.clock.Running():
		m.clock.Stop()
	}
	needSpin := !m.st.Plain && m.busy()
	switch {
	case needSpin && !m.spinner.Running():
		cmds = append(cmds, m.spinner.Start())
	case !needSpin && m.spinner.Running():
		m.spinner.Stop()
	}
	return tea.Batch(cmds...)
}

// busy reports whether the screen shows a spinner.
func (m *app) busy() bool {
	switch m.screen {
	case scrWorking, scrBrowser:
		return true
	case scrDevice:
		return m.device.waiting
	case scrToken:
		return m.token.ref.refreshing || m.token.cdfLoading
	}
	return false
}

func (m *app) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case warningMsg:
		m.setStatus("Warning: "+string(msg), true)
		return m, m.nextWarning()
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Quit) {
			m.interrupted = true
			m.stopWork()
			return m, tea.Quit
		}
		if key.Matches(msg, m.keys.Help) && !m.textInput() {
			m.help.ShowAll = !m.help.ShowAll
			m.layout()
			return m, nil
		}
		if m.status != "" && m.screen != scrDevice && m.screen != scrBrowser {
			m.setStatus("", false)
		}
		return m.updateScreen(msg)

	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		if m.screen == scrForm {
			var cmd tea.Cmd
			m.form, _, _, cmd = m.form.Update(msg)
			return m, cmd
		}
		return m, nil

	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.restyle()
		if m.screen == scrForm {
			return m.updateScreen(msg)
		}
		return m, nil

	case tickMsg:
		if ok, cmd := m.spinner.Update(msg); ok {
			return m, cmd // a redraw is all a spinner tick does
		}
		ok, cmd := m.clock.Update(msg)
		if !ok {
			return m, nil
		}
		return m, tea.Batch(cmd, m.onSecond())

	case profilesMsg:
		return m.onProfiles(msg)

	case startMsg:
		if msg.err != nil {
			m.setStatus(fmt.Sprintf("Profile %q: %v", m.cfg.StartProfile, msg.err), true)
			return m, m.loadProfiles()
		}
		flow := m.cfg.StartFlow
		if flow == "" {
			flow = msg.p.Flow
		}
		return m, m.startLogin(msg.p, flow)

	case flowEventMsg:
		if msg.attempt != m.attempt || !m.loginActive {
			return m, nil
		}
		cmd := m.onFlowEvent(msg.ev)
		return m, cmd

	case loginDoneMsg:
		if msg.attempt != m.attempt {
			return m, nil
		}
		return m, m.onLoginDone(msg)

	case refreshDoneMsg:
		if msg.attempt != m.refreshSeq || m.screen != scrToken {
			return m, nil
		}
		m.cancelRefresh = nil
		m.onRefreshDone(msg)
		return m, nil

	case accessMsg:
		if msg.attempt == m.accessSeq && m.token.tokens != nil {
			m.token.SetAccess(msg.access, msg.err)
		}
		return m, nil

	case demoDoneMsg:
		if msg.attempt == m.attempt && msg.err != nil {
			m.setStatus("Demo: "+msg.err.Error(), true)
		}
		return m, nil

	case openedMsg:
		if msg.err != nil {
			m.setStatus("The browser could not open: "+msg.err.Error()+". Copy the URL instead.", true)
		} else {
			m.setStatus("Opened in your browser.", false)
		}
		return m, nil

	case savedMsg:
		if msg.err != nil {
			m.setStatus("Not saved: "+msg.err.Error(), true)
			m.screen = scrProfiles
			return m, m.loadProfiles()
		}
		m.setStatus(fmt.Sprintf("Saved profile %q.", msg.name), false)
		back := m.formBack
		if m.form.editing == "" {
			back = scrFlow // a new profile goes on to its sign-in
		}
		m.pendingNav = &afterSaveMsg{name: msg.name, back: back}
		m.screen = scrLoading
		return m, m.loadProfiles()

	case deletedMsg:
		if msg.err != nil && msg.removed {
			m.setStatus(fmt.Sprintf("Deleted profile %q, but: %v", msg.name, msg.err), true)
		} else if msg.err != nil {
			m.setStatus("Not deleted: "+msg.err.Error(), true)
		} else {
			m.setStatus(fmt.Sprintf("Deleted profile %q.", msg.name), false)
		}
		return m, m.loadProfiles()
	}
	if m.screen == scrForm {
		return m.updateScreen(msg)
	}
	if m.screen == scrProfiles && m.list.filtering {
		var cmd tea.Cmd
		m.list, _, cmd = m.list.Update(msg)
		return m, cmd
	}
	return m, nil
}

// afterSaveMsg moves on once the saved profile is loaded.
type afterSaveMsg struct {
	name string
	back screen
}

func (m *app) onProfiles(msg profilesMsg) (tea.Model, tea.Cmd) {
	first := m.firstLoad
	m.firstLoad = false
	if msg.err != nil {
		m.rows = nil
		m.list.SetRows(nil)
		m.setStatus("Cannot read the profiles: "+msg.err.Error(), true)
		if m.screen == scrLoading {
			m.screen = scrProfiles
		}
		return m, nil
	}
	m.rows = msg.rows
	m.list.SetRows(msg.rows)
	if nav := m.pendingNav; nav != nil {
		m.pendingNav = nil
		m.screen = scrProfiles
		if nav.back != scrProfiles {
			for _, r := range m.rows {
				if r.Profile.Name == nav.name {
					m.openPicker(r.Profile, "")
				}
			}
		}
		return m, nil
	}
	if m.screen == scrLoading {
		m.screen = scrProfiles
		if first && len(msg.rows) == 0 {
			return m, m.openForm(nil, scrProfiles)
		}
	}
	return m, nil
}

// openForm shows the New (p == nil) or Edit profile form.
func (m *app) openForm(p *profiles.Profile, back screen) tea.Cmd {
	names := map[string]bool{}
	for _, r := range m.rows {
		names[r.Profile.Name] = true
	}
	validate := m.cfg.ValidateField
	if validate == nil {
		validate = defaultValidate
	}
	m.form = newProfileForm(m.st, p, func(s string) bool { return names[s] }, validate, m.cfg.SaveSecret != nil)
	m.formBack = back
	m.screen = scrForm
	m.layout()
	// The form picks its theme from the background; tell it what the
	// terminal reported.
	bg := color.Color(color.White)
	if m.isDark {
		bg = color.Black
	}
	m.form, _, _, _ = m.form.Update(tea.BackgroundColorMsg{Color: bg})
	return m.form.Init()
}

// openPicker shows the Flow screen for p.
func (m *app) openPicker(p profiles.Profile, want profiles.Flow) {
	m.profile = p
	var left time.Duration
	for _, r := range m.rows {
		if r.Profile.Name == p.Name && !r.ExpiresOn.IsZero() {
			left = r.ExpiresOn.Sub(m.cfg.Now())
		}
	}
	m.picker = newFlowPicker(m.st, p, left, m.canOpen, m.openReason, want)
	m.screen = scrFlow
	m.layout()
}

// onSecond runs once a second while the clock runs: auto refresh.
func (m *app) onSecond() tea.Cmd {
	if m.screen == scrToken && m.token.ref.Due(m.cfg.Now()) {
		return m.startRefresh(false)
	}
	return nil
}

// updateScreen passes a message to the current screen and acts on what
// it asks for.
func (m *app) updateScreen(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m.screen {
	case scrProfiles:
		var act profileListAction
		var cmd tea.Cmd
		m.list, act, cmd = m.list.Update(msg)
		sel := m.list.Selected()
		switch act {
		case listChoose:
			m.openPicker(sel.Profile, "")
		case listNew:
			return m, m.openForm(nil, scrProfiles)
		case listEdit:
			p := sel.Profile
			return m, m.openForm(&p, scrProfiles)
		case listDelete:
			store, name, forget := m.cfg.Store, m.list.deleting, m.cfg.Forget
			return m, func() tea.Msg { return deleteProfile(store, forget, name) }
		case listQuit:
			return m, tea.Quit
		}
		return m, cmd

	case scrForm:
		f, done, cancelled, cmd := m.form.Update(msg)
		m.form = f
		switch {
		case cancelled:
			m.screen = m.formBack
			if m.screen == scrFlow || m.screen == scrError {
				m.screen = scrProfiles
			}
			return m, m.loadProfiles()
		case done:
			// Leave the form at once: it reports done on every later message.
			m.screen = scrLoading
			return m, m.saveForm()
		}
		return m, cmd

	case scrFlow:
		p, chosen, back := m.picker.Update(msg)
		m.picker = p
		switch {
		case back:
			m.screen = scrProfiles
			return m, m.loadProfiles()
		case chosen:
			c := m.picker.Selected()
			if c.Cached {
				return m, m.useCached(m.profile)
			}
			return m, m.startLogin(m.profile, c.Flow)
		}
		return m, nil

	case scrWorking:
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "esc" {
			return m, m.cancelLogin()
		}
		return m, nil

	case scrDevice:
		d, act, cmd := m.device.Update(msg)
		m.device = d
		switch act {
		case deviceCancel:
			return m, m.cancelLogin()
		case deviceOpen:
			return m, m.open(m.device.code.VerificationURL)
		case deviceApprove:
			if h := m.cfg.Demo; h != nil && h.ApproveDeviceCode != nil {
				ctx, code, attempt := m.ctx, m.device.code.UserCode, m.attempt
				return m, m.goWork(func() tea.Msg {
					return demoDoneMsg{attempt: attempt, err: h.ApproveDeviceCode(ctx, code)}
				})
			}
		}
		return m, cmd

	case scrBrowser:
		b, act, cmd := m.browser.Update(msg)
		m.browser = b
		switch act {
		case browserCancel:
			return m, m.cancelLogin()
		case browserOpen:
			return m, m.open(m.browser.url)
		case browserComplete:
			if h := m.cfg.Demo; h != nil && h.CompleteBrowser != nil {
				ctx, u, attempt := m.ctx, m.browser.url, m.attempt
				return m, m.goWork(func() tea.Msg {
					return demoDoneMsg{attempt: attempt, err: h.CompleteBrowser(ctx, u)}
				})
			}
		}
		return m, cmd

	case scrToken:
		t, act, cmd := m.token.Update(msg)
		m.token = t
		switch act {
		case tokenRefresh:
			return m, m.startRefresh(true)
		case tokenSignIn:
			m.leaveToken()
			m.openPicker(m.token.profile, "")
			return m, nil
		case tokenBack:
			m.leaveToken()
			m.screen = scrProfiles
			return m, m.loadProfiles()
		case tokenQuit:
			m.leaveToken()
			return m, tea.Quit
		case tokenLoadAccess:
			return m, m.loadAccess()
		}
		return m, cmd

	case scrError:
		e, act := m.errv.Update(msg)
		m.errv = e
		switch act {
		case errorRetry:
			return m, m.startLogin(m.profile, m.flow)
		case errorOtherFlow:
			want := profiles.Flow(m.errv.ex.Suggest)
			m.openPicker(m.profile, want)
		case errorEdit:
			p := m.profile
			return m, m.openForm(&p, scrFlow)
		case errorBack:
			m.screen = scrProfiles
			return m, m.loadProfiles()
		}
	}
	return m, nil
}

// saveForm stores the form's profile (a typed secret goes to the keyring
// first and only its reference into the profile).
func (m *app) saveForm() tea.Cmd {
	v := *m.form.vals
	editing := m.form.editing
	store, save := m.cfg.Store, m.cfg.SaveSecret
	return func() tea.Msg {
		name := editing
		if name == "" {
			name = strings.TrimSpace(v.Name)
		}
		if v.Flow == profiles.FlowSecret {
			s := strings.TrimSpace(v.Secret)
			if profiles.ValidateSecretRef(s) != nil {
				if save == nil {
					return savedMsg{name: name, err: errors.New("secrets cannot be stored here: use env:VAR")}
				}
				ref, err := save(name, "client_secret", s)
				if err != nil {
					return savedMsg{name: name, err: fmt.Errorf("store the client secret: %w", err)}
				}
				v.Secret = ref
			}
		}
		if editing == "" {
			p := profiles.Profile{Name: name}
			v.Apply(&p)
			return savedMsg{name: name, err: store.Add(p)}
		}
		return savedMsg{name: name, err: store.Update(editing, func(p *profiles.Profile) error {
			v.Apply(p)
			return nil
		})}
	}
}

// goWork runs fn as a command counted in the app's wait group.
func (m *app) goWork(fn func() tea.Msg) tea.Cmd {
	wg := m.work
	wg.Add(1)
	return func() tea.Msg {
		defer wg.Done()
		return fn()
	}
}

func (m *app) open(u string) tea.Cmd {
	if m.cfg.OpenBrowser == nil || u == "" {
		return nil
	}
	open := m.cfg.OpenBrowser
	return func() tea.Msg { return openedMsg{err: open(u)} }
}

// startLogin runs a sign-in with flow and shows its progress.
func (m *app) startLogin(p profiles.Profile, flow profiles.Flow) tea.Cmd {
	m.stopWork()
	m.attempt++
	m.loginActive = true
	m.profile, m.flow = p, flow
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelWork = cancel
	ch := make(chan flows.Event, 64)
	m.events = ch
	attempt := m.attempt
	auth := m.cfg.Auth
	login := m.goWork(func() tea.Msg {
		defer close(ch)
		t, err := auth.Login(ctx, p, flow, func(ev flows.Event) {
			select {
			case ch <- ev:
			default: // never block the flow; the screen keeps the last state
			}
		})
		return loginDoneMsg{attempt: attempt, tokens: t, err: err}
	})
	switch flow {
	case profiles.FlowDevice:
		m.working = "Asking Entra for a device code…"
	case profiles.FlowBrowser:
		m.working = "Starting the browser sign-in…"
	case profiles.FlowSecret:
		m.working = "Signing in as the app with its client secret…"
	case profiles.FlowCertificate:
		m.working = "Signing in as the app with its certificate…"
	}
	m.device = deviceView{}
	m.browser = browserView{}
	m.screen = scrWorking
	m.startedAt = m.cfg.Now()
	m.layout()
	return tea.Batch(login, waitEvent(attempt, ch))
}

// useCached shows the cached token (refreshing it silently if needed).
func (m *app) useCached(p profiles.Profile) tea.Cmd {
	m.stopWork()
	m.attempt++
	m.loginActive = true
	m.profile, m.flow = p, p.Flow
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelWork = cancel
	attempt, auth := m.attempt, m.cfg.Auth
	m.working = "Reading the cached sign-in…"
	m.screen = scrWorking
	m.layout()
	return m.goWork(func() tea.Msg {
		t, err := auth.Silent(ctx, p, flows.SilentOptions{})
		return loginDoneMsg{attempt: attempt, tokens: t, err: err}
	})
}

// waitEvent delivers the next flow event.
func waitEvent(attempt int, ch <-chan flows.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		return flowEventMsg{attempt: attempt, ev: ev}
	}
}

// cancelLogin stops the sign-in in progress and goes back to the flows.
func (m *app) cancelLogin() tea.Cmd {
	m.stopWork()
	m.attempt++
	m.clock.Stop()
	m.openPicker(m.profile, m.flow)
	m.setStatus("Sign-in cancelled.", false)
	return nil
}

// onFlowEvent moves the screens along with the flow.
func (m *app) onFlowEvent(ev flows.Event) tea.Cmd {
	demoUser := ""
	if m.cfg.Demo != nil {
		demoUser = m.cfg.Demo.User
	}
	canOpen := m.canOpen && m.cfg.OpenBrowser != nil
	ensureBrowser := func() {
		if m.screen != scrBrowser {
			m.browser = newBrowserView(m.st, m.cfg.Now, "", demoUser, canOpen)
			m.screen = scrBrowser
			m.layout()
		}
	}
	switch ev := ev.(type) {
	case flows.DeviceCode:
		m.device = newDeviceView(m.st, m.cfg.Now, ev, demoUser, canOpen)
		m.screen = scrDevice
		m.layout()
	case flows.BrowserOpening:
		ensureBrowser()
		m.browser.url = ev.URL
	case flows.BrowserFailed:
		ensureBrowser()
		m.browser.url = ev.URL
		reason := "no browser"
		if ev.Err != nil {
			reason = firstLine(ev.Err.Error())
		}
		m.browser.failed = reason
	case flows.WaitingForRedirect:
		ensureBrowser()
		m.browser.addr, m.browser.deadline = ev.Addr, ev.Deadline
	case flows.Redeeming:
		switch m.screen {
		case scrBrowser:
			m.browser.redeeming = true
		case scrDevice:
			m.device.waiting = false
		default:
			m.working = "Redeeming the sign-in…"
		}
	}
	return waitEvent(m.attempt, m.events)
}

// onLoginDone shows the token or the error.
func (m *app) onLoginDone(msg loginDoneMsg) tea.Cmd {
	m.loginActive = false
	m.cancelWork = nil
	if msg.err != nil || msg.tokens == nil {
		err := msg.err
		if err == nil {
			err = errors.New("the flow returned no token")
		}
		if errors.Is(err, context.Canceled) && m.ctx.Err() != nil {
			return nil
		}
		m.clock.Stop()
		m.showError(err)
		return nil
	}
	if m.cfg.OnSignedIn != nil {
		m.cfg.OnSignedIn(msg.tokens)
	}
	m.token = newTokenView(m.st, m.cfg.Now, m.profile, msg.tokens, m.cfg.RefreshLeeway, m.cfg.Inspect != nil)
	m.screen = scrToken
	m.layout()
	return nil
}

// showError explains err on the Error screen.
func (m *app) showError(err error) {
	ex, ok := m.explain(err)
	what := "Sign-in with " + flowLabel(m.flow) + " failed"
	m.errv = newErrorView(m.st, what, err, ex, ok)
	m.screen = scrError
	m.layout()
}

func (m *app) explain(err error) (aadsts.Explanation, bool) {
	p := m.profile
	c := aadsts.Context{ClientID: p.ClientID, Tenant: p.Tenant, RedirectURI: p.RedirectURI(), Cluster: p.Cluster, CDFURL: p.BaseURL(), Flow: string(m.flow)}
	if m.cfg.Explain != nil {
		return m.cfg.Explain(err, c)
	}
	return defaultExplain(err, c, p)
}

// startRefresh refreshes the shown token (forced by "r", or due).
func (m *app) startRefresh(forced bool) tea.Cmd {
	if m.token.ref.refreshing {
		return nil
	}
	m.refreshSeq++
	seq := m.refreshSeq
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelRefresh = cancel
	m.token.Refreshing(forced)
	auth, p := m.cfg.Auth, m.token.profile
	return m.goWork(func() tea.Msg {
		t, err := auth.Silent(ctx, p, flows.SilentOptions{Force: true})
		return refreshDoneMsg{attempt: seq, tokens: t, err: err}
	})
}

func (m *app) onRefreshDone(msg refreshDoneMsg) {
	if msg.err != nil || msg.tokens == nil {
		err := msg.err
		if err == nil {
			err = errors.New("the refresh returned no token")
		}
		needsLogin := errors.Is(err, flows.ErrLoginRequired)
		note, fix := firstLine(err.Error()), ""
		if ex, ok := m.explain(err); ok {
			note, fix = ex.Title, ex.Fix
			if ex.Code != 0 {
				note += fmt.Sprintf(" (AADSTS%d)", ex.Code)
			}
		}
		m.token.Refreshed(nil, err, needsLogin, note, fix)
		return
	}
	if m.cfg.OnSignedIn != nil {
		m.cfg.OnSignedIn(msg.tokens)
	}
	m.token.Refreshed(msg.tokens, nil, false, "", "")
}

// loadAccess asks CDF what the token grants.
func (m *app) loadAccess() tea.Cmd {
	if m.cfg.Inspect == nil {
		return nil
	}
	m.accessSeq++
	seq, inspect, p, t, ctx := m.accessSeq, m.cfg.Inspect, m.token.profile, m.token.tokens, m.ctx
	return m.goWork(func() tea.Msg {
		a, err := inspect(ctx, p, t)
		return accessMsg{attempt: seq, access: a, err: err}
	})
}

// leaveToken stops the token screen's timers and refreshes.
func (m *app) leaveToken() {
	m.clock.Stop()
	if m.cancelRefresh != nil {
		m.cancelRefresh()
		m.cancelRefresh = nil
	}
	m.refreshSeq++
	m.token.ref.refreshing = false
}

// title is the header line of the current screen.
func (m *app) title() string {
	name := m.profile.Name
	switch m.screen {
	case scrProfiles, scrLoading:
		return "Profiles"
	case scrForm:
		if m.form.editing != "" {
			return "Edit profile " + m.form.editing
		}
		return "New profile"
	case scrFlow:
		return "Sign in · " + name
	case scrWorking:
		return "Signing in · " + name
	case scrDevice:
		return "Device code · " + name
	case scrBrowser:
		return "Browser sign-in · " + name
	case scrToken:
		return "Token · " + m.token.profile.Name
	case scrError:
		return "Sign-in failed · " + name
	}
	return ""
}

// keyMap is the help of the current screen.
func (m *app) keyMap() keyMap {
	var km keyMap
	switch m.screen {
	case scrProfiles:
		km = m.list.KeyMap()
	case scrForm:
		km = m.form.KeyMap()
	case scrFlow:
		km = m.picker.KeyMap()
	case scrWorking:
		esc := bind("esc", "esc", "cancel")
		km = keyMap{short: []key.Binding{esc}, full: [][]key.Binding{{esc}}}
	case scrDevice:
		km = m.device.KeyMap()
	case scrBrowser:
		km = m.browser.KeyMap()
	case scrToken:
		km = m.token.KeyMap()
	case scrError:
		km = m.errv.KeyMap()
	}
	km.full = append(km.full, []key.Binding{m.keys.Help, m.keys.Quit})
	return km
}

// View renders the screen: title, body (clipped to the terminal), status
// and help.
func (m *app) View() tea.View {
	w, h := m.bodySize()
	var body string
	switch m.screen {
	case scrLoading:
		body = "Loading profiles…"
	case scrProfiles:
		body = m.list.View()
	case scrForm:
		body = m.form.View()
	case scrFlow:
		body = m.picker.View()
	case scrWorking:
		line := spinView(m.st, m.cfg.Now()) + " " + m.working
		body = line
	case scrDevice:
		body = m.device.View()
	case scrBrowser:
		body = m.browser.View()
	case scrToken:
		body = m.token.View()
	case scrError:
		body = m.errv.View()
	}
	var b strings.Builder
	head := m.st.Title.Render("cdflogin") + m.st.Muted.Render(" · ") + m.st.Title.Render(clean(m.title()))
	if m.cfg.Demo != nil {
		head += m.st.Warn.Render("  DEMO (sandbox)")
	}
	b.WriteString(trunc(head, w) + "\n")
	b.WriteString(truncLines(clip(body, h), w))
	// Fill so that the help stays at the bottom.
	if n := strings.Count(b.String(), "\n"); n < h {
		b.WriteString(strings.Repeat("\n", h-n))
	}
	b.WriteString("\n")
	if m.status != "" {
		paint := m.st.Muted.Render
		if m.statusBad {
			paint = m.st.Bad.Render
		}
		b.WriteString(trunc(paint(clean(m.status)), w) + "\n")
	}
	if m.help.ShowAll {
		b.WriteString(truncLines(clip(m.help.FullHelpView(m.keyMap().FullHelp()), 4), w))
	} else {
		b.WriteString(trunc(m.help.ShortHelpView(m.keyMap().ShortHelp()), w))
	}
	content := indent(b.String(), m.st.Indent)
	if m.cfg.plain() {
		// An inline frame keeps its last line on exit only with a newline.
		content += "\n"
	}
	v := tea.NewView(content)
	v.AltScreen = !m.cfg.plain()
	v.WindowTitle = "cdflogin · " + clean(m.title())
	return v
}

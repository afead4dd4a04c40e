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
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Messages of the app's own commands. Everything that comes back from a
// sign-in carries the attempt it belongs to, so that answers of
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
	demoDoneMsg struct {
		attempt int
		err     error
	}
	openedMsg struct{ err error }
	// demoGroupsMsg is the demo's group change, done.
	demoGroupsMsg struct {
		text string
		err  error
	}
	savedMsg struct {
		name string
		back screen
		new  bool
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

// app is the root model: it routes messages to the page on screen, moves
// between pages when they ask, and runs the sign-ins. The pages share
// *common with it.
type app struct {
	*common
	isDark bool
	help   help.Model

	width, height int
	screen        screen // the page on screen (page.Screen())
	page          page
	list          *profileList // kept between visits (cursor, filter)
	interrupted   bool         // ctrl+c while work was in flight
	tryDemo       bool         // the person chose the demo on the welcome page
	firstLoad     bool

	profile profiles.Profile // the profile being signed in / shown
	flow    profiles.Flow    // the flow of the current attempt
	rows    []profileRow

	attempt     int // current sign-in; bumped on cancel
	loginActive bool
	cancelWork  context.CancelFunc
	events      <-chan flows.Event // the current sign-in's events

	clock      ticker // the 1 s clock of countdowns and auto refresh
	spinner    ticker // redraws while something is in progress
	after      afterFunc
	pendingNav *savedMsg // where to go once the saved profile is loaded
	status     string    // a note in the footer
	statusBad  bool
	canOpen    bool
	openReason string

	soft       softwrap   // lets the terminal wrap the blocks of a frame
	transcript transcript // plain mode's output
}

func newApp(ctx context.Context, cfg Config) *app {
	c := &common{ctx: ctx, cfg: cfg, keys: DefaultKeyMap(), work: &sync.WaitGroup{}}
	m := &app{
		common: c, isDark: true, help: help.New(),
		width: cfg.Width, height: cfg.Height, firstLoad: true,
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
	m.soft.off = cfg.plain()
	m.soft.profile = colorprofile.TrueColor
	m.list = newProfileList(c)
	m.page, m.screen = loadingPage{}, scrLoading
	m.layout()
	return m
}

// setAfter sets how timers are scheduled (tests record them instead).
func (m *app) setAfter(after afterFunc) {
	m.after = after
	m.clock = newTicker(1, time.Second, after)
	m.spinner = newTicker(2, spinInterval, after)
}

// show puts p on screen; the page it replaces stops its work.
func (m *app) show(p page) {
	if old, ok := m.page.(leaver); ok && m.page != p && !covering(m.page, p) {
		old.Leave()
	}
	m.page, m.screen = p, p.Screen()
	m.layout()
}

// stopWork cancels in-flight sign-ins and the page's work.
func (m *app) stopWork() {
	if m.cancelWork != nil {
		m.cancelWork()
		m.cancelWork = nil
	}
	if l, ok := m.page.(leaver); ok {
		l.Leave()
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

// restyle rebuilds the styles (background reported, or at start); the
// pages read them from common.
func (m *app) restyle() {
	m.st = NewStyles(m.isDark, m.cfg.plain())
	m.help.Styles = m.st.Help
}

// Init loads the profiles (or the start profile) and asks the terminal
// for its background colour.
func (m *app) Init() tea.Cmd {
	var cmds []tea.Cmd
	if !m.cfg.plain() {
		// Plain output has no escape sequences at all, questions included.
		cmds = append(cmds, tea.RequestBackgroundColor)
		if cb := m.cfg.Clipboard; !cb.OSC52 && !cb.NoQuery {
			cmds = append(cmds, tea.RequestCapability("Ms"))
		}
	}
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

// Minimum window: below it, one screen asks for a larger window.
const (
	minWidth  = 60
	minHeight = 15
)

// tooSmall reports whether the window is below the minimum.
func (m *app) tooSmall() bool {
	return !m.cfg.plain() && (m.width < minWidth || m.height < minHeight)
}

// bodySize is the space a page gets between header and footer.
func (m *app) bodySize() (int, int) {
	w := max(m.width-2, 10) // one cell of margin on each side
	h := m.height - 2       // title line and help line
	if m.help.ShowAll {
		h -= len(m.fullHelpLines(w))
	}
	h -= len(m.statusLines(w))
	if m.cfg.plain() {
		h-- // the inline frame ends with a newline
	}
	return w, max(h, 1)
}

// layout passes the body size to the page on screen (and to the list,
// which is kept).
func (m *app) layout() {
	m.termWidth, m.termHeight = m.width, m.height
	w, h := m.bodySize()
	m.help.SetWidth(0) // the app fits the help itself (shortHelp), never cutting "? more keys"
	m.list.SetSize(w, h)
	m.page.SetSize(w, h)
}

func (m *app) setStatus(s string, bad bool) {
	m.status, m.statusBad = s, bad
	m.layout()
}

// textInput reports whether keys go to a text field, so that letters
// and "?" must not act as shortcuts.
func (m *app) textInput() bool {
	t, ok := m.page.(textTaker)
	return ok && t.TakesText()
}

// Update is the program's state machine. After every message the timers
// are started or stopped to match the page.
func (m *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	return model, tea.Batch(cmd, m.timers(), m.soft.check(m.after), m.writePlain(msg))
}

// timers runs the 1 s clock on the pages that count down and the spinner
// while something is in progress (never in plain mode).
func (m *app) timers() tea.Cmd {
	var cmds []tea.Cmd
	t, ok := m.page.(timed)
	needClock := ok && t.NeedsClock()
	switch {
	case needClock && !m.clock.Running():
		cmds = append(cmds, m.clock.Start())
	case !needClock && m.clock.Running():
		m.clock.Stop()
	}
	needSpin := !m.st.Plain && ok && t.Busy()
	switch {
	case needSpin && !m.spinner.Running():
		cmds = append(cmds, m.spinner.Start())
	case !needSpin && m.spinner.Running():
		m.spinner.Stop()
	}
	return tea.Batch(cmds...)
}

func (m *app) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case warningMsg:
		m.setStatus("Warning: "+string(msg), true)
		return m, m.nextWarning()
	case tea.KeyPressMsg:
		return m.onKey(msg)

	case tea.CapabilityMsg:
		m.onCapability(msg)
		return m, nil

	case tea.ColorProfileMsg:
		m.soft.profile = msg.Profile
		return m, nil

	case tea.WindowSizeMsg:
		if msg.Width <= 0 || msg.Height <= 0 {
			return m, nil // no size known (plain mode without a terminal): keep ours
		}
		m.width, m.height = msg.Width, msg.Height
		m.soft.resized() // the renderer draws everything again
		m.layout()
		cmd, _ := m.page.Update(msg) // a form lays itself out too
		return m, cmd

	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.restyle()
		return m.toPage(msg) // a form picks its theme too

	case softwrapMsg:
		return m, m.soft.onTick(msg, m.after)

	case tickMsg:
		if ok, cmd := m.spinner.Update(msg); ok {
			return m, cmd // a redraw is all a spinner tick does
		}
		ok, cmd := m.clock.Update(msg)
		if !ok {
			return m, nil
		}
		next, pcmd := m.toPage(secondMsg{})
		return next, tea.Batch(cmd, pcmd)

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

	case demoDoneMsg:
		if msg.attempt == m.attempt && msg.err != nil {
			m.setStatus("Demo: "+msg.err.Error(), true)
		}
		return m, nil

	case demoGroupsMsg:
		if msg.err != nil {
			m.setStatus("Demo: the groups were not changed: "+msg.err.Error(), true)
		} else {
			m.setStatus(msg.text, false)
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
			m.show(m.list)
			return m, m.loadProfiles()
		}
		m.setStatus(fmt.Sprintf("Saved profile %q.", msg.name), false)
		if msg.new {
			msg.back = scrFlow // a new profile goes on to its sign-in
		}
		m.pendingNav = &msg
		m.show(loadingPage{})
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
	// Everything else is the page's: its own work's answers (which it
	// drops when they are not for it), a text field's cursor blink.
	return m.toPage(msg)
}

// onKey handles the global keys and gives the rest to the page.
func (m *app) onKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	keys := m.keys
	if m.cfg.plain() && k.String() == "ctrl+j" {
		// A line feed is enter in plain mode: Emacs' shell mode and other
		// line-based terminals send one with each line.
		k = tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	switch {
	case key.Matches(k, keys.ForceQuit):
		// ctrl+c cancels what is in flight (exit code 130); with nothing
		// in flight it is the same as q.
		m.interrupted = m.inFlight()
		m.stopWork()
		return m, tea.Quit
	case key.Matches(k, keys.Quit) && !m.textInput():
		m.stopWork()
		return m, tea.Quit
	case key.Matches(k, keys.Help) && !m.textInput():
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return m, nil
	case m.tooSmall():
		return m, nil // nothing else can be seen to work
	}
	if kp, ok := m.page.(statusKeeper); m.status != "" && !(ok && kp.KeepsStatus()) {
		m.setStatus("", false)
	}
	return m.toPage(k)
}

// inFlight reports whether a sign-in or a refresh is running.
func (m *app) inFlight() bool {
	if m.loginActive {
		return true
	}
	switch p := m.page.(type) {
	case *tokenView:
		return p.ref.refreshing
	case *changesPage:
		return p.token.ref.refreshing
	}
	return false
}

// toPage gives msg to the page on screen and carries out its request.
func (m *app) toPage(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd, req := m.page.Update(msg)
	if req == nil {
		return m, cmd
	}
	return m, tea.Batch(cmd, m.do(req))
}

// do carries out a page's request.
func (m *app) do(req request) tea.Cmd {
	switch r := req.(type) {
	case reqProfiles:
		// Back on the profile that was just used.
		m.list.Select(m.profile.Name)
		m.show(m.list)
		return m.loadProfiles()
	case reqNewProfile:
		return m.openForm(nil, scrProfiles)
	case reqEditProfile:
		return m.openForm(&r.p, r.back)
	case reqDeleteProfile:
		store, forget, name := m.cfg.Store, m.cfg.Forget, r.name
		return func() tea.Msg { return deleteProfile(store, forget, name) }
	case reqSaveProfile:
		if needsTenantLookup(m.common, r.vals) {
			// A tenant typed as an e-mail address: find it first.
			p, cmd := newTenantPage(m.common, r)
			m.show(p)
			return cmd
		}
		// Leave the form at once: it reports done on every later message.
		m.show(loadingPage{})
		return m.saveForm(r)
	case reqFormCancelled:
		// Back to the list, also from an error's "edit profile": the
		// sign-in it came from is over.
		m.show(m.list)
		return m.loadProfiles()
	case reqChooseFlow:
		m.openPicker(r.p, r.want)
	case reqSignIn:
		return m.startLogin(r.p, r.flow)
	case reqUseCached:
		return m.useCached(r.p)
	case reqCancelSignIn:
		return m.cancelLogin()
	case reqOpen:
		return m.open(r.url)
	case reqDemoApprove:
		if h := m.cfg.Demo; h != nil && h.ApproveDeviceCode != nil {
			ctx, code, attempt := m.ctx, r.code, m.attempt
			return m.goWork(func() tea.Msg {
				return demoDoneMsg{attempt: attempt, err: h.ApproveDeviceCode(ctx, code)}
			})
		}
	case reqDemoComplete:
		if h := m.cfg.Demo; h != nil && h.CompleteBrowser != nil {
			ctx, u, attempt := m.ctx, r.url, m.attempt
			return m.goWork(func() tea.Msg {
				return demoDoneMsg{attempt: attempt, err: h.CompleteBrowser(ctx, u)}
			})
		}
	case reqWelcome:
		m.show(newWelcomePage(m.common))
	case reqImport:
		back := scrProfiles
		if m.screen == scrWelcome {
			back = scrWelcome
		}
		p, cmd := newImportPage(m.common, back)
		m.show(p)
		return cmd
	case reqImported:
		status := fmt.Sprintf("Imported %s as profile %q.", r.path, r.res.Name)
		for _, n := range r.res.Notes {
			status += " Note: " + n
		}
		m.setStatus(status, false)
		m.pendingNav = &savedMsg{name: r.res.Name, back: scrFlow}
		m.show(loadingPage{})
		return m.loadProfiles()
	case reqTryDemo:
		m.tryDemo = true
		return tea.Quit
	case reqShow:
		m.show(r.p)
	case reqFormBack:
		initial := valuesOf(nil)
		if r.save.editing != "" {
			if p, err := m.cfg.Store.Get(r.save.editing); err == nil {
				initial = valuesOf(&p)
			}
		}
		return m.openFormValues(r.save.vals, initial, r.save.editing, r.save.back)
	case reqDemoGroups:
		if h := m.cfg.Demo; h != nil && h.ChangeGroups != nil {
			ctx := m.ctx
			return m.goWork(func() tea.Msg {
				text, err := h.ChangeGroups(ctx)
				return demoGroupsMsg{text: text, err: err}
			})
		}
	}
	return nil
}

func (m *app) onProfiles(msg profilesMsg) (tea.Model, tea.Cmd) {
	first := m.firstLoad
	m.firstLoad = false
	if msg.err != nil {
		m.rows = nil
		m.list.SetRows(nil)
		m.setStatus("Cannot read the profiles: "+msg.err.Error(), true)
		if m.screen == scrLoading {
			m.show(m.list)
		}
		return m, nil
	}
	m.rows = msg.rows
	m.list.SetRows(msg.rows)
	if nav := m.pendingNav; nav != nil {
		m.pendingNav = nil
		m.show(m.list)
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
		m.show(m.list)
		if first && len(msg.rows) == 0 {
			// The first run: what a profile is, and the ways to start.
			m.show(newWelcomePage(m.common))
			return m, nil
		}
		if first && m.cfg.OpenProfile != "" {
			m.openNamed(m.cfg.OpenProfile)
		}
	}
	return m, nil
}

// openNamed opens the page of the named profile (cdflogin -p NAME), or
// says that there is none.
func (m *app) openNamed(name string) {
	for _, r := range m.rows {
		if r.Profile.Name == name {
			m.list.Select(name)
			m.openPicker(r.Profile, "")
			return
		}
	}
	msg := fmt.Sprintf("There is no profile %q.", name)
	names := make([]string, len(m.rows))
	for i, r := range m.rows {
		names[i] = r.Profile.Name
	}
	if s := profiles.Nearest(name, names); s != "" {
		msg += fmt.Sprintf(" Did you mean %s?", s)
	}
	m.setStatus(msg, true)
}

// openForm shows the New (p == nil) or Edit profile form.
func (m *app) openForm(p *profiles.Profile, back screen) tea.Cmd {
	editing := ""
	if p != nil {
		editing = p.Name
	}
	v := valuesOf(p)
	return m.openFormValues(v, v, editing, back)
}

// openFormValues shows the profile form with the values v (initial: what
// a change is judged against).
func (m *app) openFormValues(v, initial formValues, editing string, back screen) tea.Cmd {
	names := map[string]bool{}
	for _, r := range m.rows {
		names[r.Profile.Name] = true
	}
	validate := m.cfg.ValidateField
	if validate == nil {
		validate = defaultValidate
	}
	form := newProfileFormValues(m.common, v, initial, editing, back, func(s string) bool { return names[s] }, validate, m.cfg.SaveSecret != nil)
	m.show(form)
	// The form picks its theme from the background; tell it what the
	// terminal reported.
	bg := color.Color(color.White)
	if m.isDark {
		bg = color.Black
	}
	cmd, _ := form.Update(tea.BackgroundColorMsg{Color: bg})
	return tea.Batch(cmd, form.Init())
}

// openPicker shows the Flow page for p.
func (m *app) openPicker(p profiles.Profile, want profiles.Flow) {
	m.profile = p
	var left time.Duration
	for _, r := range m.rows {
		if r.Profile.Name == p.Name && !r.ExpiresOn.IsZero() {
			left = r.ExpiresOn.Sub(m.now())
		}
	}
	m.show(newFlowPicker(m.common, p, left, m.canOpen, m.openReason, want))
}

// saveForm stores the form's profile (a typed secret goes to the keyring
// first and only its reference into the profile).
func (m *app) saveForm(r reqSaveProfile) tea.Cmd {
	v, editing, back := r.vals, r.editing, r.back
	store, save := m.cfg.Store, m.cfg.SaveSecret
	return func() tea.Msg {
		name := editing
		if name == "" {
			name = strings.TrimSpace(v.Name)
		}
		done := func(err error) tea.Msg { return savedMsg{name: name, back: back, new: editing == "", err: err} }
		// A typed secret goes to the keyring; the profile keeps only the
		// reference.
		keep := func(field, label string, value *string) error {
			s := strings.TrimSpace(*value)
			if s == "" || profiles.ValidateSecretRef(s) == nil {
				return nil
			}
			if save == nil {
				return errors.New("secrets cannot be stored here: use env:VAR")
			}
			ref, err := save(name, field, s)
			if err != nil {
				return fmt.Errorf("store the %s: %w", label, err)
			}
			*value = ref
			return nil
		}
		switch v.Flow {
		case profiles.FlowSecret:
			if err := keep("client_secret", "client secret", &v.Secret); err != nil {
				return done(err)
			}
		case profiles.FlowCertificate:
			if err := keep("certificate_password", "certificate password", &v.CertPassword); err != nil {
				return done(err)
			}
		}
		if editing == "" {
			p := profiles.Profile{Name: name}
			v.Apply(&p)
			return done(store.Add(p))
		}
		return done(store.Update(editing, func(p *profiles.Profile) error {
			v.Apply(p)
			return nil
		}))
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
	var working string
	switch flow {
	case profiles.FlowDevice:
		working = "Asking Entra for a device code…"
	case profiles.FlowBrowser:
		working = "Starting the browser sign-in…"
	case profiles.FlowSecret:
		working = "Signing in as the app with its client secret…"
	case profiles.FlowCertificate:
		working = "Signing in as the app with its certificate…"
	}
	m.show(newWorkingPage(m.common, p.Name, working))
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
	m.show(newWorkingPage(m.common, p.Name, "Reading the cached sign-in…"))
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

// onFlowEvent moves the pages along with the flow.
func (m *app) onFlowEvent(ev flows.Event) tea.Cmd {
	canOpen := m.canOpen && m.cfg.OpenBrowser != nil
	browser := func() *browserView {
		if b, ok := m.page.(*browserView); ok {
			return b
		}
		b := newBrowserView(m.common, m.profile.Name, "", canOpen)
		m.show(b)
		return b
	}
	switch ev := ev.(type) {
	case flows.DeviceCode:
		m.show(newDeviceView(m.common, m.profile.Name, ev, canOpen))
	case flows.BrowserOpening:
		browser().url = ev.URL
	case flows.BrowserFailed:
		b := browser()
		b.url = ev.URL
		reason := "no browser"
		if ev.Err != nil {
			reason = firstLine(ev.Err.Error())
		}
		b.failed = reason
	case flows.WaitingForRedirect:
		b := browser()
		b.addr, b.deadline = ev.Addr, ev.Deadline
	case flows.Redeeming:
		switch p := m.page.(type) {
		case *browserView:
			p.redeeming = true
		case *deviceView:
			p.Redeeming()
		case *workingPage:
			p.text = "Redeeming the sign-in…"
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
	m.show(newTokenView(m.common, m.profile, msg.tokens))
	return nil
}

// showError explains err on the Error page.
func (m *app) showError(err error) {
	what := "Sign-in with " + flowLabel(m.flow) + " failed"
	m.show(newErrorView(m.common, m.profile, m.flow, what, err, explain(err, m.profile, m.flow)))
}

// keyMap is the help of the page on screen, with the global keys: q
// and ? where the page takes no text, ctrl+c always.
func (m *app) keyMap() keyMap {
	pk := m.page.KeyMap()
	km := keyMap{short: pk.ShortHelp(), full: pk.FullHelp()}
	help := m.keys.Help
	if m.help.ShowAll {
		help = with(help, "close help")
	}
	global := []key.Binding{m.keys.ForceQuit}
	if !m.textInput() {
		global = []key.Binding{m.keys.Quit, help, m.keys.ForceQuit}
		km.short = append(km.short, m.keys.Quit, help)
	}
	if m.tooSmall() {
		km.short, km.full = []key.Binding{m.keys.Quit}, nil
	}
	km.full = append(km.full, global)
	return km
}

// shortHelp is the help line: the page's keys that fit, always ending
// with the global ones (q quit, ? more keys).
func (m *app) shortHelp(w int) string {
	km := m.keyMap()
	var enabled []key.Binding
	for _, b := range km.short {
		if b.Enabled() {
			enabled = append(enabled, b)
		}
	}
	keep := 0 // the global keys at the end are kept whatever the width
	for _, b := range enabled {
		if key.Matches(tea.KeyPressMsg{Code: 'q', Text: "q"}, b) || key.Matches(tea.KeyPressMsg{Code: '?', Text: "?"}, b) {
			keep++
		}
	}
	for len(enabled) > keep {
		v := m.help.ShortHelpView(enabled)
		if lipgloss.Width(v) <= w {
			return v
		}
		// Drop the last of the page's keys (the least needed).
		i := len(enabled) - keep - 1
		enabled = append(enabled[:i], enabled[i+1:]...)
	}
	return trunc(m.help.ShortHelpView(enabled), w)
}

// fullHelpLines is the ? help, wrapped to the width: its columns side by
// side while they fit, else one group a line.
func (m *app) fullHelpLines(w int) []string {
	groups := m.keyMap().FullHelp()
	v := m.help.FullHelpView(groups)
	if lipgloss.Width(strings.Split(v, "\n")[0]) <= w {
		return strings.Split(v, "\n")
	}
	var out []string
	for _, g := range groups {
		var parts []string
		for _, b := range g {
			if b.Enabled() {
				h := b.Help()
				parts = append(parts, m.st.Help.FullKey.Render(h.Key)+" "+m.st.Help.FullDesc.Render(h.Desc))
			}
		}
		if len(parts) > 0 {
			out = append(out, para(m.st, "", 0, strings.Join(parts, " · "), w, 2, m.termWidth, nil)...)
		}
	}
	return out
}

// statusLines is the status note, wrapped (a warning is read in full).
func (m *app) statusLines(w int) []string {
	if m.status == "" {
		return nil
	}
	paint := m.st.Muted.Render
	if m.statusBad {
		paint = m.st.Bad.Render
	}
	return para(m.st, "", 0, clean(m.status), w, 0, m.width, paint)
}

// View renders the screen: title, body, status and help. Lines of a
// block (a long URL, the raw token) start at column 0 and are never cut;
// every other line has a one-cell margin.
func (m *app) View() tea.View {
	var content string
	title := m.page.Title()
	if m.tooSmall() {
		content = m.tooSmallView()
	} else {
		content = m.frame(title)
	}
	if m.cfg.plain() {
		// An inline frame keeps its last line on exit only with a newline.
		content += "\n"
	}
	m.soft.frame(content, m.width, m.height)
	v := tea.NewView(content)
	v.AltScreen = !m.cfg.plain()
	v.WindowTitle = "cdflogin · " + clean(title)
	return v
}

// frame lays out the screen's lines.
func (m *app) frame(title string) string {
	w, h := m.bodySize()
	head := m.st.Title.Render("cdflogin") + m.st.Muted.Render(" · ") + m.st.Title.Render(clean(title))
	if m.cfg.Demo != nil {
		// The demo mark always shows; shorter when the line is full.
		tag := "  DEMO (sandbox)"
		if lipgloss.Width(head+tag) > w {
			tag = "  DEMO"
		}
		head = trunc(head, w-lipgloss.Width(tag)) + m.st.Warn.Render(tag)
	}
	lines := []string{trunc(head, w)}
	body := strings.Split(clip(m.page.View(), h), "\n")
	lines = append(lines, body...)
	// Fill so that the help stays at the bottom.
	for len(lines) < h+1 {
		lines = append(lines, "")
	}
	lines = append(lines, m.statusLines(w)...)
	if m.help.ShowAll {
		lines = append(lines, m.fullHelpLines(w)...)
	} else {
		lines = append(lines, m.shortHelp(w))
	}
	for i, l := range lines {
		switch {
		case isLinkLine(l):
			// A block: from column 0, whole.
		case m.st.Plain:
			lines[i] = m.st.Indent + l // a transcript: the terminal wraps a long line
		default:
			// Up to the window's last column: the right margin is left
			// blank by the pages, except by a selected row's highlight.
			lines[i] = m.st.Indent + trunc(l, w+1)
		}
	}
	return strings.Join(lines, "\n")
}

// tooSmallView asks for a larger window.
func (m *app) tooSmallView() string {
	w := max(m.width-2, 10)
	msg := fmt.Sprintf("cdflogin needs a window of at least %d×%d; this one is %d×%d. Enlarge the window (or use cdflogin login --plain).", minWidth, minHeight, m.width, m.height)
	lines := para(m.st, "", 0, msg, w, 0, m.width, m.st.Warn.Render)
	lines = append(lines, "", m.help.ShortHelpView([]key.Binding{m.keys.Quit}))
	for i, l := range lines {
		lines[i] = m.st.Indent + l
	}
	return strings.Join(clipLines(lines, m.height), "\n")
}

// clipLines keeps at most n lines.
func clipLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:max(n, 0)]
	}
	return lines
}

// inFlightName names the work ctrl+c cancelled, for Run's error.
func (m *app) inFlightName() string {
	if m.screen == scrToken || m.screen == scrChanges {
		return "the token refresh"
	}
	return "sign-in"
}

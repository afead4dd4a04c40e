package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// t0 is the fixed start of every test clock.
var t0 = time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeStore is an in-memory profile store.
type fakeStore struct {
	mu      sync.Mutex
	ps      []profiles.Profile
	listErr error
}

func (s *fakeStore) List() ([]profiles.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listErr != nil {
		return nil, s.listErr
	}
	return append([]profiles.Profile(nil), s.ps...), nil
}

func (s *fakeStore) Get(name string) (profiles.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.ps {
		if p.Name == name {
			return p, nil
		}
	}
	return profiles.Profile{}, fmt.Errorf("no profile named %q", name)
}

func (s *fakeStore) Add(p profiles.Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.ps {
		if q.Name == p.Name {
			return fmt.Errorf("profile %q exists", p.Name)
		}
	}
	s.ps = append(s.ps, p)
	return nil
}

func (s *fakeStore) Update(name string, change func(*profiles.Profile) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.ps {
		if s.ps[i].Name == name {
			return change(&s.ps[i])
		}
	}
	return fmt.Errorf("no profile named %q", name)
}

func (s *fakeStore) Remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.ps {
		if s.ps[i].Name == name {
			s.ps = append(s.ps[:i], s.ps[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("no profile named %q", name)
}

// fakeAuth plays the flows: device code waits for approve, browser waits
// for complete, app flows answer at once; Silent answers with silentErr
// or a fresh token.
type fakeAuth struct {
	clock *fakeClock

	mu          sync.Mutex
	approve     chan struct{}
	complete    chan struct{}
	loginErr    error
	silentErr   error
	browserFail bool
	blockApp    bool // secret/certificate sign-ins wait for ctx to end
	cached      map[string]*flows.Tokens
	logins      []profiles.Flow
	silents     []flows.SilentOptions
	cancelled   int
	lifetime    time.Duration
	groups      []string // the user token's groups (nil: the two of claimstest)
	overage     bool     // the user token has too many groups to carry them
}

func newFakeAuth(c *fakeClock) *fakeAuth {
	return &fakeAuth{clock: c, approve: make(chan struct{}, 1), complete: make(chan struct{}, 1), cached: map[string]*flows.Tokens{}, lifetime: time.Hour}
}

func (a *fakeAuth) tokens(p profiles.Profile, flow profiles.Flow) *flows.Tokens {
	now := a.clock.Now()
	a.mu.Lock()
	life := a.lifetime
	a.mu.Unlock()
	t := &flows.Tokens{Profile: p.Name, Flow: flow, TokenType: "Bearer", ExpiresOn: now.Add(life)}
	a.mu.Lock()
	groups, overage := a.groups, a.overage
	a.mu.Unlock()
	if flow.IsUser() {
		pay := claimstest.With(claimstest.V2User(now), "exp", now.Add(life).Unix())
		if groups != nil {
			pay["groups"] = groups
		}
		if overage {
			// Entra leaves the groups out and says where to get them.
			delete(pay, "groups")
			pay["_claim_names"] = map[string]any{"groups": "src1"}
			pay["_claim_sources"] = map[string]any{"src1": map[string]any{
				"endpoint": "https://graph.windows.net/" + claimstest.TenantID + "/users/" + claimstest.UserOID + "/getMemberObjects"}}
		}
		t.AccessToken = claimstest.Unsigned(pay)
		t.IDToken = claimstest.Unsigned(map[string]any{"aud": claimstest.ClientID, "iss": "https://login.microsoftonline.com/" + claimstest.TenantID + "/v2.0",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "name": "Alice Example", "oid": claimstest.UserOID,
			"preferred_username": claimstest.UserEmail, "tid": claimstest.TenantID, "ver": "2.0"})
		t.Account = flows.Account{Username: claimstest.UserEmail, Name: "Alice Example", ObjectID: claimstest.UserOID, TenantID: claimstest.TenantID}
	} else if p.ProviderOf() == profiles.ProviderCognito {
		// A Cognito client credentials token: no aud, no groups.
		t.AccessToken = claimstest.Unsigned(map[string]any{"iss": p.Issuer, "sub": p.ClientID, "client_id": p.ClientID,
			"token_use": "access", "scope": "https://cognitedata.com/IDENTITY", "version": 2,
			"iat": now.Unix(), "exp": now.Add(life).Unix(), "jti": "0f0e0d0c-0b0a-4909-8807-060504030201"})
	} else {
		pay := claimstest.With(claimstest.V1App(now), "exp", now.Add(life).Unix())
		t.AccessToken = claimstest.Unsigned(pay)
	}
	return t
}

func (a *fakeAuth) Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events flows.Events) (*flows.Tokens, error) {
	a.mu.Lock()
	a.logins = append(a.logins, flow)
	loginErr, fail, block := a.loginErr, a.browserFail, a.blockApp
	a.mu.Unlock()
	now := a.clock.Now()
	wait := func(ch chan struct{}) error {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			a.mu.Lock()
			a.cancelled++
			a.mu.Unlock()
			return ctx.Err()
		}
	}
	switch flow {
	case profiles.FlowDevice:
		if loginErr != nil {
			return nil, loginErr
		}
		events(flows.DeviceCode{UserCode: "ABCD-EFGH", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: now.Add(15 * time.Minute), Interval: 5 * time.Second})
		if err := wait(a.approve); err != nil {
			return nil, err
		}
		events(flows.Redeeming{})
	case profiles.FlowBrowser:
		events(flows.WaitingForRedirect{Addr: "localhost:53000", Deadline: now.Add(5 * time.Minute)})
		u := "https://login.microsoftonline.com/" + p.Tenant + "/oauth2/v2.0/authorize?client_id=" + p.ClientID + "&redirect_uri=http%3A%2F%2Flocalhost%3A53000&response_type=code&scope=openid"
		if fail {
			events(flows.BrowserFailed{URL: u, Err: errors.New("no DISPLAY")})
		} else {
			events(flows.BrowserOpening{URL: u})
		}
		if err := wait(a.complete); err != nil {
			return nil, err
		}
		if loginErr != nil {
			return nil, loginErr
		}
		events(flows.Redeeming{})
	default:
		if block {
			if err := wait(make(chan struct{})); err != nil {
				return nil, err
			}
		}
		if loginErr != nil {
			return nil, loginErr
		}
	}
	return a.tokens(p, flow), nil
}

func (a *fakeAuth) Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error) {
	a.mu.Lock()
	a.silents = append(a.silents, opts)
	err := a.silentErr
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return a.tokens(p, p.Flow), nil
}

func (a *fakeAuth) Cached(p profiles.Profile) (*flows.Tokens, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cached[p.Name], nil
}

func (a *fakeAuth) loginCount() int  { a.mu.Lock(); defer a.mu.Unlock(); return len(a.logins) }
func (a *fakeAuth) silentCount() int { a.mu.Lock(); defer a.mu.Unlock(); return len(a.silents) }
func (a *fakeAuth) cancelCount() int { a.mu.Lock(); defer a.mu.Unlock(); return a.cancelled }

// twelveGroups are a user's 12 Entra groups (real-length object IDs).
var twelveGroups = []string{
	"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c", "11111111-2222-4333-8444-555555555555",
	"2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", "3b4c5d6e-7f8a-4b9c-8d1e-2f3a4b5c6d7e", "4c5d6e7f-8a9b-4c0d-9e2f-3a4b5c6d7e8f",
	"5d6e7f8a-9b0c-4d1e-8f3a-4b5c6d7e8f9a", "6e7f8a9b-0c1d-4e2f-9a4b-5c6d7e8f9a0b", "7f8a9b0c-1d2e-4f3a-8b5c-6d7e8f9a0b1c",
	"8a9b0c1d-2e3f-4a4b-9c6d-7e8f9a0b1c2d", "9b0c1d2e-3f4a-4b5c-8d7e-8f9a0b1c2d3e", "0c1d2e3f-4a5b-4c6d-9e8f-9a0b1c2d3e4f",
}

// longCDFURL is a 118-character CDF URL (a private link), longer than
// any window's line.
const longCDFURL = "https://cdf-acme-corporation-production-workloads.westeurope-1.private-link.cognitedata-customer-endpoints.example.com"

// Test profiles, one per flow.
var (
	// prodProfile has real-length values: a GUID tenant and a long
	// cdf_url.
	prodProfile = profiles.Profile{Name: "acme-production-westeurope", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		CDFURL: longCDFURL, Project: "acme-production-data-platform", Flow: profiles.FlowDevice}
	devProfile = profiles.Profile{Name: "dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		Cluster: "westeurope-1", Project: "acme-dev", Flow: profiles.FlowDevice}
	browserProfile = profiles.Profile{Name: "desk", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		Cluster: "westeurope-1", Project: "acme-dev", Flow: profiles.FlowBrowser}
	secretProfile = profiles.Profile{Name: "robot", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		Cluster: "westeurope-1", Project: "acme-prod", Flow: profiles.FlowSecret, ClientSecret: "env:IDP_CLIENT_SECRET"}
)

// driver runs the app without a terminal: commands run in goroutines as
// in Bubble Tea, their messages come back to Update on the test's
// goroutine, and timers are fired by the test.
type driver struct {
	t     testing.TB
	m     *app
	clock *fakeClock
	auth  *fakeAuth
	store *fakeStore
	msgs  chan tea.Msg
	quit  bool
	clip  []string // clipboard writes
}

type driverOpt func(*Config)

func newDriver(t testing.TB, w, h int, ps []profiles.Profile, opts ...driverOpt) *driver {
	t.Helper()
	clock := &fakeClock{t: t0}
	auth := newFakeAuth(clock)
	store := &fakeStore{ps: append([]profiles.Profile(nil), ps...)}
	cfg := Config{Store: store, Auth: auth, Now: clock.Now, Width: w, Height: h,
		Getenv: func(string) string { return "" }}
	for _, o := range opts {
		o(&cfg)
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	d := &driver{t: t, clock: clock, auth: auth, store: store, msgs: make(chan tea.Msg, 4096)}
	d.m = newApp(ctx, cfg)
	d.m.setAfter(func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil })
	t.Cleanup(func() {
		cancel()
		d.m.stopWork()
		d.m.wait(5 * time.Second)
	})
	d.exec(d.m.Init())
	d.handle(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// exec runs cmd in a goroutine, as Bubble Tea does.
func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.msgs <- cmd() }()
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

// handle gives msg to the app (unpacking batches and sequences).
func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	case tea.QuitMsg:
		d.quit = true
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := 0; i < v.Len(); i++ {
			d.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	if s := fmt.Sprintf("%T", msg); strings.Contains(s, "setClipboardMsg") {
		d.clip = append(d.clip, fmt.Sprint(msg))
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// waitFor handles messages until cond holds.
func (d *driver) waitFor(what string, cond func(*app) bool) {
	d.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond(d.m) {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline.C:
			d.t.Fatalf("waiting for %s; screen now:\n%s", what, d.view())
		}
	}
}

// waitView handles messages until the screen shows every want.
func (d *driver) waitView(want ...string) {
	d.t.Helper()
	d.waitFor(fmt.Sprintf("%q on screen", want), func(*app) bool {
		v := d.view()
		for _, w := range want {
			if !strings.Contains(v, w) {
				return false
			}
		}
		return true
	})
}

// drain handles every message already queued (without waiting for more).
func (d *driver) drain() {
	for {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		default:
			return
		}
	}
}

// settle handles messages until none has come for a while (the form's
// descriptions arrive through commands), at most two seconds.
func (d *driver) settle() {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// focusField handles messages until the form's focus is on the field
// key (huh moves it through commands after each enter).
func (d *driver) focusField(key string) {
	d.t.Helper()
	d.waitFor("focus on "+key, func(m *app) bool {
		f := m.formPage().form.GetFocusedField()
		return f != nil && f.GetKey() == key
	})
}

// fillField types value into the form's field key once it has the focus,
// and presses enter.
func (d *driver) fillField(key, value string) {
	d.t.Helper()
	d.focusField(key)
	d.typeText(value)
	d.press("enter")
}

// press sends keys: "enter", "esc", "tab", "up", "down", "ctrl+c", or a
// single character.
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.handle(keyMsg(k))
	}
}

// typeText types s character by character.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.handle(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+b":
		return tea.KeyPressMsg{Code: 'b', Mod: tea.ModCtrl}
	case "ctrl+f":
		return tea.KeyPressMsg{Code: 'f', Mod: tea.ModCtrl}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// tick moves the clock by dt and fires the 1 s clock tick.
func (d *driver) tick(dt time.Duration) {
	d.clock.Add(dt)
	if d.m.clock.Running() {
		d.handle(d.m.clock.Current())
	}
}

// view is the screen as plain text.
func (d *driver) view() string {
	return ansi.Strip(d.m.View().Content)
}

// requireView fails unless the screen contains every want.
func (d *driver) requireView(want ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, v)
		}
	}
}

// golden compares the screen (as text) with testdata/<test>.golden and
// checks that it fits the terminal.
func (d *driver) golden() {
	d.t.Helper()
	d.settle()
	v := d.view()
	checkFits(d.t, v, d.m.width, d.m.height)
	golden.RequireEqual(d.t, v)
}

// checkFits fails when a view is wider or taller than the terminal.
func checkFits(t testing.TB, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, terminal has %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, terminal has %d: %q", i+1, lw, w, l)
		}
	}
}

// The page on screen as its type, or an empty one when another page is
// on screen (so that a waitFor condition can ask before it arrives).
func (m *app) formPage() *profileForm {
	if p, ok := m.page.(*profileForm); ok {
		return p
	}
	return &profileForm{}
}

func (m *app) pickerPage() *flowPicker {
	if p, ok := m.page.(*flowPicker); ok {
		return p
	}
	return &flowPicker{}
}

func (m *app) browserPage() *browserView {
	if p, ok := m.page.(*browserView); ok {
		return p
	}
	return &browserView{}
}

func (m *app) tokenPage() *tokenView {
	if p, ok := m.page.(*tokenView); ok {
		return p
	}
	return &tokenView{}
}

func (m *app) errPage() *errorView {
	if p, ok := m.page.(*errorView); ok {
		return p
	}
	return &errorView{}
}

// writeFile writes a small readable file (a stand-in CA bundle).
func writeFile(path string) error {
	return os.WriteFile(path, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o600)
}

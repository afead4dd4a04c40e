package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

// fakeBrowser is a cmdutil.Browser that records the URLs it is asked to
// open.
type fakeBrowser struct {
	ok      bool
	reason  string
	openErr error
	onOpen  func(url string) // run before Open returns, if set

	mu     sync.Mutex
	opened []string
	checks int
}

func (b *fakeBrowser) Open(u string) error {
	b.mu.Lock()
	b.opened = append(b.opened, u)
	b.mu.Unlock()
	if b.onOpen != nil {
		b.onOpen(u)
	}
	return b.openErr
}

func (b *fakeBrowser) CanOpen() (bool, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.checks++
	return b.ok, b.reason
}

func (b *fakeBrowser) urls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

func testFactory(t *testing.T, b cmdutil.Browser, extraEnv map[string]string) *cmdutil.Factory {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{"CDFLOGIN_HOME": home}
	for k, v := range extraEnv {
		env[k] = v
	}
	return &cmdutil.Factory{
		IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		Getenv:  func(k string) string { return env[k] },
		Now:     time.Now,
		Browser: b,
	}
}

// TestConfigUsesTheFactoryBrowser checks that the program's browser check
// and its "o" key go to the Factory's opener, not to one of their own.
func TestConfigUsesTheFactoryBrowser(t *testing.T) {
	const u = "https://login.example.invalid/authorize?x=1"
	refused := errors.New("fake: refused")
	tests := []struct {
		name       string
		browser    *fakeBrowser // nil: no Browser in the Factory
		env        map[string]string
		wantOK     bool
		wantReason string
		wantErr    error
	}{
		{name: "can open", browser: &fakeBrowser{ok: true},
			// The process-like environment says SSH; the Factory's opener
			// has the last word.
			env:    map[string]string{"SSH_TTY": "/dev/pts/3"},
			wantOK: true},
		{name: "cannot open", browser: &fakeBrowser{reason: "fake: no screen", openErr: refused},
			env:        map[string]string{"DISPLAY": ":0", "BROWSER": "firefox"},
			wantReason: "fake: no screen", wantErr: refused},
		{name: "no Browser", wantReason: cmdutil.ErrNoOpener.Error(), wantErr: cmdutil.ErrNoOpener},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b cmdutil.Browser
			if tt.browser != nil {
				b = tt.browser
			}
			cfg, err := Config(testFactory(t, b, tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.CanOpenBrowser == nil || cfg.OpenBrowser == nil {
				t.Fatal("Config leaves the browser unwired")
			}
			ok, reason := cfg.CanOpenBrowser()
			if ok != tt.wantOK || reason != tt.wantReason {
				t.Errorf("CanOpenBrowser = %v, %q; want %v, %q", ok, reason, tt.wantOK, tt.wantReason)
			}
			err = cfg.OpenBrowser(u)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("OpenBrowser = %v, want %v", err, tt.wantErr)
			}
			if tt.browser != nil {
				if got := tt.browser.urls(); len(got) != 1 || got[0] != u {
					t.Errorf("the Factory's browser opened %q, want [%q]", got, u)
				}
				if tt.browser.checks != 1 {
					t.Errorf("the Factory's browser was checked %d times, want 1", tt.browser.checks)
				}
			}
		})
	}
}

// syncBuffer is the program's output, written by its goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestProgramAsksTheFactoryBrowser runs the real program on a browser
// profile with a Factory whose opener says it cannot open: the flow
// picker must preselect the device code with the opener's reason, and
// nothing is opened.
func TestProgramAsksTheFactoryBrowser(t *testing.T) {
	const reason = "fake opener: no screen on this test machine"
	fb := &fakeBrowser{reason: reason}
	// The environment alone would allow a browser: only the Factory's
	// opener can be the source of the refusal.
	f := testFactory(t, fb, map[string]string{"DISPLAY": ":0", "BROWSER": "firefox"})
	cfg, err := Config(f)
	if err != nil {
		t.Fatal(err)
	}
	p := profiles.Profile{Name: "desk", Tenant: "contoso.example", ClientID: "00000000-0000-4000-8000-000000000001",
		Cluster: "westeurope-1", Project: "demo", Flow: profiles.FlowBrowser}
	if err := cfg.Store.Add(p); err != nil {
		t.Fatal(err)
	}

	inR, inW := io.Pipe()
	out := &syncBuffer{}
	cfg.In, cfg.Out, cfg.Width, cfg.Height, cfg.Accessible = inR, out, 100, 30, true
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ui.Run(ctx, cfg) }()
	waitOut := func(s string) {
		t.Helper()
		for !strings.Contains(out.String(), s) {
			select {
			case <-ctx.Done():
				t.Fatalf("waiting for %q; output:\n%s", s, out.String())
			case err := <-done:
				t.Fatalf("the program ended (%v) before %q", err, s)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitOut("desk")
	if _, err := inW.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	waitOut("Device code preselected: " + reason + ".")
	if _, err := inW.Write([]byte("\x03")); err != nil {
		t.Fatal(err)
	}
	// Nothing was in flight: ctrl+c ends the program as q does.
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil (ctrl+c with nothing in flight)", err)
	}
	if got := fb.urls(); len(got) != 0 {
		t.Errorf("the program opened %q though the opener said it cannot", got)
	}
}

// TestConfigFlowsUseTheFactoryBrowser signs in with the browser flow
// against the sandbox through the Config's Auth (the flows `login` uses
// too): the Factory's opener gets the sign-in URL and completes it.
func TestConfigFlowsUseTheFactoryBrowser(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{DeviceInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Close() }()
	fb := &fakeBrowser{ok: true, onOpen: func(u string) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _ = sandbox.SignInAs(ctx, sb.HTTPClient(), u, sandbox.AliceUsername)
		}()
	}}
	f := testFactory(t, fb, nil)
	f.HTTPClient = sb.HTTPClient()
	cfg, err := Config(f)
	if err != nil {
		t.Fatal(err)
	}
	p := profiles.Profile{Name: "sb", Tenant: sandbox.TenantID, ClientID: sandbox.BrowserAppID, Project: sandbox.ProjectName,
		Flow: profiles.FlowBrowser, Authority: sb.AuthorityURL(), CDFURL: sb.CDFURL(), RedirectPort: freePort(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var failed []error
	tok, err := cfg.Auth.Login(ctx, p, profiles.FlowBrowser, func(ev flows.Event) {
		if bf, ok := ev.(flows.BrowserFailed); ok {
			mu.Lock()
			failed = append(failed, bf.Err)
			mu.Unlock()
			cancel() // nobody will complete the sign-in: fail now, not at the timeout
		}
	})
	mu.Lock()
	defer mu.Unlock()
	if len(failed) != 0 {
		t.Fatalf("BrowserFailed %v with a working opener (Login: %v)", failed, err)
	}
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.Account.Username != sandbox.AliceUsername {
		t.Errorf("signed in as %q, want %q", tok.Account.Username, sandbox.AliceUsername)
	}
	got := fb.urls()
	if len(got) != 1 || !strings.HasPrefix(got[0], sb.AuthorityURL()) {
		t.Errorf("the Factory's browser opened %q, want one sign-in URL under %s", got, sb.AuthorityURL())
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

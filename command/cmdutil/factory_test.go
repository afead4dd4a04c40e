package cmdutil

import (
	"errors"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/browser"
)

// stubBrowser answers with fixed values and records what it opened.
type stubBrowser struct {
	ok      bool
	reason  string
	openErr error
	opened  []string
}

func (b *stubBrowser) Open(u string) error     { b.opened = append(b.opened, u); return b.openErr }
func (b *stubBrowser) CanOpen() (bool, string) { return b.ok, b.reason }

func TestFactoryBrowser(t *testing.T) {
	const u = "https://login.example.invalid/authorize"
	refused := errors.New("stub: refused")
	tests := []struct {
		name       string
		b          *stubBrowser // nil: no Browser
		wantOK     bool
		wantReason string
		wantErr    error
	}{
		{name: "opens", b: &stubBrowser{ok: true}, wantOK: true},
		{name: "cannot", b: &stubBrowser{reason: "stub: headless", openErr: refused}, wantReason: "stub: headless", wantErr: refused},
		{name: "no Browser starts nothing", wantReason: ErrNoOpener.Error(), wantErr: ErrNoOpener},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			if tt.b != nil {
				f.Browser = tt.b
			}
			ok, reason := f.CanOpenBrowser()
			if ok != tt.wantOK || reason != tt.wantReason {
				t.Errorf("CanOpenBrowser = %v, %q; want %v, %q", ok, reason, tt.wantOK, tt.wantReason)
			}
			err := f.OpenBrowser(u)
			if (tt.wantErr == nil && err != nil) || !errors.Is(err, tt.wantErr) {
				t.Errorf("OpenBrowser = %v, want %v", err, tt.wantErr)
			}
			if tt.b != nil && (len(tt.b.opened) != 1 || tt.b.opened[0] != u) {
				t.Errorf("Browser opened %q, want [%q]", tt.b.opened, u)
			}
		})
	}
}

// TestNewBrowserReadsTheFactoryEnv checks that the real Factory's opener
// decides with the Factory's Getenv, even one set after New, and never
// with the process environment (which here names a browser to run).
func TestNewBrowserReadsTheFactoryEnv(t *testing.T) {
	t.Setenv("BROWSER", "cdflogin-test-process-browser")
	t.Setenv("SSH_TTY", "")
	t.Setenv("SSH_CONNECTION", "")
	t.Setenv("SSH_CLIENT", "")
	f := New("test")
	if _, ok := f.Browser.(*browser.Opener); !ok {
		t.Fatalf("New's Browser is %T, want *browser.Opener", f.Browser)
	}
	f.Getenv = func(k string) string {
		if k == "SSH_TTY" {
			return "/dev/pts/3"
		}
		return ""
	}
	if ok, reason := f.CanOpenBrowser(); ok || reason != "SSH session" {
		t.Errorf("CanOpenBrowser = %v, %q; want false, %q", ok, reason, "SSH session")
	}
	var he *browser.HeadlessError
	if err := f.OpenBrowser("https://login.example.invalid/"); !errors.As(err, &he) {
		t.Errorf("OpenBrowser = %v, want a HeadlessError (nothing started)", err)
	}
}

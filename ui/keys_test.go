package ui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// TestEveryListedKeyDoesSomething walks every page (and its states) and
// presses every key its help lists, on a fresh copy of the page each
// time: each must change something (the screen, the page, the status, or
// end the program). A key that moves up is also tried from the bottom.
func TestEveryListedKeyDoesSomething(t *testing.T) {
	walk := map[string]bool{
		"welcome": true, "import-start": true, "profiles": true, "profiles-filter": true, "profiles-delete": true,
		"new-profile": true, "new-profile-discard": true, "flows": true, "device-code": true, "device-qr": true,
		"browser": true, "signing-in": true, "token": true, "token-access-claims": true, "token-raw-json": true,
		"token-reveal": true, "token-cdf-access": true, "token-expired": true, "token-refreshed-groups-changed": true, "changes": true, "changes-long": true, "tenant-found": true, "tenant-not-found": true, "error-7000218": true, "full-help": true,
	}
	const w, h = 80, 24
	for _, sc := range goldenScreens {
		if !walk[sc.name] {
			continue
		}
		d := sc.to(t, w, h)
		d.settle()
		for _, b := range listedKeys(d.m) {
			for _, k := range b.Keys() {
				t.Run(fmt.Sprintf("%s/%s", sc.name, k), func(t *testing.T) {
					if !keyDoesSomething(t, sc.to, w, h, k, "") && !keyDoesSomething(t, sc.to, w, h, k, "end") {
						t.Errorf("%q (%s %s) does nothing on %s", k, b.Help().Key, b.Help().Desc, sc.name)
					}
				})
			}
		}
	}
}

// listedKeys are the enabled bindings of the page's full help, with the
// global ones.
func listedKeys(m *app) []key.Binding {
	var out []key.Binding
	for _, g := range m.keyMap().FullHelp() {
		for _, b := range g {
			if b.Enabled() && len(b.Keys()) > 0 {
				out = append(out, b)
			}
		}
	}
	return out
}

// keyDoesSomething opens the page afresh, presses before (if any) and
// then k, and reports whether k changed what is shown or ended the run.
func keyDoesSomething(t *testing.T, to func(*testing.T, int, int) *driver, w, h int, k, before string) bool {
	d := to(t, w, h)
	d.settle()
	if before != "" {
		d.press(before)
		d.settle()
	}
	screen, view := d.m.screen, d.view()
	logins, silents := d.auth.loginCount(), d.auth.silentCount()
	d.handle(keyMsg(k))
	d.settle()
	// A retry that fails again shows the same page: the new sign-in is
	// what it did.
	return d.quit || d.m.screen != screen || d.view() != view ||
		d.auth.loginCount() != logins || d.auth.silentCount() != silents
}

// TestKeyNames: the key names the walk presses are the ones the keymap
// lists (so that a key the test cannot press fails here, not silently).
func TestKeyNames(t *testing.T) {
	km := DefaultKeyMap()
	for _, b := range []key.Binding{km.Up, km.Down, km.Top, km.Bottom, km.PageUp, km.PageDown, km.Open, km.Back, km.Quit, km.ForceQuit,
		km.Help, km.NextTab, km.PrevTab} {
		for _, k := range b.Keys() {
			if got := keyMsg(k).String(); got != k {
				t.Errorf("key %q is sent as %q", k, got)
			}
			if !key.Matches(keyMsg(k), b) {
				t.Errorf("key %q does not match its binding %s", k, b.Help().Key)
			}
		}
	}
	_ = tea.KeyPressMsg{}
	_ = strings.TrimSpace
}

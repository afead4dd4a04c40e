package flows

import (
	"os"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/profiles"
)

// TestAccountComparedAfterSignIn (issue 16, item 10): a browser sign-in
// that comes back for another account than the profile's login_hint, or
// than the account the profile was signed in with before, is warned about;
// the same account is not.
func TestAccountComparedAfterSignIn(t *testing.T) {
	login := func(h *harness, p profiles.Profile) {
		t.Helper()
		open, wait := browserDouble(t, h)
		h.svc.deps.OpenBrowser = open
		_, err := h.svc.Login(ctxT(t), p, "", nil)
		wait()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("login_hint", func(t *testing.T) {
		h := newHarness(t)
		p := h.profile(profiles.FlowBrowser)
		p.RedirectPort = freePort(t)
		p.LoginHint = "bob@example.com" // the fake tenant signs in Ada
		login(h, p)
		w := h.warns.String()
		if !strings.Contains(w, "signed in as ada@example.com, not as its login_hint bob@example.com") || !strings.Contains(w, "cdflogin logout -p dev") {
			t.Errorf("warnings: %q", w)
		}
	})
	t.Run("previous account", func(t *testing.T) {
		h := newHarness(t)
		p := h.profile(profiles.FlowBrowser)
		p.RedirectPort = freePort(t)
		login(h, p)
		if w := h.warns.String(); w != "" {
			t.Fatalf("a first sign-in warned: %q", w)
		}
		login(h, p) // Ada again: nothing to say
		if w := h.warns.String(); w != "" {
			t.Fatalf("the same account warned: %q", w)
		}
		// The profile was Bob's before this sign-in.
		path, _ := h.svc.CachePath(p)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "ada@example.com", "bob@example.com")), 0o600); err != nil {
			t.Fatal(err)
		}
		login(h, p)
		if w := h.warns.String(); !strings.Contains(w, "now signed in as ada@example.com; before, it was signed in as bob@example.com") {
			t.Errorf("warnings: %q", w)
		}
	})
}

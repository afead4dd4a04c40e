package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestChangesGoOnBeneath: the Changes page covers the token page, whose
// automatic refresh goes on beneath it; each refresh adds to the history
// at once, and esc comes back to the same token page, not a new one.
func TestChangesGoOnBeneath(t *testing.T) {
	d := userToken(t, 80, 24)
	tv := d.m.tokenPage()
	d.press("w")
	d.waitFor("changes", onScreen(scrChanges))
	d.requireView("1 token held in this run", "signed in — alice@contoso.example, 12 groups")

	d.auth.mu.Lock()
	d.auth.groups = movedGroups
	d.auth.mu.Unlock()
	d.tick(55 * time.Minute)
	d.waitFor("the refresh beneath", func(m *app) bool { return tv.ref.count == 1 })
	if d.auth.silentCount() != 1 {
		t.Fatalf("refreshes: %d", d.auth.silentCount())
	}
	d.requireView("2 tokens held", "refreshed — groups: 1 gained, 2 lost", "+ groups gained  5c7e2a90-1b3d-4e6f-8a0b-2c4d6e8f0a1c",
		"- groups lost    6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c", "refreshed 1×")

	// r refreshes from here too.
	d.clock.Add(time.Minute)
	d.press("r")
	d.waitFor("the forced refresh", func(m *app) bool { return tv.ref.count == 2 })
	d.requireView("3 tokens held", "groups, roles and scopes unchanged")

	d.press("esc")
	d.waitFor("token", onScreen(scrToken))
	if d.m.tokenPage() != tv {
		t.Fatal("esc made a new token page")
	}
	d.requireView("refreshed 2×", "Same groups, roles and scopes · w: what changed")

	// Back to the profiles and in again from the cache: the history is
	// the run's, and the same token shown again is not a new one.
	d.auth.cached["dev"] = tv.tokens
	if n := len(d.m.heldFor("dev").list); n != 3 {
		t.Fatalf("held %d tokens", n)
	}
}

// TestChangesAnotherAccount: a refresh that brings another account's
// token is a warning on the token page and in the history.
func TestChangesAnotherAccount(t *testing.T) {
	d := userToken(t, 100, 30)
	bob := claimstest.With(claimstest.V2User(d.clock.Now().Add(time.Minute)), "oid", "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8",
		"preferred_username", "bob@contoso.example", "name", "Bob Example")
	tv := d.m.tokenPage()
	d.clock.Add(time.Minute)
	tv.Refreshed(&flows.Tokens{AccessToken: claimstest.Unsigned(bob), Flow: profiles.FlowDevice, ExpiresOn: d.clock.Now().Add(time.Hour)}, nil, false, "", "")
	d.requireView("Another account: alice@contoso.example → bob@contoso.example · w: what changed")
	d.press("w")
	d.requireView("refreshed — another account: alice@contoso.example → bob@contoso.example",
		"! another account  oid 1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b →", "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8")
	if strings.Contains(d.view(), "preferred_username") {
		t.Errorf("the account's own claims are listed besides the account change:\n%s", d.view())
	}
}

// TestChangesSafe: group IDs, claim names and values in the history come
// from the tokens and reach the screen only through textsafe.
func TestChangesSafe(t *testing.T) {
	const hostile = "x\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\r\u202egnp"
	d := userToken(t, 80, 24)
	tv := d.m.tokenPage()
	d.clock.Add(time.Minute)
	p := claimstest.With(claimstest.V2User(d.clock.Now()), "groups", []any{hostile}, "x"+hostile, hostile, "scp", hostile)
	tv.Refreshed(&flows.Tokens{AccessToken: claimstest.Unsigned(p), Flow: profiles.FlowDevice, ExpiresOn: d.clock.Now().Add(time.Hour)}, nil, false, "", "")
	d.press("w")
	d.settle()
	for _, bad := range []string{"\x1b]", "\x07", "\r", "\u202e", "\x1b[2J"} {
		if strings.Contains(d.m.View().Content, bad) {
			t.Errorf("the Changes page carries %q", bad)
		}
	}
	d.requireView("\ufffd]52;c;cGF5bG9hZA==")
}

// TestHeldTokens: the same token is kept once; the history is bounded.
func TestHeldTokens(t *testing.T) {
	var h heldTokens
	raw := func(i int) (string, *claims.Token) {
		s := claimstest.Unsigned(claimstest.V2User(t0.Add(time.Duration(i) * time.Minute)))
		tok, err := claims.Decode(s)
		if err != nil {
			t.Fatal(err)
		}
		return s, tok
	}
	s, tok := raw(0)
	if !h.record(s, tok, "signed in", t0) || h.record(s, tok, "from the cache", t0) {
		t.Fatal("the same token was not kept once")
	}
	if h.last().diff != nil {
		t.Fatal("the first token has a diff")
	}
	for i := 1; i <= maxHeld+5; i++ {
		s, tok := raw(i)
		h.record(s, tok, "refreshed", t0)
	}
	if len(h.list) != maxHeld {
		t.Fatalf("%d kept", len(h.list))
	}
	if d := h.last().diff; d == nil || !d.Has(insight.ChangeIssued) || accessChanged(d) {
		t.Fatalf("last diff: %+v", d)
	}
}

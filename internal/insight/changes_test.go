package insight

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// cacheAndRefresh is a Silenter with a cache: Cached gives cached, a
// forced Silent gives fresh (or err) and records the options.
type cacheAndRefresh struct {
	cached, fresh *flows.Tokens
	err           error
	opts          []flows.SilentOptions
}

func (c *cacheAndRefresh) Cached(profiles.Profile) (*flows.Tokens, error) { return c.cached, nil }
func (c *cacheAndRefresh) Silent(_ context.Context, _ profiles.Profile, o flows.SilentOptions) (*flows.Tokens, error) {
	c.opts = append(c.opts, o)
	return c.fresh, c.err
}

func TestClaimsChanges(t *testing.T) {
	later := now.Add(20 * time.Minute)
	tokens := func(iat time.Time, groups ...string) *flows.Tokens {
		return &flows.Tokens{AccessToken: claimstest.Unsigned(user(iat, groups...)), IDToken: claimstest.Unsigned(user(iat)), Flow: profiles.FlowDevice}
	}
	p := devProfile(profiles.FlowDevice)
	d := func(s Silenter) Deps { return Deps{Flows: func() (Silenter, error) { return s, nil }} }

	t.Run("groups gained and lost at the refresh", func(t *testing.T) {
		f := &cacheAndRefresh{cached: tokens(now, gAdmins, gReaders), fresh: tokens(later, gAdmins, gMarket)}
		rep, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.opts) != 1 || !f.opts[0].Force {
			t.Errorf("the refresh was not forced: %+v", f.opts)
		}
		if rep.Kind != KindAccess || rep.Profile != "dev" || rep.Diff.Summary() != "groups: 1 gained, 1 lost" {
			t.Errorf("report: %+v, summary %q", rep, rep.Diff.Summary())
		}
		if iat, _ := rep.Refreshed.Time("iat"); !iat.Equal(later) {
			t.Errorf("the refreshed token is not the new one: iat %v", iat)
		}
	})
	t.Run("the ID tokens", func(t *testing.T) {
		f := &cacheAndRefresh{cached: tokens(now), fresh: tokens(later)}
		rep, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: p, IDToken: true})
		if err != nil || rep.Kind != KindID || !rep.Diff.Has(ChangeIssued) || rep.Diff.Has(ChangeGroupsGained) {
			t.Fatalf("%+v %v", rep, err)
		}
	})
	t.Run("nothing cached: a sign-in is needed, and nothing is refreshed", func(t *testing.T) {
		f := &cacheAndRefresh{fresh: tokens(later)}
		_, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: p})
		var lr *flows.LoginRequiredError
		if !errors.As(err, &lr) || !errors.Is(err, flows.ErrLoginRequired) || len(f.opts) != 0 {
			t.Fatalf("err %v, refreshes %d", err, len(f.opts))
		}
	})
	t.Run("a failed refresh comes back as it is", func(t *testing.T) {
		want := &flows.LoginRequiredError{Profile: "dev", Reason: "refresh token expired (AADSTS700082)"}
		f := &cacheAndRefresh{cached: tokens(now), err: want}
		if _, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: p}); !errors.Is(err, want) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("an app profile has no ID token", func(t *testing.T) {
		f := &cacheAndRefresh{cached: tokens(now), fresh: tokens(later)}
		if _, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: devProfile(profiles.FlowSecret), IDToken: true}); !errors.Is(err, ErrNoIDToken) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("flows without a cache reader", func(t *testing.T) {
		if _, err := ClaimsChanges(context.Background(), d(silent{tok: tokens(now)}), ChangesInput{Profile: p}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("a cached token that is not a JWT", func(t *testing.T) {
		f := &cacheAndRefresh{cached: &flows.Tokens{AccessToken: "opaque"}, fresh: tokens(later)}
		if _, err := ClaimsChanges(context.Background(), d(f), ChangesInput{Profile: p}); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestChangeText(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		c                 Change
		mark, label, text string
	}{
		{Change{Kind: ChangeIssued, Claim: "iat", Before: "2026-11-28T16:00:00Z", After: "2026-11-28T16:20:00Z", Shift: 20 * time.Minute},
			"i", "iat", "17:00:00 → 17:20:00 (+20 min)"},
		{Change{Kind: ChangeExpires, Claim: "exp", Before: "2026-11-28T23:30:00Z", After: "2026-11-28T22:30:00Z", Shift: -time.Hour},
			"i", "exp", "2026-11-29 00:30:00 → 2026-11-28 23:30:00 (-1 h)"},
		{Change{Kind: ChangeIssued, Claim: "iat", Before: "2026-11-28T16:00:00Z"}, "i", "iat", "2026-11-28 17:00:00 → (none)"},
		{Change{Kind: ChangeLifetime, Claim: "exp", Before: "1h0m0s", After: "1h30m0s", Shift: 30 * time.Minute}, "i", "lifetime", "1 h → 1 h 30 min (+30 min)"},
		{Change{Kind: ChangeAccount, Claim: "oid", Before: "a", After: "b"}, "!", "another account", "oid a → b"},
		{Change{Kind: ChangeGroupsOverage, Claim: "groups", Before: "false", After: "true"}, "!", "groups left out", "the token no longer lists the groups: too many to carry (overage)"},
		{Change{Kind: ChangeGroupsGained, Claim: "groups", Values: []string{"g"}}, "+", "groups gained", "(none) → (none)"},
		{Change{Kind: ChangeScopesRemoved, Claim: "scp", Values: []string{"s"}}, "-", "scopes removed", "(none) → (none)"},
		{Change{Kind: ChangeClaim, Claim: "amr", Before: `["pwd"]`, After: `["pwd","mfa"]`}, "~", "amr", `["pwd"] → ["pwd","mfa"]`},
		{Change{Kind: ChangeClaim, Claim: "acrs", After: `["c1"]`}, "+", "acrs", `(none) → ["c1"]`},
		{Change{Kind: ChangeClaim, Claim: "wids", Before: `["r1"]`}, "-", "wids", `["r1"] → (none)`},
	} {
		if m, l, txt := tc.c.Mark(), tc.c.Label(), tc.c.Text(loc); m != tc.mark || l != tc.label || (tc.c.Values == nil && txt != tc.text) {
			t.Errorf("%+v: %q %q %q, want %q %q %q", tc.c, m, l, txt, tc.mark, tc.label, tc.text)
		}
	}
}

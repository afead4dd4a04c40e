package ui

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

func TestRefresherSchedule(t *testing.T) {
	issued := t0
	for _, tc := range []struct {
		name     string
		leeway   time.Duration
		lifetime time.Duration
		wantNext time.Duration // after issued
	}{
		{"hour token, 5 min leeway", 5 * time.Minute, time.Hour, 55 * time.Minute},
		{"10 min token: leeway capped at a fifth", 5 * time.Minute, 10 * time.Minute, 8 * time.Minute},
		{"2 min token", 5 * time.Minute, 2 * time.Minute, 96 * time.Second},
		{"small leeway kept", 30 * time.Second, time.Hour, time.Hour - 30*time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRefresher(tc.leeway, issued, issued.Add(tc.lifetime))
			if got := r.NextAuto().Sub(issued); got != tc.wantNext {
				t.Errorf("next refresh %v after issue, want %v", got, tc.wantNext)
			}
			if r.Due(issued.Add(tc.wantNext - time.Second)) {
				t.Error("due a second early")
			}
			if !r.Due(issued.Add(tc.wantNext)) {
				t.Error("not due on time")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestRefresherFailureKeepsTokenAndBacksOff(t *testing.T) {
	r := newRefresher(5*time.Minute, t0, t0.Add(time.Hour))
	now := t0.Add(55 * time.Minute)
	r.Start(false)
	if r.Due(now) {
		t.Fatal("due while refreshing")
	}
	r.Failed(now, errors.New("network down"), false)
	if r.expires != t0.Add(time.Hour) {
		t.Fatal("a failed refresh dropped the token's expiry")
	}
	if got := r.NextAuto(); got != now.Add(10*time.Second) {
		t.Fatalf("retry at %v, want 10 s later", got)
	}
	r.Failed(now.Add(10*time.Second), errors.New("again"), false)
	if got := r.NextAuto(); got != now.Add(30*time.Second) {
		t.Fatalf("second retry at %v, want 20 s after the second failure", got)
	}
	r.Failed(now, errors.New("sign in"), true)
	if !r.NextAuto().IsZero() || r.Due(now.Add(time.Hour)) {
		t.Fatal("retries continue although a sign-in is needed")
	}
	r.Succeeded(now, now, now.Add(time.Hour))
	if r.failures != 0 || r.lastErr != nil || r.count != 1 {
		t.Fatalf("success did not reset: %+v", r)
	}
}

// signedIn drives a secret sign-in to the token screen.
func signedIn(t *testing.T, w, h int, opts ...driverOpt) *driver {
	t.Helper()
	d := newDriver(t, w, h, []profiles.Profile{secretProfile}, opts...)
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("token", onScreen(scrToken))
	return d
}

func TestAutoRefresh(t *testing.T) {
	d := signedIn(t, 80, 24)
	d.requireView("Auto refresh 14:55:00", "refreshed 0×")
	d.tick(54 * time.Minute)
	d.requireView("Valid 6:00")
	if n := d.auth.silentCount(); n != 0 {
		t.Fatalf("refreshed %d times before the leeway", n)
	}
	d.tick(time.Minute)
	d.waitFor("refresh", func(m *app) bool { return m.tokenPage().ref.count == 1 })
	if opts := d.auth.silents[0]; !opts.Force {
		t.Error("the automatic refresh did not force a new token")
	}
	d.requireView("refreshed 1×", "Last refresh 14:55:00 ok, new expiry 15:55:00", "Auto refresh 15:50:00")
}

func TestForcedRefresh(t *testing.T) {
	d := signedIn(t, 80, 24)
	d.tick(10 * time.Minute)
	d.press("r")
	if !d.m.tokenPage().ref.refreshing {
		t.Fatal("r did not start a refresh")
	}
	d.requireView("Refreshing…")
	d.press("r") // a second r while refreshing starts nothing
	if d.m.tokenPage().refreshSeq != 1 {
		t.Fatalf("r while refreshing started refresh #%d", d.m.tokenPage().refreshSeq)
	}
	d.waitFor("refresh", func(m *app) bool { return m.tokenPage().ref.count == 1 })
	d.drain()
	if n := d.auth.silentCount(); n != 1 {
		t.Errorf("%d refreshes for r r, want 1", n)
	}
	d.requireView("refreshed 1×", "Last refresh 14:10:00 ok, new expiry 15:10:00", "Valid 1:00:00")
}

func TestRefreshFailureKeepsTokenAndRetries(t *testing.T) {
	d := signedIn(t, 100, 24)
	d.auth.silentErr = errors.New("dial tcp: connection refused")
	d.tick(55 * time.Minute)
	d.waitFor("failed refresh", func(m *app) bool { return m.tokenPage().ref.failures == 1 })
	d.requireView("Valid 5:00", "Retry 14:55:10", "Last refresh 14:55:00 failed: dial tcp: connection refused")
	d.tick(10 * time.Second)
	d.waitFor("second failure", func(m *app) bool { return m.tokenPage().ref.failures == 2 })
	d.requireView("Retry 14:55:30")
	d.auth.silentErr = nil
	d.tick(20 * time.Second)
	d.waitFor("recovery", func(m *app) bool { return m.tokenPage().ref.count == 1 })
	d.requireView("Last refresh 14:55:30 ok")
}

func TestRefreshNeedsSignIn(t *testing.T) {
	d := signedIn(t, 100, 24)
	d.auth.silentErr = &flows.LoginRequiredError{Profile: "robot", Reason: "refresh token expired (AADSTS700082)"}
	d.press("r")
	d.waitFor("failure", func(m *app) bool { return m.tokenPage().ref.failures == 1 })
	d.requireView("Sign-in needed", "enter to sign in again")
	n := d.auth.silentCount()
	d.tick(30 * time.Minute)
	d.drain()
	if d.auth.silentCount() != n {
		t.Error("retried a refresh that needs a person")
	}
	d.press("enter")
	if d.m.screen != scrFlow {
		t.Fatalf("enter: screen %v, want flows", d.m.screen)
	}
}

func TestExpiry(t *testing.T) {
	d := signedIn(t, 100, 24)
	d.auth.silentErr = fmt.Errorf("dial tcp: %w", errors.New("no route to host"))
	d.tick(61 * time.Minute)
	d.waitFor("failure", func(m *app) bool { return m.tokenPage().ref.failures >= 1 })
	d.requireView("Expired at 15:00:00", "enter sign in again")
}

package ui

import (
	"time"
)

// refresher is the state of the live refresh: when the token expires, when
// it will be refreshed, how the last refresh went, and the backoff after
// failures. It is pure state driven by the clock; the app runs the
// refreshes it asks for.
type refresher struct {
	leeway     time.Duration
	issued     time.Time
	expires    time.Time
	refreshing bool
	forced     bool
	count      int
	lastAt     time.Time
	lastErr    error
	failures   int
	retryAt    time.Time
	needsLogin bool // the refresh said a person must sign in again
}

// Backoff bounds of a failing refresh.
const (
	firstRetry = 10 * time.Second
	maxRetry   = 5 * time.Minute
)

func newRefresher(leeway time.Duration, issued, expires time.Time) refresher {
	return refresher{leeway: leeway, issued: issued, expires: expires}
}

// Lifetime is the token's whole validity.
func (r refresher) Lifetime() time.Duration { return r.expires.Sub(r.issued) }

// Leeway is how long before expiry the automatic refresh runs: the
// configured leeway, at most a fifth of the lifetime (so short-lived tokens
// are not refreshed the moment they arrive).
func (r refresher) Leeway() time.Duration {
	l := r.leeway
	if lt := r.Lifetime(); lt > 0 && l > lt/5 {
		l = lt / 5
	}
	return l
}

// NextAuto is when the next automatic refresh runs (zero: none).
func (r refresher) NextAuto() time.Time {
	switch {
	case r.needsLogin:
		return time.Time{}
	case r.failures > 0:
		return r.retryAt
	}
	return r.expires.Add(-r.Leeway())
}

// Due reports whether an automatic refresh should start now.
func (r refresher) Due(now time.Time) bool {
	next := r.NextAuto()
	return !r.refreshing && !next.IsZero() && !now.Before(next)
}

// Left is the time until expiry.
func (r refresher) Left(now time.Time) time.Duration { return r.expires.Sub(now) }

// Fraction is the part of the lifetime left, 0..1.
func (r refresher) Fraction(now time.Time) float64 {
	lt := r.Lifetime()
	if lt <= 0 {
		return 0
	}
	f := float64(r.expires.Sub(now)) / float64(lt)
	return min(max(f, 0), 1)
}

// Start marks a refresh as running.
func (r *refresher) Start(forced bool) {
	r.refreshing = true
	r.forced = forced
}

// Succeeded records a new token.
func (r *refresher) Succeeded(now, issued, expires time.Time) {
	r.refreshing = false
	r.count++
	r.lastAt = now
	r.lastErr = nil
	r.failures = 0
	r.retryAt = time.Time{}
	r.needsLogin = false
	r.issued, r.expires = issued, expires
}

// Failed records a failed refresh; the current token stays. A refresh that
// needs a person stops the automatic retries.
func (r *refresher) Failed(now time.Time, err error, needsLogin bool) {
	r.refreshing = false
	r.lastAt = now
	r.lastErr = err
	r.failures++
	r.needsLogin = needsLogin
	r.retryAt = now.Add(backoff(r.failures))
}

// backoff is the wait before retry n (1-based): 10 s, 20 s, 40 s … 5 min.
func backoff(n int) time.Duration {
	d := firstRetry
	for i := 1; i < n && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

package flows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestSilentWaitsForTheCacheLock: Silent reads (and may refresh) the cache
// only under the profile's cache lock, the one concurrent cdflogin
// processes share. While another holder keeps it, even a warm cache gives
// no token: Silent waits until its context ends. Once released, it goes on.
func TestSilentWaitsForTheCacheLock(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	ctx := ctxT(t)
	if _, err := h.svc.Login(ctx, p, "", nil); err != nil {
		t.Fatalf("Login: %v", err)
	}

	other, err := tokencache.Open(h.dir, p.Name, tokencache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := other.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []SilentOptions{{}, {Force: true}} {
		// However long it waits, the lock stays taken: the deadline only
		// bounds the test.
		waitCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		tok, err := h.svc.Silent(waitCtx, p, opts)
		cancel()
		if err == nil || tok != nil {
			t.Fatalf("Silent(force=%v) with the cache lock held elsewhere = %v, %v; want it to wait for the lock", opts.Force, tok != nil, err)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Silent(force=%v) error = %v, want the end of its wait for the lock", opts.Force, err)
		}
	}
	unlock()

	tok, err := h.svc.Silent(ctx, p, SilentOptions{})
	if err != nil || tok == nil || !tok.FromCache {
		t.Fatalf("Silent after the lock was released = %+v, %v", tok, err)
	}
}

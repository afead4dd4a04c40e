package insight

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// CacheReader reads a profile's cached tokens without a request;
// *flows.Service is one. ClaimsChanges needs the Silenter of Deps.Flows
// to be one too.
type CacheReader interface {
	Cached(p profiles.Profile) (*flows.Tokens, error)
}

var _ CacheReader = (*flows.Service)(nil)

// ChangesInput is the profile whose cached token is compared with a new
// one.
type ChangesInput struct {
	Profile profiles.Profile
	// IDToken compares the ID tokens instead of the access tokens.
	IDToken bool
}

// ChangesReport is what changed from the cached token to a new one.
type ChangesReport struct {
	Profile string
	Kind    string // KindAccess or KindID
	// Cached and Refreshed are the two tokens, decoded.
	Cached, Refreshed *claims.Token
	Diff              ClaimsDiff
}

// ClaimsChanges reads the profile's cached token, forces a new one (a
// refresh for user profiles, a new app token for secret and certificate
// profiles: flows.SilentOptions.Force), which replaces it in the cache,
// and compares their claims with DiffClaims. With no cached token it
// returns a *flows.LoginRequiredError; a failed refresh comes back as
// the flows return it, for the caller to explain.
func ClaimsChanges(ctx context.Context, d Deps, in ChangesInput) (*ChangesReport, error) {
	p := in.Profile
	rep := &ChangesReport{Profile: p.Name, Kind: KindAccess}
	if in.IDToken {
		rep.Kind = KindID
		if !p.Flow.IsUser() {
			return nil, fmt.Errorf("profile %q signs in as an app: %w", p.Name, ErrNoIDToken)
		}
	}
	svc, err := d.Flows()
	if err != nil {
		return nil, err
	}
	cache, ok := svc.(CacheReader)
	if !ok {
		return nil, errors.New("these flows cannot read the token cache")
	}
	pick := func(t *flows.Tokens) string {
		if t == nil {
			return ""
		}
		if in.IDToken {
			return t.IDToken
		}
		return t.AccessToken
	}
	old, err := cache.Cached(p)
	if err != nil {
		return nil, err
	}
	if pick(old) == "" {
		return nil, &flows.LoginRequiredError{Profile: p.Name, Reason: "no cached " + rep.Kind + " token to compare a new one with"}
	}
	fresh, err := svc.Silent(ctx, p, flows.SilentOptions{Force: true})
	if err != nil {
		return nil, err
	}
	if pick(fresh) == "" {
		return nil, fmt.Errorf("profile %q: the refresh gave no %s token", p.Name, rep.Kind)
	}
	if rep.Cached, err = claims.Decode(pick(old)); err != nil {
		return nil, fmt.Errorf("profile %q's cached %s token: %w", p.Name, rep.Kind, err)
	}
	if rep.Refreshed, err = claims.Decode(pick(fresh)); err != nil {
		return nil, fmt.Errorf("profile %q's new %s token: %w", p.Name, rep.Kind, err)
	}
	rep.Diff = DiffClaims(rep.Cached.Claims(), rep.Refreshed.Claims())
	return rep, nil
}

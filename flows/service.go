package flows

import (
	"context"
	"errors"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Service runs the flows with its Deps.
type Service struct{ deps Deps }

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }

var errNotYet = errors.New("flows: not implemented yet")

// Login signs in with the given flow (the profile's own when empty),
// reporting progress to events, and stores the result in the cache.
func (s *Service) Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events Events) (*Tokens, error) {
	return nil, errNotYet
}

// Silent returns a valid token without any prompt: the cached one, a
// refreshed one (user flows), or a new app token (secret/certificate).
// When a person must sign in it returns a *LoginRequiredError.
func (s *Service) Silent(ctx context.Context, p profiles.Profile, opts SilentOptions) (*Tokens, error) {
	return nil, errNotYet
}

// Logout removes the profile's cached tokens and reports what was removed.
func (s *Service) Logout(p profiles.Profile) ([]string, error) {
	return nil, errNotYet
}

// Cached returns the cached tokens of the profile without any network
// request, or nil when there are none. Expired tokens are returned too
// (ExpiresOn tells); it never refreshes.
func (s *Service) Cached(p profiles.Profile) (*Tokens, error) {
	return nil, errNotYet
}

package flows

import (
	"context"
	"errors"

	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/tokencache"
)

// loginBrowser runs auth code + PKCE with cdflogin's own loopback listener.
func (s *Service) loginBrowser(ctx context.Context, p profiles.Profile, acc *tokencache.Accessor, events Events) (*Tokens, error) {
	return nil, errors.New("browser flow: waiting for the loopback listener")
}

package flows

import (
	"fmt"

	"github.com/cognite-tools/cdflogin/internal/tokenshape"
	"github.com/cognite-tools/cdflogin/profiles"
)

// checkShape refuses tokens that are not what a token endpoint gives (an
// RFC 6750 access token, a JWT ID token) before anything prints, caches
// or exports them: a hostile or broken endpoint could otherwise hand out
// a "token" that a shell runs when it is exported.
func checkShape(p profiles.Profile, t *Tokens) (*Tokens, error) {
	if err := tokenshape.Bearer("access token", t.AccessToken); err != nil {
		return nil, fmt.Errorf("profile %q: the token endpoint's answer is refused: %w", p.Name, err)
	}
	if t.IDToken != "" {
		if err := tokenshape.JWT("ID token", t.IDToken); err != nil {
			return nil, fmt.Errorf("profile %q: the token endpoint's answer is refused: %w", p.Name, err)
		}
	}
	return t, nil
}

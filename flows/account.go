package flows

import (
	"strings"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// previousAccount is the account the profile's cache holds a sign-in of,
// read before a new sign-in replaces it; nil when there is none.
func previousAccount(file *tokencache.File, p profiles.Profile, flow profiles.Flow) *tokencache.Account {
	data, err := file.Load()
	if err != nil || len(data) == 0 {
		return nil
	}
	contents, err := tokencache.Parse(data)
	if err != nil {
		return nil
	}
	return contents.Find(cacheQuery(p, flow)).Account
}

// checkAccount warns when a person's sign-in came back for an account
// other than the profile's login_hint, or other than the one the profile
// was signed in with before. Another local user who reads the authorize
// URL (state and PKCE challenge included) from the browser's command line
// can complete it with their own account; the person then holds tokens of
// someone else without knowing.
func (s *Service) checkAccount(p profiles.Profile, t *Tokens, prev *tokencache.Account) {
	got := t.Account.Username
	if got == "" {
		return
	}
	if p.LoginHint != "" && !strings.EqualFold(got, p.LoginHint) {
		s.warnf("profile %q signed in as %s, not as its login_hint %s: if you did not sign in as %s yourself, someone else's sign-in may have reached cdflogin; run cdflogin logout -p %s and sign in again",
			p.Name, textsafe.Line(got), textsafe.Line(p.LoginHint), textsafe.Line(got), p.Name)
		return
	}
	if prev != nil && prev.Username != "" && !strings.EqualFold(prev.Username, got) {
		s.warnf("profile %q is now signed in as %s; before, it was signed in as %s: if you did not sign in as %s yourself, someone else's sign-in may have reached cdflogin; run cdflogin logout -p %s and sign in again",
			p.Name, textsafe.Line(got), textsafe.Line(prev.Username), textsafe.Line(got), p.Name)
	}
}

package flows

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/tokenshape"
	"github.com/cognite-tools/cdflogin/profiles"
)

// pwned is the access token of issue 16, item 1: exported as dotenv it
// ran a command.
const pwned = "x'`id>PWNED`."

// TestHostileTokenRefused: a token endpoint that answers with something
// that is not a bearer token gets nothing printed, cached or exported: the
// sign-in fails, and the cache holds no trace of it.
func TestHostileTokenRefused(t *testing.T) {
	h := newHarness(t)
	h.entra.set(func(f *fakeEntra) {
		f.override = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
				return false
			}
			f.writeJSON(w, 200, map[string]any{"token_type": "Bearer", "access_token": pwned, "expires_in": 3600})
			return true
		}
	})
	p := h.profile(profiles.FlowSecret)
	tok, err := h.svc.Login(ctxT(t), p, "", nil)
	if !errors.Is(err, tokenshape.ErrMalformed) {
		t.Fatalf("Login = %v, %v; want a refusal", tok, err)
	}
	if strings.Contains(err.Error(), "PWNED") {
		t.Errorf("the error quotes the token: %v", err)
	}
	path, _ := h.svc.CachePath(p)
	if data, _ := os.ReadFile(path); strings.Contains(string(data), "PWNED") {
		t.Errorf("the hostile token was cached: %s", data)
	}
	if tok, err := h.svc.Silent(ctxT(t), p, SilentOptions{}); err == nil {
		t.Errorf("Silent gave %q", tok.AccessToken)
	}
}

// TestHostileCachedTokenRefused: a cache file edited to hold a hostile
// access token is not handed out from the cache.
func TestHostileCachedTokenRefused(t *testing.T) {
	h := newHarness(t)
	p := h.profile(profiles.FlowSecret)
	tok, err := h.svc.Login(ctxT(t), p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := h.svc.CachePath(p)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The token's characters need no escaping in JSON.
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), tok.AccessToken, pwned)), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := h.svc.Silent(ctxT(t), p, SilentOptions{}); !errors.Is(err, tokenshape.ErrMalformed) {
		t.Fatalf("Silent = %v, %v; want a refusal", got, err)
	}
}

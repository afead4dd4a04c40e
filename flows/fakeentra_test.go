package flows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEntra is a minimal Entra v2.0 tenant over TLS for the flows' unit
// tests (the full sandbox lives in package sandbox; flows may not import
// it). It answers discovery, devicecode and token requests.
type fakeEntra struct {
	t      testing.TB
	srv    *httptest.Server
	tenant string

	mu            sync.Mutex
	lifetime      time.Duration
	secret        string
	refreshTokens map[string]bool
	deviceAnswer  string // "" approve at once, else the poll error value
	refreshError  string // JSON error body for refresh_token grants
	counts        map[string]int
	issued        []string // every token handed out
	codes         map[string]authCode
	authorizeErr  string // error value the authorize endpoint redirects with
	certX5T       string // x5t#S256 a client assertion must carry
	// override, when set, answers requests in place of the tenant; it
	// returns false to let the tenant answer.
	override func(w http.ResponseWriter, r *http.Request) bool
}

// authCode is what an issued authorization code was bound to.
type authCode struct {
	redirectURI, challenge string
}

func newFakeEntra(t testing.TB) *fakeEntra {
	t.Helper()
	f := &fakeEntra{
		t:             t,
		tenant:        "11111111-2222-3333-4444-555555555555",
		lifetime:      time.Hour,
		secret:        "s3cr3t-" + randHex(8),
		refreshTokens: map[string]bool{},
		counts:        map[string]int{},
		codes:         map[string]authCode{},
	}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *fakeEntra) authority() string { return f.srv.URL + "/" + f.tenant }

func (f *fakeEntra) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[kind]
}

func (f *fakeEntra) set(fn func(f *fakeEntra)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeEntra) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func entraError(errValue string, code int, desc string) map[string]any {
	return map[string]any{
		"error":             errValue,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: 0b1c2d3e-0000-0000-0000-000000000001\r\nCorrelation ID: 9f8e7d6c-0000-0000-0000-000000000002\r\nTimestamp: 2026-11-28 12:00:00Z", code, desc),
		"error_codes":       []int{code},
		"correlation_id":    "9f8e7d6c-0000-0000-0000-000000000002",
		"trace_id":          "0b1c2d3e-0000-0000-0000-000000000001",
	}
}

func (f *fakeEntra) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	override := f.override
	f.mu.Unlock()
	if override != nil && override(w, r) {
		f.bump("override")
		return
	}
	base := "/" + f.tenant
	switch {
	case r.Method == http.MethodGet && r.URL.Path == base+"/v2.0/.well-known/openid-configuration":
		f.bump("discovery")
		f.writeJSON(w, 200, map[string]any{
			"authorization_endpoint": f.authority() + "/oauth2/v2.0/authorize",
			"token_endpoint":         f.authority() + "/oauth2/v2.0/token",
			"issuer":                 f.authority() + "/v2.0",
		})
	case r.Method == http.MethodGet && r.URL.Path == base+"/oauth2/v2.0/authorize":
		f.authorize(w, r)
	case r.Method == http.MethodPost && r.URL.Path == base+"/oauth2/v2.0/devicecode":
		f.bump("devicecode")
		f.writeJSON(w, 200, map[string]any{
			"device_code":      "dc-" + randHex(8),
			"user_code":        "ABCD-EFGH",
			"verification_uri": "https://microsoft.com/devicelogin",
			"expires_in":       900,
			"interval":         1,
			"message":          "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABCD-EFGH.",
		})
	case r.Method == http.MethodPost && r.URL.Path == base+"/oauth2/v2.0/token":
		f.token(w, r)
	default:
		f.bump("other")
		http.NotFound(w, r)
	}
}

func (f *fakeEntra) bump(kind string) {
	f.mu.Lock()
	f.counts[kind]++
	f.mu.Unlock()
}

func (f *fakeEntra) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.writeJSON(w, 400, entraError("invalid_request", 900144, "bad form"))
		return
	}
	grant := r.PostForm.Get("grant_type")
	f.bump("token:" + grant)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch grant {
	case "client_credentials":
		if a := r.PostForm.Get("client_assertion"); a != "" {
			if f.certX5T == "" || assertionX5T(a) != f.certX5T {
				f.writeJSON(w, 401, entraError("invalid_client", 700027, "Client assertion failed signature validation."))
				return
			}
		} else if r.PostForm.Get("client_secret") != f.secret {
			f.writeJSON(w, 401, entraError("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."))
			return
		}
		f.writeJSON(w, 200, f.tokenResponse(r, false))
	case "device_code":
		if f.deviceAnswer != "" {
			f.writeJSON(w, 400, map[string]any{"error": f.deviceAnswer, "error_description": "device code poll: " + f.deviceAnswer})
			return
		}
		f.writeJSON(w, 200, f.tokenResponse(r, true))
	case "authorization_code":
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		if !ok {
			f.writeJSON(w, 400, entraError("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed."))
			return
		}
		if c.redirectURI != r.PostForm.Get("redirect_uri") {
			f.writeJSON(w, 400, entraError("invalid_grant", 500112, "The reply address does not match the reply address provided when requesting Authorization code."))
			return
		}
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			f.writeJSON(w, 400, entraError("invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."))
			return
		}
		f.writeJSON(w, 200, f.tokenResponse(r, true))
	case "refresh_token":
		if f.refreshError != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(f.refreshError))
			return
		}
		rt := r.PostForm.Get("refresh_token")
		if !f.refreshTokens[rt] {
			f.writeJSON(w, 400, entraError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."))
			return
		}
		delete(f.refreshTokens, rt)
		f.writeJSON(w, 200, f.tokenResponse(r, true))
	default:
		f.writeJSON(w, 400, entraError("unsupported_grant_type", 70003, "unsupported grant type"))
	}
}

func (f *fakeEntra) tokenResponse(r *http.Request, user bool) map[string]any {
	at := "eyJhbGciOiJub25lIn0.at-" + randHex(16) + ".x"
	f.issued = append(f.issued, at)
	resp := map[string]any{
		"token_type":     "Bearer",
		"access_token":   at,
		"expires_in":     int(f.lifetime / time.Second),
		"ext_expires_in": int(f.lifetime / time.Second),
		"scope":          r.PostForm.Get("scope"),
	}
	if user {
		rt := "rt-" + randHex(16)
		f.refreshTokens[rt] = true
		f.issued = append(f.issued, rt)
		uid, utid := "00000000-0000-0000-0000-0000000000a1", f.tenant
		resp["refresh_token"] = rt
		resp["id_token"] = fakeJWT(map[string]any{
			"aud": r.PostForm.Get("client_id"), "iss": f.authority() + "/v2.0", "tid": f.tenant,
			"oid": uid, "sub": "sub-1", "name": "Ada Lovelace", "preferred_username": "ada@example.com",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		})
		ci, _ := json.Marshal(map[string]string{"uid": uid, "utid": utid})
		resp["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
		// Entra answers .default with the resource's actual permissions
		// and the .default scope itself.
		resp["scope"] = strings.ReplaceAll(r.PostForm.Get("scope"), "/.default", "/user_impersonation") + " " + r.PostForm.Get("scope")
	}
	return resp
}

// authorize signs the user in at once and redirects to the loopback
// listener with a code (or with authorizeErr).
func (f *fakeEntra) authorize(w http.ResponseWriter, r *http.Request) {
	f.bump("authorize")
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || redirect.Hostname() != "localhost" {
		http.Error(w, "AADSTS50011: redirect URI mismatch", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
		http.Error(w, "AADSTS9002325: Proof Key for Code Exchange is required", http.StatusBadRequest)
		return
	}
	if !strings.Contains(q.Get("scope"), "offline_access") {
		http.Error(w, "no offline_access scope", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	f.mu.Lock()
	if f.authorizeErr != "" {
		back.Set("error", f.authorizeErr)
		back.Set("error_description", "AADSTS65004: User declined to consent to access the app.")
	} else {
		code := "code-" + randHex(12)
		f.codes[code] = authCode{redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
		back.Set("code", code)
	}
	f.mu.Unlock()
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// assertionX5T reads the x5t#S256 header of a client assertion.
func assertionX5T(jwt string) string {
	head, _, _ := strings.Cut(jwt, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h map[string]any
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	s, _ := h["x5t#S256"].(string)
	return s
}

func fakeJWT(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
}

package flows

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeIdP is a minimal OpenID provider over TLS for the flows' unit tests
// of provider cognito and oidc (the full sandbox lives in package
// sandbox). cognito makes it answer like an Amazon Cognito user pool: no
// device endpoint, no private_key_jwt, access tokens without aud, a
// refresh that returns no new refresh token.
type fakeIdP struct {
	t       testing.TB
	srv     *httptest.Server
	key     *rsa.PrivateKey
	cognito bool
	path    string // issuer path, e.g. /eu-west-1_Pool

	mu          sync.Mutex
	secret      string
	authMethods []string
	issParam    bool
	certKey     *rsa.PublicKey // private_key_jwt client key
	codes       map[string]fakeCode
	refresh     map[string]bool
	devices     map[string]int // device_code -> polls before approval (-1 denied)
	counts      map[string]int
	lastForm    map[string]url.Values
	basicSeen   bool
	discoIssuer string // when set, discovery names this issuer instead
	nonce       string // the nonce the next ID token carries
	badNonce    bool   // the ID token carries another nonce
	now         func() time.Time
}

type fakeCode struct{ challenge, redirect, nonce string }

func newFakeIdP(t testing.TB, cognito bool) *fakeIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIdP{t: t, key: key, cognito: cognito, secret: "idp-secret-" + randHex(6),
		codes: map[string]fakeCode{}, refresh: map[string]bool{}, devices: map[string]int{}, counts: map[string]int{}, lastForm: map[string]url.Values{}}
	f.path = "/oidc"
	f.now = time.Now
	f.authMethods = []string{"client_secret_post", "private_key_jwt"}
	if cognito {
		f.path = "/eu-west-1_Pool7"
		f.authMethods = []string{"client_secret_basic", "client_secret_post"}
	}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIdP) issuer() string { return f.srv.URL + f.path }

func (f *fakeIdP) set(fn func(*fakeIdP)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeIdP) count(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[k]
}

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, f.path)
	f.counts[p]++
	switch p {
	case "/.well-known/openid-configuration":
		d := map[string]any{
			"issuer": f.issuer(), "authorization_endpoint": f.issuer() + "/oauth2/authorize", "token_endpoint": f.issuer() + "/oauth2/token",
			"jwks_uri": f.issuer() + "/jwks.json", "token_endpoint_auth_methods_supported": f.authMethods,
			"scopes_supported": []string{"openid", "email", "profile"}, "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		}
		if f.discoIssuer != "" {
			d["issuer"] = f.discoIssuer
		}
		if !f.cognito {
			d["device_authorization_endpoint"] = f.issuer() + "/device"
			d["scopes_supported"] = []string{"openid", "profile", "offline_access"}
		}
		if f.issParam {
			d["authorization_response_iss_parameter_supported"] = true
		}
		writeJSON(w, 200, d)
	case "/jwks.json":
		writeJSON(w, 200, map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(f.key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(f.key.E)).Bytes())}}})
	case "/oauth2/authorize":
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "PKCE S256 and openid required", 400)
			return
		}
		code := "code-" + randHex(8)
		f.codes[code] = fakeCode{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), nonce: q.Get("nonce")}
		back := url.Values{"code": {code}, "state": {q.Get("state")}}
		if f.issParam {
			back.Set("iss", f.issuer())
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
	case "/device":
		_ = r.ParseForm()
		dc := "dev-" + randHex(8)
		f.devices[dc] = 1
		writeJSON(w, 200, map[string]any{"device_code": dc, "user_code": "ABCD-EFGH", "verification_uri": f.issuer() + "/activate",
			"expires_in": 600, "interval": 1})
	case "/oauth2/token":
		f.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (f *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "bad form")
		return
	}
	grant := r.PostForm.Get("grant_type")
	f.lastForm[grant] = r.PostForm
	clientID, secret, basic := r.BasicAuth()
	if basic {
		f.basicSeen = true
		if !slices.Contains(f.authMethods, "client_secret_basic") {
			oauthError(w, 401, "invalid_client", "client_secret_basic is not supported")
			return
		}
	} else {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch grant {
	case "client_credentials":
		switch {
		case secret != "":
			if secret != f.secret {
				oauthError(w, 400, "invalid_client", "Client authentication failed")
				return
			}
		case r.PostForm.Get("client_assertion") != "" && f.certKey != nil:
			var c jwt.RegisteredClaims
			if _, err := jwt.ParseWithClaims(r.PostForm.Get("client_assertion"), &c, func(*jwt.Token) (any, error) { return f.certKey, nil },
				jwt.WithAudience(f.issuer()+"/oauth2/token"), jwt.WithIssuer(clientID), jwt.WithSubject(clientID)); err != nil {
				oauthError(w, 400, "invalid_client", "bad client assertion: "+err.Error())
				return
			}
		default:
			oauthError(w, 400, "invalid_client", "no client authentication")
			return
		}
		f.issue(w, clientID, "", r.PostForm.Get("scope"), false)
	case "authorization_code":
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || c.redirect != r.PostForm.Get("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthError(w, 400, "invalid_grant", "code, redirect_uri or code_verifier do not match")
			return
		}
		f.nonce = c.nonce
		f.issue(w, clientID, "alice-sub", "openid https://cognitedata.com/IDENTITY", true)
		f.nonce = ""
	case "urn:ietf:params:oauth:grant-type:device_code":
		n, ok := f.devices[r.PostForm.Get("device_code")]
		switch {
		case !ok:
			oauthError(w, 400, "expired_token", "unknown device code")
		case n < 0:
			oauthError(w, 400, "access_denied", "the user declined")
		case n > 0:
			f.devices[r.PostForm.Get("device_code")] = n - 1
			oauthError(w, 400, "authorization_pending", "waiting")
		default:
			delete(f.devices, r.PostForm.Get("device_code"))
			f.issue(w, clientID, "alice-sub", "openid IDENTITY", true)
		}
	case "refresh_token":
		if !f.refresh[r.PostForm.Get("refresh_token")] {
			oauthError(w, 400, "invalid_grant", "Refresh Token has been revoked")
			return
		}
		f.issue(w, clientID, "alice-sub", "openid", !f.cognito)
	default:
		oauthError(w, 400, "unsupported_grant_type", grant)
	}
}

// issue answers with a Cognito-shaped (or generic) access token, an ID
// token for a person, and a refresh token when withRefresh.
func (f *fakeIdP) issue(w http.ResponseWriter, clientID, sub, scope string, withRefresh bool) {
	now := f.now()
	at := jwt.MapClaims{"iss": f.issuer(), "client_id": clientID, "token_use": "access", "scope": scope,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "sub": firstNonEmpty(sub, clientID), "jti": randHex(6)}
	if f.cognito {
		at["cognito:groups"] = []string{"cdf-admins"}
	} else {
		at["aud"] = "https://api.example.com"
		at["cdf_groups"] = []string{"cdf-admins"}
	}
	resp := map[string]any{"access_token": f.sign(at), "token_type": "Bearer", "expires_in": 3600}
	if sub != "" {
		resp["id_token"] = f.sign(jwt.MapClaims{"iss": f.issuer(), "aud": clientID, "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"email": "alice@example.com", "name": "Alice", "token_use": "id", "cognito:username": "alice", "nonce": f.nonceFor()})
	}
	if withRefresh {
		rt := "rt-" + randHex(8)
		f.refresh[rt] = true
		resp["refresh_token"] = rt
	}
	writeJSON(w, 200, resp)
}

func (f *fakeIdP) sign(c jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(f.key)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeIdP) nonceFor() string {
	if f.badNonce && f.nonce != "" {
		return "not-" + f.nonce
	}
	return f.nonce
}

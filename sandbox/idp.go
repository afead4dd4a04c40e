package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The listener of the sandbox's other identity providers (idpworld.go
// describes their world). One HTTPS listener serves both, as two issuers
// that share nothing but the port:
//
//	Cognito user pool   issuer   <idp>/<pool-id>
//	                    JWKS     <idp>/<pool-id>/.well-known/jwks.json
//	                    hosted UI <idp>/oauth2/authorize, /login, /oauth2/token,
//	                             /oauth2/userInfo, /logout (the pool's domain)
//	generic OIDC        issuer   <idp>/oidc (authorize, token, device/code,
//	                             jwks, userinfo below it; device page /devicelogin)
//
// In AWS the issuer is https://cognito-idp.<region>.amazonaws.com/<pool-id>
// and the hosted UI another host (https://<domain>.auth.<region>.amazoncognito.com);
// here they share a host but not a path, so a client that guesses the
// token URL from the issuer instead of reading discovery fails as it
// would against AWS.

// idpState is the running state of the two providers.
type idpState struct {
	url  string // https://127.0.0.1:PORT3
	srv  *http.Server
	keys func() (*idpKeys, error) // generated on first use

	mu      sync.Mutex
	logins  map[string]*idpLogin
	codes   map[string]*idpCode
	refresh map[string]*idpRefresh
	devices map[string]*idpDevice // by device_code
}

// idpKeys are the providers' signing keys. Cognito signs ID and access
// tokens with different keys (AWS: "Amazon Cognito signs access tokens
// with a different key than the ID token"); both are in its JWKS.
type idpKeys struct {
	cognitoID, cognitoAccess, oidc *signingKey
}

func newIdPState(now func() time.Time) *idpState {
	return &idpState{
		keys: sync.OnceValues(func() (*idpKeys, error) {
			var k idpKeys
			var err error
			for _, p := range []**signingKey{&k.cognitoID, &k.cognitoAccess, &k.oidc} {
				if *p, err = newSigningKey(now()); err != nil {
					return nil, err
				}
			}
			// Cognito's key IDs are base64 text with padding; the OIDC
			// provider's are short hex.
			for _, sk := range []*signingKey{k.cognitoID, k.cognitoAccess} {
				sum := sha256.Sum256(sk.key.N.Bytes())
				sk.kid = base64.StdEncoding.EncodeToString(sum[:])
			}
			sum := sha256.Sum256(k.oidc.key.N.Bytes())
			k.oidc.kid = hex.EncodeToString(sum[:8])
			return &k, nil
		}),
		logins:  map[string]*idpLogin{},
		codes:   map[string]*idpCode{},
		refresh: map[string]*idpRefresh{},
		devices: map[string]*idpDevice{},
	}
}

// CognitoIssuer is the user pool's issuer, <idp>/<pool-id>; discovery is
// at CognitoIssuer()+"/.well-known/openid-configuration".
func (s *Sandbox) CognitoIssuer() string { return s.idp.url + "/" + CognitoPoolID }

// CognitoDomainURL is the pool's hosted UI domain (authorize, login,
// token, userInfo, logout below it).
func (s *Sandbox) CognitoDomainURL() string { return s.idp.url }

// OIDCIssuer is the generic OpenID provider's issuer.
func (s *Sandbox) OIDCIssuer() string { return s.idp.url + "/oidc" }

// OIDCDeviceLoginURL is the generic provider's device verification page.
func (s *Sandbox) OIDCDeviceLoginURL() string { return s.idp.url + "/devicelogin" }

func (s *Sandbox) idpMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{pool}/.well-known/openid-configuration", s.handleCognitoDiscovery)
	m.HandleFunc("GET /{pool}/.well-known/jwks.json", s.handleCognitoKeys)
	m.HandleFunc("GET /oauth2/authorize", s.handleCognitoAuthorize)
	m.HandleFunc("GET /login", s.handleCognitoLoginPage)
	m.HandleFunc("POST /login", s.handleCognitoLogin)
	m.HandleFunc("POST /oauth2/token", s.handleCognitoToken)
	m.HandleFunc("GET /oauth2/userInfo", s.handleCognitoUserInfo)
	m.HandleFunc("POST /oauth2/userInfo", s.handleCognitoUserInfo)
	m.HandleFunc("POST /oauth2/revoke", s.handleCognitoRevoke)
	m.HandleFunc("GET /logout", s.handleCognitoLogout)
	m.HandleFunc("GET /error", s.handleCognitoErrorPage)
	s.oidcRoutes(m)
	m.HandleFunc("GET /favicon.ico", handleFavicon)
	return m
}

// idpEndpointName classifies a path of the IdP listener for the request
// log: cognito.discovery, cognito.keys, cognito.authorize, cognito.login,
// cognito.token, cognito.userinfo, oidc.discovery, oidc.keys,
// oidc.authorize, oidc.login, oidc.token, oidc.devicecode, oidc.devicelogin,
// oidc.userinfo, idp.other.
func idpEndpointName(path string) string {
	if rest, ok := strings.CutPrefix(path, "/oidc/"); ok {
		switch rest {
		case ".well-known/openid-configuration":
			return "oidc.discovery"
		case "jwks":
			return "oidc.keys"
		case "authorize":
			return "oidc.authorize"
		case "login":
			return "oidc.login"
		case "token":
			return "oidc.token"
		case "device/code":
			return "oidc.devicecode"
		case "userinfo":
			return "oidc.userinfo"
		}
		return "idp.other"
	}
	switch {
	case strings.HasPrefix(path, "/devicelogin"):
		return "oidc.devicelogin"
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return "cognito.discovery"
	case strings.HasSuffix(path, "/.well-known/jwks.json"):
		return "cognito.keys"
	case path == "/oauth2/authorize":
		return "cognito.authorize"
	case path == "/login":
		return "cognito.login"
	case path == "/oauth2/token":
		return "cognito.token"
	case path == "/oauth2/userInfo":
		return "cognito.userinfo"
	}
	return "idp.other"
}

// isTokenEndpoint reports whether a request-log endpoint name is a token
// endpoint (its grant_type is logged).
func isTokenEndpoint(ep string) bool {
	return ep == "token" || ep == "cognito.token" || ep == "oidc.token"
}

// idpJWK is an RSA key as Cognito and most OpenID providers publish it:
// no certificate chain.
func idpJWK(k *signingKey) map[string]any {
	return map[string]any{
		"alg": "RS256",
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes()),
		"kid": k.kid,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
		"use": "sig",
	}
}

// signWith signs claims with k (RS256, kid; no typ, as Cognito's header).
func signWith(k *signingKey, claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header = map[string]any{"kid": k.kid, "alg": "RS256"}
	return t.SignedString(k.key)
}

// atHash is the OIDC at_hash of an RS256 access token.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return b64(sum[:16])
}

// idpClientAuth is how a client authenticated at an IdP token endpoint.
type idpClientAuth struct {
	clientID string
	secret   string
	basic    bool // the secret came in the Authorization header
	// assertion is a private_key_jwt client assertion (OIDC only).
	assertion, assertionType string
}

// readClientAuth reads client_secret_basic, client_secret_post or a bare
// client_id. mismatch reports a body client_id other than the Basic one.
func readClientAuth(r *http.Request) (a idpClientAuth, mismatch bool) {
	f := r.PostForm
	a.clientID = f.Get("client_id")
	a.secret = f.Get("client_secret")
	a.assertion, a.assertionType = f.Get("client_assertion"), f.Get("client_assertion_type")
	if id, secret, ok := basicAuth(r); ok {
		if a.clientID != "" && a.clientID != id {
			mismatch = true
		}
		a.clientID, a.secret, a.basic = id, secret, true
	}
	return a, mismatch
}

// secretMatches compares a presented secret with the client's in constant
// time.
func secretMatches(c IdPClient, secret string) bool {
	return c.Secret != "" && subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) == 1
}

// idpClient finds an app client of the provider idp by exact client ID.
func (s *Sandbox) idpClient(idp, clientID string) (IdPClient, bool) {
	i := slices.IndexFunc(s.world.IdPClients, func(c IdPClient) bool { return c.IdP == idp && c.ClientID == clientID })
	if i < 0 || clientID == "" {
		return IdPClient{}, false
	}
	return s.world.IdPClients[i], true
}

// confidential reports whether the client has a credential.
func (c IdPClient) confidential() bool { return c.Secret != "" || len(c.Certificates) > 0 }

// callbackMatches checks a redirect URI against the client's callback
// URLs: exactly for Cognito; for the OIDC provider a registered
// http://localhost (or 127.0.0.1) URL also matches any port (RFC 8252
// §7.3).
func (c IdPClient) callbackMatches(redirectURI string) bool {
	for _, cb := range c.CallbackURLs {
		if cb == redirectURI || (c.IdP == IdPOIDC && redirectMatches(cb, redirectURI)) {
			return true
		}
	}
	return false
}

// idpLogin is an authorize request waiting for the sign-in page.
type idpLogin struct {
	idp         string
	client      IdPClient
	redirectURI string
	state       string
	nonce       string
	challenge   string
	scopes      []string
	audience    string
	expires     time.Time
}

// idpCode is an issued authorization code.
type idpCode struct {
	idp         string
	clientID    string
	username    string
	redirectURI string
	challenge   string
	nonce       string
	scopes      []string
	audience    string
	authTime    time.Time
	expires     time.Time
	redeemed    bool
}

// idpRefresh is an issued refresh token (opaque to clients).
type idpRefresh struct {
	idp       string
	clientID  string
	username  string
	scopes    []string
	audience  string
	authTime  time.Time
	originJTI string
	expires   time.Time
	revoked   bool
}

// idpSession is a user's sign-in to a client: what a token is minted from.
type idpSession struct {
	client    IdPClient
	user      *User // nil for client credentials
	scopes    []string
	audience  string
	nonce     string
	authTime  time.Time
	originJTI string
}

// pkceS256 checks an RFC 7636 S256 code verifier against the challenge.
func pkceS256(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(challenge)) == 1
}

// newRefresh stores a refresh token for the session.
func (s *Sandbox) newIdPRefresh(idp string, ss idpSession) string {
	rt := randomID(96)
	if idp == IdPCognito {
		// Cognito refresh tokens are JWE-shaped (five dot-separated parts).
		rt = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ." + randomID(192) + "." + randomID(12) + "." + randomID(384) + "." + randomID(16)
	}
	now := s.Now()
	s.idp.mu.Lock()
	s.idp.refresh[rt] = &idpRefresh{idp: idp, clientID: ss.client.ClientID, username: ss.user.Username, scopes: ss.scopes,
		audience: ss.audience, authTime: ss.authTime, originJTI: ss.originJTI, expires: now.Add(s.refreshLifetime())}
	s.idp.mu.Unlock()
	return rt
}

func (s *Sandbox) refreshLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.RefreshTokenLifetime
}

// takeIdPCode redeems an authorization code of idp for clientID; e is the
// OAuth error code when it cannot be.
func (s *Sandbox) takeIdPCode(idp, code, clientID string) (*idpCode, string) {
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	c, ok := s.idp.codes[code]
	if !ok || c.idp != idp || c.redeemed || now.After(c.expires) {
		return nil, "invalid_grant"
	}
	if c.clientID != clientID {
		return nil, "invalid_grant"
	}
	c.redeemed = true
	return c, ""
}

// keepIdPLogin keeps a Cognito or OIDC sign-in in progress for half an
// hour and returns its context ID, which the sign-in page posts back.
func (s *Sandbox) keepIdPLogin(pl *idpLogin) string {
	ctxID := randomID(24)
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	s.idp.sweepLocked(now)
	pl.expires = now.Add(30 * time.Minute)
	s.idp.logins[ctxID] = pl
	return ctxID
}

// sweepLocked forgets sign-ins, codes and device codes long expired.
func (st *idpState) sweepLocked(now time.Time) {
	for k, v := range st.logins {
		if now.After(v.expires) {
			delete(st.logins, k)
		}
	}
	for k, v := range st.codes {
		if now.After(v.expires.Add(time.Hour)) {
			delete(st.codes, k)
		}
	}
	for k, v := range st.devices {
		if now.After(v.expires.Add(time.Hour)) {
			delete(st.devices, k)
		}
	}
}

// ExpireIdPRefreshTokens revokes the Cognito and OIDC refresh tokens of
// username (a username or object ID; everyone's when empty), so that their
// refreshes fail with invalid_grant; it returns how many.
func (s *Sandbox) ExpireIdPRefreshTokens(username string) int {
	if username != "" {
		u, ok := s.world.User(username)
		if !ok {
			return 0
		}
		username = u.Username
	}
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	n := 0
	for _, rt := range s.idp.refresh {
		if (username == "" || strings.EqualFold(rt.username, username)) && !rt.revoked {
			rt.revoked = true
			n++
		}
	}
	return n
}

// IdPSettings describe the Cognito user pool and the OIDC provider in
// Settings. Secrets are the published constants (CognitoClientSecret,
// OIDCClientSecret), not repeated here.
type IdPSettings struct {
	Provider       string              `json:"provider"` // "cognito" or "oidc"
	Issuer         string              `json:"issuer"`
	Discovery      string              `json:"discovery"`
	DeviceLoginURL string              `json:"device_login_url,omitempty"`
	Project        string              `json:"project"`
	Audience       string              `json:"audience,omitempty"`
	GroupsClaim    string              `json:"groups_claim"`
	Scopes         []string            `json:"scopes"`
	Clients        []IdPClientSettings `json:"clients"`
}

// IdPClientSettings is an app client as Settings shows it.
type IdPClientSettings struct {
	Key          string   `json:"key"`
	Name         string   `json:"name"`
	ClientID     string   `json:"client_id"`
	HasSecret    bool     `json:"has_secret,omitempty"`
	PrivateKey   bool     `json:"private_key_jwt,omitempty"`
	CallbackURLs []string `json:"callback_urls,omitempty"`
}

// idpSettings lists the providers for Settings.
func (s *Sandbox) idpSettings() []IdPSettings {
	cognito := IdPSettings{Provider: IdPCognito, Issuer: s.CognitoIssuer(), Project: CognitoProjectName, GroupsClaim: "cognito:groups",
		Scopes: []string{CognitoResourceServer + "/IDENTITY", CognitoResourceServer + "/user_impersonation"}}
	oidc := IdPSettings{Provider: IdPOIDC, Issuer: s.OIDCIssuer(), DeviceLoginURL: s.OIDCDeviceLoginURL(), Project: OIDCProjectName,
		Audience: OIDCAudience, GroupsClaim: OIDCGroupsClaim, Scopes: []string{"openid", "profile", "email", "offline_access"}}
	for _, c := range s.world.IdPClients {
		cs := IdPClientSettings{Key: c.Key, Name: c.Name, ClientID: c.ClientID, HasSecret: c.Secret != "",
			PrivateKey: len(c.Certificates) > 0, CallbackURLs: c.CallbackURLs}
		switch c.IdP {
		case IdPCognito:
			cognito.Clients = append(cognito.Clients, cs)
		case IdPOIDC:
			oidc.Clients = append(oidc.Clients, cs)
		}
	}
	for _, p := range []*IdPSettings{&cognito, &oidc} {
		p.Discovery = p.Issuer + "/.well-known/openid-configuration"
	}
	return []IdPSettings{cognito, oidc}
}

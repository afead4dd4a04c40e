package sandbox

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The generic OpenID provider: what an Auth0-, Keycloak- or Okta-like
// issuer offers through discovery (OpenID Connect Discovery 1.0): the code
// flow with S256 PKCE, the device authorization grant (RFC 8628) with its
// polling rules, client_secret_post and private_key_jwt client
// authentication, rotating refresh tokens, an Auth0-style audience
// parameter that becomes the access token's aud, JWT access tokens
// (RFC 9068) and groups in a claim of its own (OIDCGroupsClaim). Errors
// are RFC 6749 §5.2 JSON: 400, or 401 for invalid_client.

// oidcScopes are the scopes the provider knows.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

func (s *Sandbox) oidcRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /oidc/.well-known/openid-configuration", s.handleOIDCDiscovery)
	m.HandleFunc("GET /oidc/jwks", s.handleOIDCKeys)
	m.HandleFunc("GET /oidc/authorize", s.handleOIDCAuthorize)
	m.HandleFunc("POST /oidc/login", s.handleOIDCLogin)
	m.HandleFunc("POST /oidc/token", s.handleOIDCToken)
	m.HandleFunc("POST /oidc/device/code", s.handleOIDCDeviceCode)
	m.HandleFunc("GET /oidc/userinfo", s.handleOIDCUserInfo)
	m.HandleFunc("GET /devicelogin", s.handleOIDCDevicePage)
	m.HandleFunc("POST /devicelogin", s.handleOIDCDeviceCodeEntered)
	m.HandleFunc("POST /devicelogin/confirm", s.handleOIDCDeviceConfirm)
}

func (s *Sandbox) handleOIDCDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := s.OIDCIssuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           iss,
		"authorization_endpoint":                           iss + "/authorize",
		"token_endpoint":                                   iss + "/token",
		"device_authorization_endpoint":                    iss + "/device/code",
		"userinfo_endpoint":                                iss + "/userinfo",
		"jwks_uri":                                         iss + "/jwks",
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", "client_credentials", grantDeviceURN},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"scopes_supported":                                 oidcScopes,
		"token_endpoint_auth_methods_supported":            []string{"client_secret_post", "private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "PS256"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "email",
			"preferred_username", OIDCGroupsClaim},
	})
}

func (s *Sandbox) handleOIDCKeys(w http.ResponseWriter, _ *http.Request) {
	k, err := s.idp.keys()
	if err != nil {
		oidcError(w, http.StatusInternalServerError, "server_error", "no signing key")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{idpJWK(k.oidc)}})
}

// oidcError writes an RFC 6749 §5.2 error.
func oidcError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// oidcFail is an error of the provider's token or device endpoint.
type oidcFail struct {
	status     int
	code, desc string
}

func oidcErr(code, format string, args ...any) *oidcFail {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	return &oidcFail{status: status, code: code, desc: fmt.Sprintf(format, args...)}
}

func (f *oidcFail) write(w http.ResponseWriter) {
	if f.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox-oidc", error="invalid_client"`)
	}
	oidcError(w, f.status, f.code, f.desc)
}

// oidcScopeList checks a scope parameter (any of oidcScopes).
func oidcScopeList(raw string) ([]string, *oidcFail) {
	var out []string
	for _, f := range strings.Fields(raw) {
		if !slices.Contains(oidcScopes, f) {
			return nil, oidcErr("invalid_scope", "The scope %q is not known to this provider.", f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// oidcAudience checks an audience parameter: empty, or the API CDF's OIDC
// project accepts.
func oidcAudience(aud string) *oidcFail {
	if aud != "" && aud != OIDCAudience {
		return oidcErr("invalid_target", "No API with the identifier %q is known to this provider.", aud)
	}
	return nil
}

// handleOIDCAuthorize is GET /oidc/authorize: the sign-in page, or an
// error at the redirect URI once it is trusted.
func (s *Sandbox) handleOIDCAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, ok := s.idpClient(IdPOIDC, q.Get("client_id"))
	if !ok {
		s.renderPage(w, http.StatusBadRequest, "message", pageData{Title: "Sign-in error", Message: "Unknown client: " + q.Get("client_id")})
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !client.callbackMatches(redirectURI) {
		s.renderPage(w, http.StatusBadRequest, "message", pageData{Title: "Sign-in error",
			Message: "The redirect_uri is not registered for client " + client.ClientID + "."})
		return
	}
	pl := &idpLogin{idp: IdPOIDC, client: client, redirectURI: redirectURI, state: q.Get("state"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), audience: q.Get("audience")}
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}, "iss": {s.OIDCIssuer()}}
		idpRedirect(w, pl, v)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "Only response_type=code is supported.")
		return
	}
	if pl.challenge == "" || q.Get("code_challenge_method") != "S256" {
		fail("invalid_request", "PKCE with code_challenge_method=S256 is required.")
		return
	}
	scopes, e := oidcScopeList(q.Get("scope"))
	if e == nil {
		e = oidcAudience(pl.audience)
	}
	if e != nil {
		fail(e.code, e.desc)
		return
	}
	pl.scopes = scopes
	ctxID := s.keepIdPLogin(pl)
	s.oidcSignInPage(w, ctxID, pl, q.Get("login_hint"), "")
}

func (s *Sandbox) oidcSignInPage(w http.ResponseWriter, ctxID string, pl *idpLogin, hint, errText string) {
	s.renderPage(w, http.StatusOK, "signin", pageData{Title: "Sign in", Ctx: ctxID, Action: "/oidc/login", AppName: pl.client.Name,
		Users: s.world.Users, LoginHint: hint, Tenant: "OpenID provider " + s.OIDCIssuer(), Domain: s.world.TenantDomain,
		FormTarget: pl.redirectURI, Error: errText})
}

// handleOIDCLogin is the sign-in form's POST.
func (s *Sandbox) handleOIDCLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusBadRequest, "message", pageData{Title: "Sign-in error", Message: "The request could not be read."})
		return
	}
	ctxID := r.PostForm.Get("ctx")
	pl, ok := s.pendingIdPLogin(IdPOIDC, ctxID)
	if !ok {
		s.renderPage(w, http.StatusBadRequest, "message", pageData{Title: "Sign-in error",
			Message: "Your sign-in session has expired. Start again from the application."})
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.idp.mu.Lock()
		delete(s.idp.logins, ctxID)
		s.idp.mu.Unlock()
		idpRedirect(w, pl, url.Values{"error": {"access_denied"}, "error_description": {"The user cancelled the sign-in."},
			"iss": {s.OIDCIssuer()}})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	u, ok := s.world.User(username)
	if !ok || !strings.EqualFold(u.Username, username) {
		s.oidcSignInPage(w, ctxID, pl, username, "Wrong email or password.")
		return
	}
	code := randomID(32)
	now := s.Now()
	s.idp.mu.Lock()
	delete(s.idp.logins, ctxID)
	s.idp.codes[code] = &idpCode{idp: IdPOIDC, clientID: pl.client.ClientID, username: u.Username, redirectURI: pl.redirectURI,
		challenge: pl.challenge, nonce: pl.nonce, scopes: pl.scopes, audience: pl.audience, authTime: now,
		expires: now.Add(s.authCodeLifetime())}
	s.idp.mu.Unlock()
	// RFC 9207: the provider names itself in its answer.
	idpRedirect(w, pl, url.Values{"code": {code}, "iss": {s.OIDCIssuer()}})
}

// oidcAuthenticate identifies and authenticates the client of a token or
// device authorization request.
func (s *Sandbox) oidcAuthenticate(r *http.Request) (IdPClient, *oidcFail) {
	auth, _ := readClientAuth(r)
	if auth.basic {
		// The provider advertises client_secret_post, not _basic.
		return IdPClient{}, &oidcFail{status: http.StatusUnauthorized, code: "invalid_client",
			desc: "Client authentication with an Authorization header is not supported; send client_secret in the body (client_secret_post)."}
	}
	if auth.clientID == "" {
		return IdPClient{}, oidcErr("invalid_request", "Missing client_id.")
	}
	client, ok := s.idpClient(IdPOIDC, auth.clientID)
	if !ok {
		return IdPClient{}, oidcErr("invalid_client", "Unknown client %q.", auth.clientID)
	}
	switch {
	case client.Secret != "":
		if !secretMatches(client, auth.secret) {
			return IdPClient{}, oidcErr("invalid_client", "Client authentication failed: wrong or missing client_secret.")
		}
	case len(client.Certificates) > 0:
		if e := s.oidcCheckAssertion(client, auth); e != nil {
			return IdPClient{}, e
		}
	default:
		if auth.secret != "" || auth.assertion != "" {
			return IdPClient{}, oidcErr("invalid_client", "Client %q is public; it authenticates with nothing.", client.ClientID)
		}
	}
	return client, nil
}

// oidcCheckAssertion verifies a private_key_jwt client assertion (RFC
// 7523): signed by one of the client's certificates' keys, iss = sub =
// client ID, aud the token endpoint or the issuer, not expired.
func (s *Sandbox) oidcCheckAssertion(client IdPClient, auth idpClientAuth) *oidcFail {
	if auth.assertionType != assertionType || auth.assertion == "" {
		return oidcErr("invalid_client", "Client %q authenticates with private_key_jwt.", client.ClientID)
	}
	var claims jwt.MapClaims
	verified := false
	for _, c := range client.Certificates {
		pub, ok := c.Cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		claims = jwt.MapClaims{}
		_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithTimeFunc(s.Now), jwt.WithExpirationRequired()).
			ParseWithClaims(auth.assertion, claims, func(*jwt.Token) (any, error) { return pub, nil })
		if err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return oidcErr("invalid_client", "The client assertion's signature, or its exp, is not valid.")
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	if iss != client.ClientID || sub != client.ClientID {
		return oidcErr("invalid_client", "The client assertion's iss and sub must be the client ID.")
	}
	if !slices.Contains(aud, s.OIDCIssuer()+"/token") && !slices.Contains(aud, s.OIDCIssuer()) {
		return oidcErr("invalid_client", "The client assertion's aud must be the token endpoint or the issuer.")
	}
	return nil
}

// handleOIDCToken is POST /oidc/token.
func (s *Sandbox) handleOIDCToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oidcErr("invalid_request", "The request body could not be read.").write(w)
		return
	}
	grant := r.PostForm.Get("grant_type")
	if grant == "" {
		oidcErr("invalid_request", "Missing grant_type.").write(w)
		return
	}
	client, e := s.oidcAuthenticate(r)
	if e != nil {
		e.write(w)
		return
	}
	var resp map[string]any
	switch grant {
	case "authorization_code":
		resp, e = s.oidcAuthCode(client, r.PostForm)
	case "refresh_token":
		resp, e = s.oidcRefresh(client, r.PostForm.Get("refresh_token"))
	case "client_credentials":
		resp, e = s.oidcClientCredentials(client, r.PostForm)
	case grantDeviceURN:
		resp, e = s.oidcDeviceGrant(client, r.PostForm.Get("device_code"))
	default:
		e = oidcErr("unsupported_grant_type", "The grant type %q is not supported.", grant)
	}
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Sandbox) oidcAuthCode(client IdPClient, f url.Values) (map[string]any, *oidcFail) {
	if f.Get("code") == "" || f.Get("redirect_uri") == "" {
		return nil, oidcErr("invalid_request", "code and redirect_uri are required.")
	}
	c, code := s.takeIdPCode(IdPOIDC, f.Get("code"), client.ClientID)
	if code != "" {
		return nil, oidcErr("invalid_grant", "The authorization code is invalid, expired, already used or another client's.")
	}
	if c.redirectURI != f.Get("redirect_uri") {
		return nil, oidcErr("invalid_grant", "The redirect_uri differs from the authorization request's.")
	}
	if !pkceS256(f.Get("code_verifier"), c.challenge) {
		return nil, oidcErr("invalid_grant", "The code_verifier does not match the code_challenge.")
	}
	u, ok := s.world.User(c.username)
	if !ok {
		return nil, oidcErr("invalid_grant", "The user no longer exists.")
	}
	return s.oidcTokens(idpSession{client: client, user: &u, scopes: c.scopes, audience: c.audience, nonce: c.nonce, authTime: c.authTime})
}

func (s *Sandbox) oidcRefresh(client IdPClient, token string) (map[string]any, *oidcFail) {
	if token == "" {
		return nil, oidcErr("invalid_request", "Missing refresh_token.")
	}
	rt, ok := s.liveIdPRefresh(IdPOIDC, token, client.ClientID)
	if !ok {
		return nil, oidcErr("invalid_grant", "The refresh token is invalid, expired, revoked or another client's.")
	}
	// Rotation: the used refresh token stops working.
	s.idp.mu.Lock()
	rt.revoked = true
	s.idp.mu.Unlock()
	u, ok := s.world.User(rt.username)
	if !ok {
		return nil, oidcErr("invalid_grant", "The user no longer exists.")
	}
	return s.oidcTokens(idpSession{client: client, user: &u, scopes: rt.scopes, audience: rt.audience, authTime: rt.authTime})
}

func (s *Sandbox) oidcClientCredentials(client IdPClient, f url.Values) (map[string]any, *oidcFail) {
	if !client.confidential() {
		return nil, oidcErr("unauthorized_client", "The client credentials grant needs a confidential client.")
	}
	if f.Get("scope") != "" {
		if _, e := oidcScopeList(f.Get("scope")); e != nil {
			return nil, e
		}
	}
	if e := oidcAudience(f.Get("audience")); e != nil {
		return nil, e
	}
	return s.oidcTokens(idpSession{client: client, audience: f.Get("audience"), authTime: s.Now()})
}

// oidcTokens mints the provider's token answer.
func (s *Sandbox) oidcTokens(ss idpSession) (map[string]any, *oidcFail) {
	k, err := s.idp.keys()
	if err != nil {
		return nil, &oidcFail{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	now := s.Now()
	life := s.accessTokenLifetime()
	aud := ss.audience
	if aud == "" {
		aud = ss.client.ClientID
	}
	at := jwt.MapClaims{
		"iss":       s.OIDCIssuer(),
		"aud":       aud,
		"azp":       ss.client.ClientID,
		"client_id": ss.client.ClientID,
		"iat":       now.Unix(),
		"exp":       now.Add(life).Unix(),
		"jti":       newGUID(),
	}
	groups := ss.client.Groups
	if ss.user == nil {
		at["sub"] = ss.client.ClientID
	} else {
		groups = ss.user.PoolGroups
		at["sub"] = ss.user.ObjectID
		at["auth_time"] = ss.authTime.Unix()
		at["scope"] = strings.Join(ss.scopes, " ")
		at["preferred_username"] = ss.user.Username
	}
	if len(groups) > 0 {
		at[OIDCGroupsClaim] = groups
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, at)
	t.Header = map[string]any{"alg": "RS256", "kid": k.oidc.kid, "typ": "at+jwt"} // RFC 9068
	access, err := t.SignedString(k.oidc.key)
	if err != nil {
		return nil, &oidcFail{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(life / time.Second)}
	if ss.user == nil {
		return resp, nil
	}
	resp["scope"] = strings.Join(ss.scopes, " ")
	if slices.Contains(ss.scopes, "openid") {
		idc := jwt.MapClaims{
			"iss": s.OIDCIssuer(), "sub": ss.user.ObjectID, "aud": ss.client.ClientID, "azp": ss.client.ClientID,
			"iat": now.Unix(), "exp": now.Add(life).Unix(), "auth_time": ss.authTime.Unix(), "at_hash": atHash(access),
			"name": ss.user.Name, "email": ss.user.Username, "preferred_username": ss.user.Username,
		}
		if len(ss.user.PoolGroups) > 0 {
			idc[OIDCGroupsClaim] = ss.user.PoolGroups
		}
		if ss.nonce != "" {
			idc["nonce"] = ss.nonce
		}
		if resp["id_token"], err = signWith(k.oidc, idc); err != nil {
			return nil, &oidcFail{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
		}
	}
	if slices.Contains(ss.scopes, "offline_access") {
		resp["refresh_token"] = s.newIdPRefresh(IdPOIDC, ss)
	}
	return resp, nil
}

// handleOIDCUserInfo is GET /oidc/userinfo with the provider's access
// token.
func (s *Sandbox) handleOIDCUserInfo(w http.ResponseWriter, r *http.Request) {
	claims, err := s.verifyIdPToken(r.Header.Get("Authorization"), IdPOIDC)
	name, _ := claims["preferred_username"].(string)
	u, ok := s.world.User(name)
	if err != nil || !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oidcError(w, http.StatusUnauthorized, "invalid_token", "The access token is not valid.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": u.ObjectID, "name": u.Name, "email": u.Username,
		"preferred_username": u.Username, OIDCGroupsClaim: u.PoolGroups})
}

package sandbox

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The Amazon Cognito user pool: discovery, JWKS, hosted UI sign-in,
// token endpoint and userInfo, after AWS's "User pool endpoints reference"
// (authorize, login, token, userInfo, logout, revoke) and "Understanding
// the access token" / "the ID token" for the claims. Its token endpoint
// answers errors as Cognito does: HTTP 400 with only {"error": "..."}.

// cognitoOIDCScopes are the OpenID scopes the pool's app clients allow.
var cognitoOIDCScopes = []string{"openid", "email", "profile"}

// cognitoCustomScopes are the resource server's scopes (custom scopes).
func cognitoCustomScopes() []string {
	return []string{CognitoResourceServer + "/IDENTITY", CognitoResourceServer + "/user_impersonation"}
}

// cognitoAllowedScopes are the scopes a client may ask for: custom scopes
// always; OpenID scopes only for clients that sign users in.
func cognitoAllowedScopes(c IdPClient) []string {
	if len(c.CallbackURLs) == 0 {
		return cognitoCustomScopes()
	}
	return append(slices.Clone(cognitoOIDCScopes), cognitoCustomScopes()...)
}

// cognitoScopes checks a scope parameter; empty means every scope of the
// client (AWS: "If the client doesn't request any scopes, the
// authentication server uses all custom scopes associated with the
// client" for client credentials; all allowed scopes for authorize).
func cognitoScopes(c IdPClient, raw string, machine bool) ([]string, bool) {
	allowed := cognitoAllowedScopes(c)
	fields := strings.Fields(raw)
	if len(fields) == 0 {
		if machine {
			return cognitoCustomScopes(), true
		}
		return allowed, true
	}
	var out []string
	for _, f := range fields {
		if !slices.Contains(allowed, f) {
			return nil, false
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, true
}

// handleCognitoDiscovery is GET /<pool-id>/.well-known/openid-configuration.
func (s *Sandbox) handleCognitoDiscovery(w http.ResponseWriter, r *http.Request) {
	if !s.cognitoPoolOK(w, r) {
		return
	}
	d := s.CognitoDomainURL()
	writeJSON(w, http.StatusOK, map[string]any{
		"authorization_endpoint":                d + "/oauth2/authorize",
		"end_session_endpoint":                  d + "/logout",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"issuer":                                s.CognitoIssuer(),
		"jwks_uri":                              s.CognitoIssuer() + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "token"},
		"revocation_endpoint":                   d + "/oauth2/revoke",
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"token_endpoint":                        d + "/oauth2/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"userinfo_endpoint":                     d + "/oauth2/userInfo",
	})
}

// handleCognitoKeys is GET /<pool-id>/.well-known/jwks.json.
func (s *Sandbox) handleCognitoKeys(w http.ResponseWriter, r *http.Request) {
	if !s.cognitoPoolOK(w, r) {
		return
	}
	k, err := s.idp.keys()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "An error occurred"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{idpJWK(k.cognitoID), idpJWK(k.cognitoAccess)}})
}

// cognitoPoolOK answers a path with another pool ID as the Cognito API
// does for a pool that does not exist.
func (s *Sandbox) cognitoPoolOK(w http.ResponseWriter, r *http.Request) bool {
	if pool := r.PathValue("pool"); pool != CognitoPoolID {
		writeJSON(w, http.StatusNotFound, map[string]any{"code": "ResourceNotFoundException", "message": "User pool " + pool + " does not exist."})
		return false
	}
	return true
}

// cognitoError writes the token endpoint's error: HTTP 400 and only the
// code, as Cognito answers.
func cognitoError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

// handleCognitoAuthorize is GET /oauth2/authorize on the hosted UI domain.
// Errors before the redirect URI is trusted go to the hosted UI's error
// page; later ones to the redirect URI. A good request is sent on to the
// sign-in page (/login), as the hosted UI does.
func (s *Sandbox) handleCognitoAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, ok := s.idpClient(IdPCognito, q.Get("client_id"))
	if !ok {
		cognitoErrorRedirect(w, r, "Invalid client id", "")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" || !client.callbackMatches(redirectURI) {
		cognitoErrorRedirect(w, r, "redirect_mismatch", client.ClientID)
		return
	}
	pl := &idpLogin{idp: IdPCognito, client: client, redirectURI: redirectURI, state: q.Get("state"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge")}
	if rt := q.Get("response_type"); rt != "code" {
		code := "unsupported_response_type"
		if rt == "token" {
			code = "unauthorized_client" // the implicit grant is not enabled for the app client
		}
		idpRedirect(w, pl, url.Values{"error": {code}})
		return
	}
	method := q.Get("code_challenge_method")
	switch {
	case pl.challenge == "" && method != "":
		idpRedirect(w, pl, url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge is required when code_challenge_method is present"}})
		return
	case pl.challenge != "" && method != "S256":
		// Cognito supports S256 only.
		idpRedirect(w, pl, url.Values{"error": {"invalid_request"}, "error_description": {"Invalid code_challenge_method"}})
		return
	case pl.challenge == "" && !client.confidential():
		// The sandbox's public app client requires PKCE.
		idpRedirect(w, pl, url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge is required for this app client"}})
		return
	}
	scopes, ok := cognitoScopes(client, q.Get("scope"), false)
	if !ok {
		idpRedirect(w, pl, url.Values{"error": {"invalid_scope"}})
		return
	}
	pl.scopes = scopes
	ctxID := s.keepIdPLogin(pl)
	http.Redirect(w, r, "/login?"+url.Values{"ctx": {ctxID}, "client_id": {client.ClientID}, "redirect_uri": {redirectURI},
		"response_type": {"code"}}.Encode(), http.StatusFound)
}

// cognitoErrorRedirect sends the browser to the hosted UI's error page.
func cognitoErrorRedirect(w http.ResponseWriter, r *http.Request, code, clientID string) {
	v := url.Values{"error": {code}}
	if clientID != "" {
		v.Set("client_id", clientID)
	}
	http.Redirect(w, r, "/error?"+v.Encode(), http.StatusFound)
}

// handleCognitoErrorPage is the hosted UI's error page.
func (s *Sandbox) handleCognitoErrorPage(w http.ResponseWriter, r *http.Request) {
	msg := r.URL.Query().Get("error")
	if msg == "" {
		msg = "An error was encountered with the requested page."
	}
	s.renderPage(w, http.StatusBadRequest, "message", pageData{Title: "An error was encountered with the requested page.",
		Message: msg + " (Amazon Cognito user pool " + CognitoPoolID + ", sandbox; request ID " + newGUID() + ")"})
}

// idpRedirect sends an answer to the redirect URI (query response mode).
func idpRedirect(w http.ResponseWriter, pl *idpLogin, v url.Values) {
	if pl.state != "" {
		v.Set("state", pl.state)
	}
	sep := "?"
	if strings.Contains(pl.redirectURI, "?") {
		sep = "&"
	}
	w.Header().Set("Location", pl.redirectURI+sep+v.Encode())
	w.WriteHeader(http.StatusFound)
}

// pendingIdPLogin returns the live sign-in ctxID of idp.
func (s *Sandbox) pendingIdPLogin(idp, ctxID string) (*idpLogin, bool) {
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	pl, ok := s.idp.logins[ctxID]
	if !ok || pl.idp != idp || now.After(pl.expires) {
		return nil, false
	}
	return pl, true
}

// handleCognitoLoginPage is GET /login: the hosted UI's sign-in page for
// a pending authorize request. Without one, it starts one (the hosted UI
// takes the authorize parameters on /login too).
func (s *Sandbox) handleCognitoLoginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pl, ok := s.pendingIdPLogin(IdPCognito, q.Get("ctx"))
	if !ok {
		if q.Get("client_id") != "" && q.Get("ctx") == "" {
			http.Redirect(w, r, "/oauth2/authorize?"+r.URL.RawQuery, http.StatusFound)
			return
		}
		cognitoErrorRedirect(w, r, "Your sign-in session has expired. Start again from the application.", "")
		return
	}
	s.cognitoSignInPage(w, q.Get("ctx"), pl, "", "")
}

func (s *Sandbox) cognitoSignInPage(w http.ResponseWriter, ctxID string, pl *idpLogin, hint, errText string) {
	s.renderPage(w, http.StatusOK, "signin", pageData{Title: "Sign in", Ctx: ctxID, Action: "/login", AppName: pl.client.Name,
		Users: s.world.Users, LoginHint: hint, Tenant: "Amazon Cognito user pool " + CognitoPoolID, Domain: s.world.TenantDomain,
		FormTarget: pl.redirectURI, Error: errText})
}

// handleCognitoLogin is the sign-in form's POST.
func (s *Sandbox) handleCognitoLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		cognitoErrorRedirect(w, r, "The request could not be read.", "")
		return
	}
	ctxID := r.PostForm.Get("ctx")
	pl, ok := s.pendingIdPLogin(IdPCognito, ctxID)
	if !ok {
		cognitoErrorRedirect(w, r, "Your sign-in session has expired. Start again from the application.", "")
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.idp.mu.Lock()
		delete(s.idp.logins, ctxID)
		s.idp.mu.Unlock()
		idpRedirect(w, pl, url.Values{"error": {"access_denied"}, "error_description": {"The user cancelled the sign-in."}})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	u, ok := s.world.User(username)
	if !ok || !strings.EqualFold(u.Username, username) {
		s.cognitoSignInPage(w, ctxID, pl, username, "Incorrect username or password.")
		return
	}
	s.issueIdPCode(w, ctxID, pl, u)
}

// issueIdPCode ends the sign-in ctxID with an authorization code for u.
func (s *Sandbox) issueIdPCode(w http.ResponseWriter, ctxID string, pl *idpLogin, u User) {
	code := newGUID()
	now := s.Now()
	s.idp.mu.Lock()
	delete(s.idp.logins, ctxID)
	s.idp.codes[code] = &idpCode{idp: pl.idp, clientID: pl.client.ClientID, username: u.Username, redirectURI: pl.redirectURI,
		challenge: pl.challenge, nonce: pl.nonce, scopes: pl.scopes, audience: pl.audience, authTime: now,
		expires: now.Add(s.authCodeLifetime())}
	s.idp.mu.Unlock()
	idpRedirect(w, pl, url.Values{"code": {code}})
}

func (s *Sandbox) authCodeLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.AuthCodeLifetime
}

// handleCognitoToken is POST /oauth2/token.
func (s *Sandbox) handleCognitoToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		cognitoError(w, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		cognitoError(w, "invalid_request")
		return
	}
	f := r.PostForm
	auth, mismatch := readClientAuth(r)
	if mismatch {
		cognitoError(w, "invalid_client")
		return
	}
	if auth.clientID == "" {
		cognitoError(w, "invalid_request")
		return
	}
	client, ok := s.idpClient(IdPCognito, auth.clientID)
	if !ok {
		cognitoError(w, "invalid_client")
		return
	}
	if client.Secret != "" && !secretMatches(client, auth.secret) || client.Secret == "" && auth.secret != "" {
		cognitoError(w, "invalid_client")
		return
	}
	var (
		resp map[string]any
		code string
	)
	switch f.Get("grant_type") {
	case "":
		code = "invalid_request"
	case "client_credentials":
		resp, code = s.cognitoClientCredentials(client, f.Get("scope"))
	case "authorization_code":
		resp, code = s.cognitoAuthCode(client, f)
	case "refresh_token":
		resp, code = s.cognitoRefresh(client, f.Get("refresh_token"))
	default:
		code = "unsupported_grant_type"
	}
	if code != "" {
		cognitoError(w, code)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Sandbox) cognitoClientCredentials(client IdPClient, scope string) (map[string]any, string) {
	if client.Secret == "" {
		return nil, "unauthorized_client" // client credentials need a client with a secret
	}
	scopes, ok := cognitoScopes(client, scope, true)
	if !ok {
		return nil, "invalid_scope"
	}
	return s.cognitoTokens(idpSession{client: client, scopes: scopes, authTime: s.Now()}, false)
}

func (s *Sandbox) cognitoAuthCode(client IdPClient, f url.Values) (map[string]any, string) {
	if len(client.CallbackURLs) == 0 {
		return nil, "unauthorized_client" // the code grant is not enabled for this client
	}
	codeValue, redirectURI := f.Get("code"), f.Get("redirect_uri")
	if codeValue == "" || redirectURI == "" {
		return nil, "invalid_request"
	}
	c, e := s.takeIdPCode(IdPCognito, codeValue, client.ClientID)
	if e != "" {
		return nil, e
	}
	if c.redirectURI != redirectURI {
		// What Cognito answers for a redirect_uri that differs from the
		// authorize request's (even by a trailing slash).
		return nil, "unauthorized_client"
	}
	if c.challenge != "" && !pkceS256(f.Get("code_verifier"), c.challenge) {
		return nil, "invalid_grant"
	}
	u, ok := s.world.User(c.username)
	if !ok {
		return nil, "invalid_grant"
	}
	return s.cognitoTokens(idpSession{client: client, user: &u, scopes: c.scopes, nonce: c.nonce, authTime: c.authTime, originJTI: newGUID()}, true)
}

func (s *Sandbox) cognitoRefresh(client IdPClient, token string) (map[string]any, string) {
	if token == "" {
		return nil, "invalid_request"
	}
	rt, ok := s.liveIdPRefresh(IdPCognito, token, client.ClientID)
	if !ok {
		return nil, "invalid_grant"
	}
	u, ok := s.world.User(rt.username)
	if !ok {
		return nil, "invalid_grant"
	}
	// Cognito answers a refresh with new ID and access tokens and no new
	// refresh token (no rotation by default).
	return s.cognitoTokens(idpSession{client: client, user: &u, scopes: rt.scopes, authTime: rt.authTime, originJTI: rt.originJTI}, false)
}

// liveIdPRefresh finds a refresh token of idp issued to clientID that is
// neither revoked nor expired.
func (s *Sandbox) liveIdPRefresh(idp, token, clientID string) (*idpRefresh, bool) {
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	rt, ok := s.idp.refresh[token]
	if !ok || rt.idp != idp || rt.clientID != clientID || rt.revoked || now.After(rt.expires) {
		return nil, false
	}
	return rt, true
}

// cognitoTokens mints the token endpoint's answer: an access token, and
// for a user an ID token (openid scope) and, on the code grant, a refresh
// token.
func (s *Sandbox) cognitoTokens(ss idpSession, withRefresh bool) (map[string]any, string) {
	k, err := s.idp.keys()
	if err != nil {
		return nil, "server_error"
	}
	now := s.Now()
	life := s.accessTokenLifetime()
	at := jwt.MapClaims{
		"iss":       s.CognitoIssuer(),
		"version":   2,
		"client_id": ss.client.ClientID,
		"token_use": "access",
		"scope":     strings.Join(ss.scopes, " "),
		"auth_time": ss.authTime.Unix(),
		"exp":       now.Add(life).Unix(),
		"iat":       now.Unix(),
		"jti":       newGUID(),
	}
	// Users' tokens carry their pool groups. A machine client's token
	// carries none, as Cognito's client credentials tokens do without a
	// pre token generation trigger: CDF links the client by its client ID
	// (Cognite's "Add a service account" guide for Amazon Cognito).
	if ss.user == nil {
		at["sub"] = ss.client.ClientID
	} else {
		at["sub"] = ss.user.ObjectID
		at["username"] = ss.user.Username
		at["origin_jti"] = ss.originJTI
		at["event_id"] = newGUID()
		if len(ss.user.PoolGroups) > 0 {
			at["cognito:groups"] = ss.user.PoolGroups
		}
	}
	access, err := signWith(k.cognitoAccess, at)
	if err != nil {
		return nil, "server_error"
	}
	resp := map[string]any{"access_token": access, "expires_in": int(life / time.Second), "token_type": "Bearer"}
	if ss.user == nil {
		return resp, ""
	}
	if slices.Contains(ss.scopes, "openid") {
		idc := jwt.MapClaims{
			"at_hash":          atHash(access),
			"sub":              ss.user.ObjectID,
			"email_verified":   true,
			"iss":              s.CognitoIssuer(),
			"cognito:username": ss.user.Username,
			"origin_jti":       ss.originJTI,
			"aud":              ss.client.ClientID,
			"event_id":         at["event_id"],
			"token_use":        "id",
			"auth_time":        ss.authTime.Unix(),
			"name":             ss.user.Name,
			"exp":              now.Add(life).Unix(),
			"iat":              now.Unix(),
			"jti":              newGUID(),
			"email":            ss.user.Username,
		}
		if len(ss.user.PoolGroups) > 0 {
			idc["cognito:groups"] = ss.user.PoolGroups
		}
		if ss.nonce != "" {
			idc["nonce"] = ss.nonce
		}
		if resp["id_token"], err = signWith(k.cognitoID, idc); err != nil {
			return nil, "server_error"
		}
	}
	if withRefresh {
		resp["refresh_token"] = s.newIdPRefresh(IdPCognito, ss)
	}
	return resp, ""
}

// handleCognitoUserInfo is GET/POST /oauth2/userInfo with a Cognito
// access token.
func (s *Sandbox) handleCognitoUserInfo(w http.ResponseWriter, r *http.Request) {
	claims, err := s.verifyIdPToken(r.Header.Get("Authorization"), IdPCognito)
	if err != nil || claims["username"] == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="Access token is not valid"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Access token is not valid"})
		return
	}
	u, ok := s.world.User(claims["username"].(string))
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "User does not exist."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": u.ObjectID, "email_verified": "true", "email": u.Username,
		"name": u.Name, "username": u.Username})
}

// handleCognitoRevoke is POST /oauth2/revoke: the refresh token stops
// working (RFC 7009; an unknown token is not an error).
func (s *Sandbox) handleCognitoRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		cognitoError(w, "invalid_request")
		return
	}
	auth, mismatch := readClientAuth(r)
	client, ok := s.idpClient(IdPCognito, auth.clientID)
	if mismatch || !ok || client.Secret != "" && !secretMatches(client, auth.secret) {
		cognitoError(w, "invalid_client")
		return
	}
	s.idp.mu.Lock()
	if rt, ok := s.idp.refresh[r.PostForm.Get("token")]; ok && rt.idp == IdPCognito && rt.clientID == client.ClientID {
		rt.revoked = true
	}
	s.idp.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// handleCognitoLogout is GET /logout: back to logout_uri when it is one
// of the client's URLs.
func (s *Sandbox) handleCognitoLogout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, ok := s.idpClient(IdPCognito, q.Get("client_id"))
	if !ok || !client.callbackMatches(q.Get("logout_uri")) {
		cognitoErrorRedirect(w, r, "Invalid request: logout_uri is not registered for the client", "")
		return
	}
	http.Redirect(w, r, q.Get("logout_uri"), http.StatusFound)
}

// errNotIdPToken means a bearer token is not the provider's.
var errNotIdPToken = errors.New("sandbox: not a token of this identity provider")

// verifyIdPToken checks a bearer access token of idp: signature by the
// provider's access token key, RS256, issuer, expiry; an access token,
// not an ID token (Cognito: token_use=access; OIDC: typ at+jwt).
func (s *Sandbox) verifyIdPToken(header, idp string) (jwt.MapClaims, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return nil, errNotIdPToken
	}
	k, err := s.idp.keys()
	if err != nil {
		return nil, err
	}
	key, issuer := k.cognitoAccess, s.CognitoIssuer()
	if idp == IdPOIDC {
		key, issuer = k.oidc, s.OIDCIssuer()
	}
	claims := jwt.MapClaims{}
	typ := ""
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.Now), jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer)).ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != key.kid {
			return nil, errNotIdPToken
		}
		typ, _ = t.Header["typ"].(string)
		return &key.key.PublicKey, nil
	})
	if err != nil {
		return nil, err
	}
	if idp == IdPCognito && claims["token_use"] != "access" {
		return nil, errNotIdPToken
	}
	if idp == IdPOIDC && typ != "at+jwt" { // RFC 9068: an ID token is not an access token
		return nil, errNotIdPToken
	}
	return claims, nil
}

package sandbox

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	assertionType   = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	grantDeviceURN  = "urn:ietf:params:oauth:grant-type:device_code"
	grantDeviceMSAL = "device_code"
)

// handleToken is POST /{tenant}/oauth2/v2.0/token.
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.tenantOK(tenant) {
		s.writeEntraError(w, r, errTenantNotFound(tenant))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeEntraError(w, r, errMissingParam("grant_type"))
		return
	}
	f := r.PostForm
	grant := f.Get("grant_type")
	if grant == "" {
		s.writeEntraError(w, r, errMissingParam("grant_type"))
		return
	}
	clientID := f.Get("client_id")
	basicID, basicSecret, hasBasic := basicAuth(r)
	if clientID == "" && hasBasic {
		clientID = basicID
	}
	if clientID == "" {
		s.writeEntraError(w, r, errMissingParam("client_id"))
		return
	}
	app, ok := s.world.App(clientID)
	if !ok || app.ClientID != clientID {
		s.writeEntraError(w, r, errUnknownApp(clientID, s.world.TenantID))
		return
	}
	secret := f.Get("client_secret")
	if secret == "" && hasBasic {
		secret = basicSecret
	}
	cred := clientCredential{secret: secret, assertion: f.Get("client_assertion"), assertionType: f.Get("client_assertion_type")}

	var (
		resp map[string]any
		e    *entraError
	)
	switch grant {
	case "client_credentials":
		resp, e = s.grantClientCredentials(r, tenant, app, cred, f.Get("scope"))
	case "authorization_code":
		resp, e = s.grantAuthCode(r, tenant, app, cred)
	case "refresh_token":
		resp, e = s.grantRefresh(r, tenant, app, cred)
	case grantDeviceMSAL, grantDeviceURN:
		resp, e = s.grantDevice(r, tenant, app, cred)
	default:
		e = errUnsupportedGrant(grant)
	}
	if e != nil {
		s.writeEntraError(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// basicAuth reads client_secret_basic credentials. RFC 6749 §2.3.1 has
// the client form-urlencode its ID and secret before base64, so they are
// decoded here (a client that sent them raw still works unless they hold
// a "%" or "+").
func basicAuth(r *http.Request) (id, secret string, ok bool) {
	id, secret, ok = r.BasicAuth()
	if !ok {
		return "", "", false
	}
	if v, err := url.QueryUnescape(id); err == nil {
		id = v
	}
	if v, err := url.QueryUnescape(secret); err == nil {
		secret = v
	}
	return id, secret, true
}

type clientCredential struct {
	secret, assertion, assertionType string
}

func (c clientCredential) present() bool { return c.secret != "" || c.assertion != "" }

// authenticate checks a client credential and returns the acr value ("1"
// secret, "2" certificate).
func (s *Sandbox) authenticate(tenant string, app App, c clientCredential) (string, *entraError) {
	if !app.Confidential() {
		return "", errPublicClientCredential()
	}
	if c.secret != "" {
		for _, sec := range app.Secrets {
			if subtle.ConstantTimeCompare([]byte(sec), []byte(c.secret)) == 1 {
				return "1", nil
			}
		}
		return "", errWrongSecret(app.ClientID)
	}
	if c.assertionType != assertionType {
		return "", errMalformedAssertion()
	}
	return s.checkAssertion(tenant, app, c.assertion)
}

// checkAssertion verifies a client assertion JWT against the app's
// registered certificates (x5t#S256 or x5t; RS256 or PS256).
func (s *Sandbox) checkAssertion(tenant string, app App, assertion string) (string, *entraError) {
	parser := jwt.NewParser(jwt.WithoutClaimsValidation())
	unverified, _, err := parser.ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil {
		return "", errMalformedAssertion()
	}
	x5tS256, _ := unverified.Header["x5t#S256"].(string)
	x5t, _ := unverified.Header["x5t"].(string)
	if x5t == "" && x5tS256 == "" {
		return "", errUnknownCert(app.ClientID, "")
	}
	i := slices.IndexFunc(app.Certificates, func(c Certificate) bool { return c.matches(x5t, x5tS256) })
	if i < 0 {
		thumb := x5tS256
		if thumb == "" {
			thumb = x5t
		}
		if raw, ok := decodeThumbprint(thumb); ok {
			thumb = strings.ToUpper(hex.EncodeToString(raw))
		}
		return "", errUnknownCert(app.ClientID, thumb)
	}
	pub, ok := app.Certificates[i].Cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return "", errBadAssertionSignature(app.ClientID)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return pub, nil })
	if err != nil {
		return "", errBadAssertionSignature(app.ClientID)
	}
	aud, _ := claims.GetAudience()
	okAud := false
	for _, a := range aud {
		for _, t := range []string{tenant, s.world.TenantID, s.world.TenantDomain} {
			if strings.EqualFold(a, s.tokenEndpoint(t)) || strings.EqualFold(a, s.entraURL+"/"+t+"/v2.0") {
				okAud = true
			}
		}
	}
	if !okAud {
		return "", errAssertionAudience()
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	if iss != app.ClientID || sub != app.ClientID {
		return "", errAssertionSubject()
	}
	now := s.Now()
	exp, _ := claims.GetExpirationTime()
	nbf, _ := claims.GetNotBefore()
	if exp == nil || now.After(exp.Add(5*time.Minute)) || (nbf != nil && now.Add(5*time.Minute).Before(nbf.Time)) {
		return "", errAssertionTime()
	}
	return "2", nil
}

func (s *Sandbox) grantClientCredentials(r *http.Request, tenant string, app App, cred clientCredential, scope string) (map[string]any, *entraError) {
	if !cred.present() {
		return nil, errPublicClientFlows()
	}
	acr, e := s.authenticate(tenant, app, cred)
	if e != nil {
		return nil, e
	}
	if scope == "" {
		return nil, errMissingParam("scope")
	}
	// MSAL adds openid, profile and offline_access even here; Entra
	// ignores them. What remains must be exactly one <resource>/.default.
	var resource []string
	for _, f := range strings.Fields(scope) {
		if !oidcScope(f) {
			resource = append(resource, f)
		}
	}
	if len(resource) != 1 || !strings.HasSuffix(resource[0], "/.default") {
		return nil, errClientCredentialsScope(scope)
	}
	sr, e := s.parseScope(resource[0])
	if e != nil {
		return nil, e
	}
	resp, err := s.tokenResponse(principal{app: app, acr: acr}, sr, "", false, false)
	if err != nil {
		return nil, eErr("server_error", 50000, "There was an error issuing a token: %v", err)
	}
	return resp, nil
}

// clientForUserGrant authenticates the client of a user grant: public
// clients send nothing; a code or token issued for a Web redirect URI
// needs a credential (else 7000218).
func (s *Sandbox) clientForUserGrant(tenant string, app App, cred clientCredential, web bool) (string, *entraError) {
	if cred.present() {
		return s.authenticate(tenant, app, cred)
	}
	if web {
		return "", errPublicClientFlows()
	}
	return "0", nil
}

func (s *Sandbox) grantAuthCode(r *http.Request, tenant string, app App, cred clientCredential) (map[string]any, *entraError) {
	f := r.PostForm
	code := f.Get("code")
	if code == "" {
		return nil, errMissingParam("code")
	}
	s.mu.Lock()
	ac, ok := s.codes[code]
	var used bool
	if ok {
		used = ac.redeemed
		ac.redeemed = true
	}
	now := s.nowLocked()
	s.mu.Unlock()
	if !ok {
		return nil, errMalformed()
	}
	if ac.clientID != app.ClientID {
		return nil, errCodeOtherClient()
	}
	acr, e := s.clientForUserGrant(tenant, app, cred, ac.web)
	if e != nil {
		return nil, e
	}
	if used {
		return nil, errCodeRedeemed()
	}
	if now.After(ac.expires) {
		return nil, errCodeExpired()
	}
	if f.Get("redirect_uri") != ac.redirectURI {
		return nil, errRedirectMismatchOnRedeem()
	}
	if ac.challenge != "" {
		v := f.Get("code_verifier")
		if v == "" {
			return nil, errMissingParam("code_verifier")
		}
		want := v
		if ac.method == "S256" {
			sum := sha256.Sum256([]byte(v))
			want = b64(sum[:])
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(ac.challenge)) != 1 {
			return nil, errPKCE()
		}
	}
	if !s.consented(app, ac.userOID) && ac.scope.resource != "" {
		return nil, errNoConsent(app.ClientID, app.Name, ac.scope.resource)
	}
	u, ok := s.world.User(ac.userOID)
	if !ok {
		return nil, errMalformed()
	}
	sr := ac.scope
	if sc := f.Get("scope"); sc != "" {
		if parsed, e := s.parseScope(sc); e == nil {
			sr = parsed
		}
	}
	resp, err := s.tokenResponse(principal{app: app, user: &u, acr: acr}, sr, ac.nonce, f.Get("client_info") == "1", ac.web)
	if err != nil {
		return nil, eErr("server_error", 50000, "There was an error issuing a token: %v", err)
	}
	return resp, nil
}

func (s *Sandbox) grantRefresh(r *http.Request, tenant string, app App, cred clientCredential) (map[string]any, *entraError) {
	f := r.PostForm
	token := f.Get("refresh_token")
	if token == "" {
		return nil, errMissingParam("refresh_token")
	}
	s.mu.Lock()
	rt, ok := s.refresh[token]
	var snapshot refreshToken
	if ok {
		snapshot = *rt
	}
	now := s.nowLocked()
	s.mu.Unlock()
	if !ok {
		return nil, errMalformed()
	}
	if snapshot.clientID != app.ClientID {
		return nil, errCodeOtherClient()
	}
	acr, e := s.clientForUserGrant(tenant, app, cred, snapshot.web)
	if e != nil {
		return nil, e
	}
	if snapshot.revoked || now.Sub(snapshot.issued) > s.opts.RefreshTokenLifetime {
		inactive := now.Sub(snapshot.issued)
		if inactive < s.opts.RefreshTokenLifetime {
			inactive = s.opts.RefreshTokenLifetime
		}
		return nil, errRefreshExpired(snapshot.issued, inactive)
	}
	// Without a scope Entra renews the scopes the token was issued for.
	sr := snapshot.scope
	if scope := f.Get("scope"); scope != "" {
		if sr, e = s.parseScope(scope); e != nil {
			return nil, e
		}
	}
	if !s.consented(app, snapshot.userOID) && sr.resource != "" {
		return nil, errNoConsent(app.ClientID, app.Name, sr.resource)
	}
	u, ok := s.world.User(snapshot.userOID)
	if !ok {
		return nil, errMalformed()
	}
	// Entra issues a new refresh token on every redemption (rotation).
	sr.offline = true
	resp, err := s.tokenResponse(principal{app: app, user: &u, acr: acr}, sr, "", f.Get("client_info") == "1", snapshot.web)
	if err != nil {
		return nil, eErr("server_error", 50000, "There was an error issuing a token: %v", err)
	}
	return resp, nil
}

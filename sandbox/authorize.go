package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pendingLogin is an authorize request waiting for the sign-in page.
type pendingLogin struct {
	app          App
	redirectURI  string
	web          bool
	state        string
	nonce        string
	challenge    string
	method       string
	responseMode string
	prompt       string
	scope        scopeRequest
	expires      time.Time
	// userOID is set once the user signed in and the consent page is shown.
	userOID string
}

// authCode is an issued authorization code.
type authCode struct {
	clientID    string
	userOID     string
	redirectURI string
	web         bool
	challenge   string
	method      string
	nonce       string
	scope       scopeRequest
	expires     time.Time
	redeemed    bool
}

// matchRedirect finds redirectURI among the app's registered URIs, the way
// Entra does: exact, except that for http://localhost and
// http://127.0.0.1 the port is ignored. web reports the platform.
func matchRedirect(app App, redirectURI string) (ok, web bool) {
	for _, reg := range app.PublicRedirectURIs {
		if redirectMatches(reg, redirectURI) {
			return true, false
		}
	}
	for _, reg := range app.WebRedirectURIs {
		if redirectMatches(reg, redirectURI) {
			return true, true
		}
	}
	return false, false
}

func redirectMatches(registered, sent string) bool {
	if registered == sent {
		return true
	}
	ru, err1 := url.Parse(registered)
	su, err2 := url.Parse(sent)
	if err1 != nil || err2 != nil || su.RawQuery != "" || su.Fragment != "" {
		return false
	}
	host := strings.ToLower(su.Hostname())
	if su.Scheme != "http" || ru.Scheme != "http" || (host != "localhost" && host != "127.0.0.1") ||
		!strings.EqualFold(ru.Hostname(), su.Hostname()) {
		return false
	}
	if su.Port() != "" {
		if _, err := strconv.Atoi(su.Port()); err != nil {
			return false
		}
	}
	rp, sp := ru.Path, su.Path
	if rp == "" {
		rp = "/"
	}
	if sp == "" {
		sp = "/"
	}
	return rp == sp
}

// handleAuthorize is GET (or POST) /{tenant}/oauth2/v2.0/authorize. Errors
// before the redirect URI is trusted are shown as a page, like Entra;
// later ones are sent to the redirect URI.
func (s *Sandbox) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, eErr("invalid_request", 900144, "The request could not be read."))
		return
	}
	q := r.Form
	if !s.tenantOK(tenant) {
		s.errorPage(w, errTenantNotFound(tenant))
		return
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		s.errorPage(w, errMissingParam("client_id"))
		return
	}
	app, ok := s.world.App(clientID)
	if !ok || app.ClientID != clientID {
		s.errorPage(w, errUnknownApp(clientID, s.world.TenantID))
		return
	}
	redirectURI := q.Get("redirect_uri")
	if len(app.PublicRedirectURIs)+len(app.WebRedirectURIs) == 0 {
		s.errorPage(w, eErr("invalid_request", 500113, "No reply address is registered for the application."))
		return
	}
	ok, web := matchRedirect(app, redirectURI)
	if !ok {
		s.errorPage(w, eErr("invalid_request", 50011, "The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.", redirectURI, app.ClientID))
		return
	}
	mode := q.Get("response_mode")
	if mode == "" {
		mode = "query"
	}
	pl := &pendingLogin{app: app, redirectURI: redirectURI, web: web, state: q.Get("state"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"), responseMode: mode, prompt: q.Get("prompt")}
	if mode != "query" && mode != "form_post" && mode != "fragment" {
		s.errorPage(w, eErr("invalid_request", 900144, "The response_mode '%s' is not supported.", mode))
		return
	}
	if rt := q.Get("response_type"); rt != "code" {
		s.redirectError(w, pl, "unsupported_response_type", fmt.Sprintf("AADSTS700054: response_type '%s' is not enabled for the application.", rt))
		return
	}
	if pl.challenge != "" {
		if pl.method == "" {
			pl.method = "plain"
		}
		if pl.method != "S256" && pl.method != "plain" {
			s.redirectError(w, pl, "invalid_request", "AADSTS501491: Invalid size of Code_Challenge parameter.")
			return
		}
	}
	sr, e := s.parseScope(q.Get("scope"))
	if e != nil {
		s.redirectError(w, pl, e.code, fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.text))
		return
	}
	pl.scope = sr
	if q.Get("prompt") == "none" {
		s.redirectError(w, pl, "login_required", "AADSTS50058: A silent sign-in request was sent but no user is signed in.")
		return
	}
	ctxID := randomID(24)
	s.mu.Lock()
	s.sweepLocked(s.nowLocked())
	pl.expires = s.nowLocked().Add(30 * time.Minute)
	s.logins[ctxID] = pl
	s.mu.Unlock()
	s.renderPage(w, http.StatusOK, "signin", pageData{Title: "Sign in", Ctx: ctxID, Action: "/" + tenant + "/login",
		AppName: app.Name, Users: s.world.Users, LoginHint: q.Get("login_hint"), Tenant: s.world.TenantName,
		Domain: s.world.TenantDomain, FormTarget: pl.redirectURI})
}

// handleLogin is the sign-in form's POST: a user was chosen, or Cancel.
func (s *Sandbox) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, eErr("invalid_request", 900144, "The request could not be read."))
		return
	}
	ctxID := r.PostForm.Get("ctx")
	s.mu.Lock()
	pl, ok := s.logins[ctxID]
	now := s.nowLocked()
	if ok && now.After(pl.expires) {
		delete(s.logins, ctxID)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		s.errorPage(w, eErr("invalid_request", 50058, "Your sign-in session has expired or is unknown. Start the sign-in again from the application."))
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.mu.Lock()
		delete(s.logins, ctxID)
		s.mu.Unlock()
		s.redirectCancel(w, pl)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	u, ok := s.world.User(username)
	if !ok || !strings.EqualFold(u.Username, username) {
		s.renderPage(w, http.StatusOK, "signin", pageData{Title: "Sign in", Ctx: ctxID, Action: r.URL.Path,
			AppName: pl.app.Name, Users: s.world.Users, LoginHint: username, Tenant: s.world.TenantName,
			Domain: s.world.TenantDomain, FormTarget: pl.redirectURI,
			Error: "We couldn't find an account with that username. Try another, or one of the sandbox accounts below. (AADSTS50034)"})
		return
	}
	// Like Entra, ask the user to consent when nobody consented to the
	// app's use of the API yet, or when the app asked with prompt=consent.
	if (pl.scope.resource != "" && !s.consented(pl.app, u.ObjectID)) || pl.prompt == "consent" {
		s.mu.Lock()
		pl.userOID = u.ObjectID
		s.mu.Unlock()
		s.renderPage(w, http.StatusOK, "consent", pageData{Title: "Permissions requested", Ctx: ctxID,
			Action: "/" + r.PathValue("tenant") + "/consent", AppName: pl.app.Name, Username: u.Username,
			Permissions: permissions(pl.scope), FormTarget: pl.redirectURI})
		return
	}
	s.issueCode(w, ctxID, pl, u.ObjectID)
}

// handleConsent is the consent page's POST: Accept or Cancel.
func (s *Sandbox) handleConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, eErr("invalid_request", 900144, "The request could not be read."))
		return
	}
	ctxID := r.PostForm.Get("ctx")
	s.mu.Lock()
	pl, ok := s.logins[ctxID]
	if ok && (pl.userOID == "" || s.nowLocked().After(pl.expires)) {
		ok = false
	}
	if ok && r.PostForm.Get("action") != "accept" {
		delete(s.logins, ctxID)
	}
	s.mu.Unlock()
	if !ok {
		s.errorPage(w, eErr("invalid_request", 50058, "Your sign-in session has expired or is unknown. Start the sign-in again from the application."))
		return
	}
	if r.PostForm.Get("action") != "accept" {
		s.redirectCancel(w, pl)
		return
	}
	s.mu.Lock()
	s.grants[grantKey(pl.app.ClientID, pl.userOID)] = true
	s.mu.Unlock()
	s.issueCode(w, ctxID, pl, pl.userOID)
}

// issueCode ends the sign-in ctxID with an authorization code for userOID,
// sent to the redirect URI.
func (s *Sandbox) issueCode(w http.ResponseWriter, ctxID string, pl *pendingLogin, userOID string) {
	code := "1.AXkA" + randomID(64)
	s.mu.Lock()
	now := s.nowLocked()
	delete(s.logins, ctxID)
	s.codes[code] = &authCode{clientID: pl.app.ClientID, userOID: userOID, redirectURI: pl.redirectURI, web: pl.web,
		challenge: pl.challenge, method: pl.method, nonce: pl.nonce, scope: pl.scope, expires: now.Add(s.opts.AuthCodeLifetime)}
	s.mu.Unlock()
	s.respond(w, pl, url.Values{"code": {code}, "state": {pl.state}, "session_state": {newGUID()}})
}

// permissions lists what the consent page asks for, in Entra's words.
func permissions(sr scopeRequest) []string {
	var out []string
	if sr.openid || sr.profile || sr.email {
		out = append(out, "Sign you in and read your profile")
	}
	if sr.offline {
		out = append(out, "Maintain access to data you have given it access to")
	}
	if sr.resource != "" {
		out = append(out, "Access the Cognite API ("+sr.resource+") as you")
	}
	return out
}

// redirectCancel tells the app that the user pressed Cancel, as Entra does:
// error=access_denied with error_subcode=cancel.
func (s *Sandbox) redirectCancel(w http.ResponseWriter, pl *pendingLogin) {
	s.redirectErrorWith(w, pl, "access_denied", "AADSTS65004: User declined to consent to access the app.", url.Values{"error_subcode": {"cancel"}})
}

// redirectError sends an OAuth error to the redirect URI.
func (s *Sandbox) redirectError(w http.ResponseWriter, pl *pendingLogin, code, desc string) {
	s.redirectErrorWith(w, pl, code, desc, nil)
}

// redirectErrorWith is redirectError with further parameters (such as
// error_subcode).
func (s *Sandbox) redirectErrorWith(w http.ResponseWriter, pl *pendingLogin, code, desc string, extra url.Values) {
	v := url.Values{"error": {code}, "error_description": {desc + fmt.Sprintf("\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
		newGUID(), newGUID(), s.Now().UTC().Format("2006-01-02 15:04:05Z"))}, "state": {pl.state}}
	for k, vs := range extra {
		v[k] = vs
	}
	if n := aadstsNumber(desc); n != "" {
		v.Set("error_uri", s.entraURL+"/error?code="+n)
	}
	s.respond(w, pl, v)
}

func aadstsNumber(desc string) string {
	if !strings.HasPrefix(desc, "AADSTS") {
		return ""
	}
	rest := desc[len("AADSTS"):]
	i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return ""
	}
	return rest[:i]
}

// respond delivers values to the redirect URI in the response mode. With
// Options.IssParameter the answer names the issuer (RFC 9207 §2).
func (s *Sandbox) respond(w http.ResponseWriter, pl *pendingLogin, v url.Values) {
	if v.Get("state") == "" {
		v.Del("state")
	}
	if s.opts.IssParameter {
		v.Set("iss", s.issuerV2())
	}
	switch pl.responseMode {
	case "form_post":
		fields := make([]field, 0, len(v))
		for _, k := range []string{"code", "error", "error_description", "error_uri", "error_subcode", "state", "session_state", "iss"} {
			if val := v.Get(k); val != "" {
				fields = append(fields, field{Name: k, Value: val})
			}
		}
		s.renderPage(w, http.StatusOK, "formpost", pageData{Title: "Working...", Action: pl.redirectURI, Fields: fields, FormTarget: pl.redirectURI})
	case "fragment":
		w.Header().Set("Location", pl.redirectURI+"#"+v.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		sep := "?"
		if strings.Contains(pl.redirectURI, "?") {
			sep = "&"
		}
		w.Header().Set("Location", pl.redirectURI+sep+v.Encode())
		w.WriteHeader(http.StatusFound)
	}
}

// errorPage shows an Entra error in the browser (no redirect). Like
// Entra's authorization endpoint it answers 200: an error page is a page,
// an error for the app is a 302 ("Authorization Endpoint Errors" in
// Microsoft's Azure AD reference). A 400 would also put a failed request
// in the browser's console.
func (s *Sandbox) errorPage(w http.ResponseWriter, e *entraError) {
	s.renderPage(w, http.StatusOK, "error", pageData{Title: "Sign in", AADSTS: e.aadsts, Error: e.text,
		Message: fmt.Sprintf("Request Id: %s\nCorrelation Id: %s\nTimestamp: %s", newGUID(), newGUID(), s.Now().UTC().Format(time.RFC3339))})
}

// handleErrorPage is the error_uri target.
func (s *Sandbox) handleErrorPage(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	n, _ := strconv.Atoi(code)
	s.renderPage(w, http.StatusOK, "error", pageData{Title: "Error lookup", AADSTS: n,
		Error: "This is the sandbox tenant; see cdflogin's explanation of this code (cdflogin doctor)."})
}

// handleHome lists the sandbox's pages.
func (s *Sandbox) handleHome(w http.ResponseWriter, _ *http.Request) {
	s.renderPage(w, http.StatusOK, "home", pageData{Title: "cdflogin sandbox", Tenant: s.world.TenantName,
		Message: s.AuthorityURL(), Action: s.DeviceLoginURL(), Users: s.world.Users, CDFURL: s.cdfURL})
}

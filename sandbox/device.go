package sandbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDeclined
	deviceRedeemed
)

// deviceCode is an outstanding device authorization.
type deviceCode struct {
	deviceCode string
	userCode   string
	clientID   string
	scope      scopeRequest
	expires    time.Time
	state      deviceState
	userOID    string
}

// ErrUnknownUserCode is returned when no live device code has that user code.
var ErrUnknownUserCode = errors.New("sandbox: unknown or expired user code")

// ErrUnknownUser is returned for a username the sandbox does not have.
var ErrUnknownUser = errors.New("sandbox: unknown user")

const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newUserCode() string {
	var b strings.Builder
	for range 9 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(userCodeAlphabet))))
		b.WriteByte(userCodeAlphabet[n.Int64()])
	}
	return b.String()
}

// handleDeviceCode is POST /{tenant}/oauth2/v2.0/devicecode.
func (s *Sandbox) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.tenantOK(tenant) {
		s.writeEntraError(w, r, errTenantNotFound(tenant))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeEntraError(w, r, errMissingParam("client_id"))
		return
	}
	clientID := r.PostForm.Get("client_id")
	if clientID == "" {
		s.writeEntraError(w, r, errMissingParam("client_id"))
		return
	}
	app, ok := s.world.App(clientID)
	if !ok || app.ClientID != clientID {
		s.writeEntraError(w, r, errUnknownApp(clientID, s.world.TenantID))
		return
	}
	scope := r.PostForm.Get("scope")
	if scope == "" {
		s.writeEntraError(w, r, errMissingParam("scope"))
		return
	}
	sr, e := s.parseScope(scope)
	if e != nil {
		s.writeEntraError(w, r, e)
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	dc := &deviceCode{
		deviceCode: "DAQABIQEAAAB" + randomID(120),
		userCode:   newUserCode(),
		clientID:   app.ClientID,
		scope:      sr,
		expires:    now.Add(s.opts.DeviceCodeLifetime),
	}
	s.sweepLocked(now)
	s.devices[dc.deviceCode] = dc
	s.mu.Unlock()
	verify := s.DeviceLoginURL()
	interval := int((s.opts.DeviceInterval + time.Second - 1) / time.Second)
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        dc.userCode,
		"device_code":      dc.deviceCode,
		"verification_uri": verify,
		"expires_in":       int(s.opts.DeviceCodeLifetime / time.Second),
		"interval":         interval,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, dc.userCode),
	})
}

// grantDevice answers a device-code poll. Like Entra it never answers
// slow_down: a poll before the user finished gets authorization_pending
// however soon it comes (the first one at once, as MSAL Node polls, or
// after the interval, as golang.org/x/oauth2 does), so every client's
// polling rhythm works. Entra documents no slow_down for its device-code
// flow; the interval it hands out is advice.
func (s *Sandbox) grantDevice(r *http.Request, tenant string, app App, cred clientCredential) (map[string]any, *entraError) {
	code := r.PostForm.Get("device_code")
	if code == "" {
		code = r.PostForm.Get("code")
	}
	if code == "" {
		return nil, errMissingParam("device_code")
	}
	if cred.present() && !app.Confidential() {
		return nil, errPublicClientCredential()
	}
	s.mu.Lock()
	dc, ok := s.devices[code]
	if !ok || dc.clientID != app.ClientID || dc.state == deviceRedeemed {
		s.mu.Unlock()
		return nil, errBadDeviceCode()
	}
	now := s.nowLocked()
	if now.After(dc.expires) {
		s.mu.Unlock()
		return nil, errDeviceExpired()
	}
	state, userOID, sr := dc.state, dc.userOID, dc.scope
	switch state {
	case devicePending:
		s.mu.Unlock()
		return nil, errPending()
	case deviceDeclined:
		s.mu.Unlock()
		return nil, errDeclined()
	}
	// Approved: only now does Entra look at the app's client type.
	acr := "0"
	if cred.present() {
		s.mu.Unlock()
		var e *entraError
		if acr, e = s.authenticate(tenant, app, cred); e != nil {
			return nil, e
		}
		s.mu.Lock()
	} else if !app.PublicClientFlows {
		s.mu.Unlock()
		return nil, errPublicClientFlows()
	}
	if !s.consentedLocked(app, userOID) && sr.resource != "" {
		s.mu.Unlock()
		return nil, errNoConsent(app.ClientID, app.Name, sr.resource)
	}
	dc.state = deviceRedeemed
	s.mu.Unlock()
	u, ok := s.world.User(userOID)
	if !ok {
		return nil, errBadDeviceCode()
	}
	resp, err := s.tokenResponse(principal{app: app, user: &u, acr: acr}, sr, "", r.PostForm.Get("client_info") == "1", false)
	if err != nil {
		return nil, eErr("server_error", 50000, "There was an error issuing a token: %v", err)
	}
	return resp, nil
}

// findUserCode returns the live device code with userCode (locked).
func (s *Sandbox) findUserCodeLocked(userCode string) *deviceCode {
	userCode = normalizeUserCode(userCode)
	now := s.nowLocked()
	for _, dc := range s.devices {
		if dc.userCode == userCode && dc.state == devicePending && now.Before(dc.expires) {
			return dc
		}
	}
	return nil
}

func normalizeUserCode(c string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, c))
}

// ApproveDeviceCode approves the pending device code userCode as username,
// as if that person finished the verification page. A user code of the
// OIDC provider (oidcdevice.go) is approved there.
func (s *Sandbox) ApproveDeviceCode(userCode, username string) error {
	u, ok := s.world.User(username)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownUser, username)
	}
	s.mu.Lock()
	dc := s.findUserCodeLocked(userCode)
	if dc != nil {
		dc.state = deviceApproved
		dc.userOID = u.ObjectID
	}
	s.mu.Unlock()
	if dc == nil {
		return s.ApproveOIDCDeviceCode(userCode, username)
	}
	return nil
}

// DeclineDeviceCode declines the pending device code userCode.
func (s *Sandbox) DeclineDeviceCode(userCode string) error {
	s.mu.Lock()
	dc := s.findUserCodeLocked(userCode)
	if dc != nil {
		dc.state = deviceDeclined
	}
	s.mu.Unlock()
	if dc == nil {
		return s.DeclineOIDCDeviceCode(userCode)
	}
	return nil
}

// PendingUserCodes lists the user codes waiting for approval, the OIDC
// provider's too (newest last is not guaranteed); the demo uses it to
// approve from the TUI.
func (s *Sandbox) PendingUserCodes() []string {
	oidc := s.pendingOIDCUserCodes()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	out := oidc
	for _, dc := range s.devices {
		if dc.state == devicePending && now.Before(dc.expires) {
			out = append(out, dc.userCode)
		}
	}
	return out
}

// handleDeviceLoginPage shows the "Enter code" page.
func (s *Sandbox) handleDeviceLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Code: r.URL.Query().Get("otc")})
}

// handleDeviceLoginCode takes the typed code and shows the account and
// approve/decline page. A code that does not work shows the code page
// again with the error, as a page (200), like Entra.
func (s *Sandbox) handleDeviceLoginCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Error: "The request could not be read."})
		return
	}
	code := r.PostForm.Get("otc")
	s.mu.Lock()
	dc := s.findUserCodeLocked(code)
	var clientID string
	if dc != nil {
		clientID = dc.clientID
	}
	s.mu.Unlock()
	if dc == nil {
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Code: code,
			Error: "That code didn't work. Check the code and try again."})
		return
	}
	app, _ := s.world.App(clientID)
	s.renderPage(w, http.StatusOK, "deviceconfirm", pageData{Title: "Are you trying to sign in?", Code: normalizeUserCode(code),
		AppName: app.Name, Users: s.world.Users})
}

// handleDeviceLoginConfirm approves or declines, in Entra's words.
func (s *Sandbox) handleDeviceLoginConfirm(w http.ResponseWriter, r *http.Request) {
	s.confirmDevice(w, r, deviceConfirm{
		approve: s.ApproveDeviceCode,
		decline: s.DeclineDeviceCode,
		badCode: "That code didn't work. Check the code and try again.",
		unknownUser: func(string) string {
			return "We couldn't find an account with that username. (AADSTS50034)"
		},
		declined: "You have declined to sign in to the application on the other device. You may now close this window.",
		approved: "You have signed in to the application on your device. You may now close this window.",
	})
}

// deviceConfirm is what a provider's device page does and says when the
// user approves or declines a code.
type deviceConfirm struct {
	approve     func(code, username string) error
	decline     func(code string) error
	badCode     string
	unknownUser func(username string) string
	declined    string
	approved    string
}

// confirmDevice handles the device page's Continue or Cancel.
func (s *Sandbox) confirmDevice(w http.ResponseWriter, r *http.Request, c deviceConfirm) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Error: "The request could not be read."})
		return
	}
	code, username, action := r.PostForm.Get("otc"), r.PostForm.Get("username"), r.PostForm.Get("action")
	var err error
	switch action {
	case "approve":
		err = c.approve(code, username)
	case "decline":
		err = c.decline(code)
	default:
		err = errors.New("choose Continue or Cancel")
	}
	if err != nil {
		msg := c.badCode
		if errors.Is(err, ErrUnknownUser) {
			msg = c.unknownUser(username)
		}
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Code: code, Error: msg})
		return
	}
	if action == "decline" {
		s.renderPage(w, http.StatusOK, "message", pageData{Title: "Sign-in canceled", Message: c.declined})
		return
	}
	s.renderPage(w, http.StatusOK, "message", pageData{Title: "You're signed in", Message: c.approved})
}

package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The generic OpenID provider's device authorization grant (RFC 8628):
// the device authorization endpoint, the polling answers of §3.5
// (authorization_pending, slow_down only for a client that polls sooner
// than the interval after its previous poll, access_denied,
// expired_token) and the verification page at /devicelogin.

// idpDevice is an outstanding device authorization of the OIDC provider.
type idpDevice struct {
	deviceCode string
	userCode   string // normalised: letters without the dash
	clientID   string
	scopes     []string
	audience   string
	interval   time.Duration // raised by slow_down
	lastPoll   time.Time
	expires    time.Time
	state      deviceState
	username   string
}

// slowDownSlack is how much sooner than the interval a poll may come
// before it is answered slow_down (clock granularity, not a grace).
const slowDownSlack = 250 * time.Millisecond

// handleOIDCDeviceCode is POST /oidc/device/code.
func (s *Sandbox) handleOIDCDeviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oidcErr("invalid_request", "The request body could not be read.").write(w)
		return
	}
	client, e := s.oidcAuthenticate(r)
	if e != nil {
		e.write(w)
		return
	}
	scopes, e := oidcScopeList(r.PostForm.Get("scope"))
	if e == nil {
		e = oidcAudience(r.PostForm.Get("audience"))
	}
	if e != nil {
		e.write(w)
		return
	}
	now := s.Now()
	s.mu.Lock()
	interval, lifetime := s.opts.DeviceInterval, s.opts.DeviceCodeLifetime
	s.mu.Unlock()
	if interval < time.Second {
		interval = time.Second
	}
	interval = interval.Round(time.Second)
	dc := &idpDevice{deviceCode: randomID(32), userCode: newUserCode()[:8], clientID: client.ClientID, scopes: scopes,
		audience: r.PostForm.Get("audience"), interval: interval, expires: now.Add(lifetime)}
	s.idp.mu.Lock()
	s.idp.sweepLocked(now)
	s.idp.devices[dc.deviceCode] = dc
	s.idp.mu.Unlock()
	shown := dc.userCode[:4] + "-" + dc.userCode[4:]
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               dc.deviceCode,
		"user_code":                 shown,
		"verification_uri":          s.OIDCDeviceLoginURL(),
		"verification_uri_complete": s.OIDCDeviceLoginURL() + "?user_code=" + shown,
		"expires_in":                int(lifetime / time.Second),
		"interval":                  int(interval / time.Second),
	})
}

// oidcDeviceGrant answers a poll of the token endpoint.
func (s *Sandbox) oidcDeviceGrant(client IdPClient, code string) (map[string]any, *oidcFail) {
	if code == "" {
		return nil, oidcErr("invalid_request", "Missing device_code.")
	}
	now := s.Now()
	s.idp.mu.Lock()
	dc, ok := s.idp.devices[code]
	if !ok || dc.clientID != client.ClientID || dc.state == deviceRedeemed {
		s.idp.mu.Unlock()
		return nil, oidcErr("invalid_grant", "The device_code is unknown, already used or another client's.")
	}
	if now.After(dc.expires) {
		s.idp.mu.Unlock()
		return nil, oidcErr("expired_token", "The device_code has expired; start again.")
	}
	previous := dc.lastPoll
	dc.lastPoll = now
	switch dc.state {
	case devicePending:
		if !previous.IsZero() && now.Sub(previous) < dc.interval-slowDownSlack {
			dc.interval += 5 * time.Second // RFC 8628 §3.5
			s.idp.mu.Unlock()
			return nil, oidcErr("slow_down", "Polling too fast: wait %d seconds between polls.", int(dc.interval/time.Second))
		}
		s.idp.mu.Unlock()
		return nil, oidcErr("authorization_pending", "The user has not finished signing in yet.")
	case deviceDeclined:
		dc.state = deviceRedeemed
		s.idp.mu.Unlock()
		return nil, oidcErr("access_denied", "The user declined the sign-in.")
	}
	dc.state = deviceRedeemed
	username, scopes, audience := dc.username, dc.scopes, dc.audience
	s.idp.mu.Unlock()
	u, ok := s.world.User(username)
	if !ok {
		return nil, oidcErr("invalid_grant", "The user no longer exists.")
	}
	return s.oidcTokens(idpSession{client: client, user: &u, scopes: scopes, audience: audience, authTime: now})
}

// findIdPDeviceLocked returns the live pending device authorization with
// userCode, or nil.
func (st *idpState) findDeviceLocked(userCode string, now time.Time) *idpDevice {
	userCode = normalizeUserCode(userCode)
	for _, dc := range st.devices {
		if dc.userCode == userCode && dc.state == devicePending && now.Before(dc.expires) {
			return dc
		}
	}
	return nil
}

// ApproveOIDCDeviceCode approves the OIDC provider's pending userCode as
// username, as if that person finished the verification page.
func (s *Sandbox) ApproveOIDCDeviceCode(userCode, username string) error {
	u, ok := s.world.User(username)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownUser, username)
	}
	return s.decideOIDCDevice(userCode, deviceApproved, u.Username)
}

// DeclineOIDCDeviceCode declines the OIDC provider's pending userCode.
func (s *Sandbox) DeclineOIDCDeviceCode(userCode string) error {
	return s.decideOIDCDevice(userCode, deviceDeclined, "")
}

func (s *Sandbox) decideOIDCDevice(userCode string, state deviceState, username string) error {
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	dc := s.idp.findDeviceLocked(userCode, now)
	if dc == nil {
		return fmt.Errorf("%w: %q", ErrUnknownUserCode, userCode)
	}
	dc.state, dc.username = state, username
	return nil
}

// pendingOIDCUserCodes lists the OIDC provider's user codes waiting for
// approval (as shown, with the dash).
func (s *Sandbox) pendingOIDCUserCodes() []string {
	now := s.Now()
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	var out []string
	for _, dc := range s.idp.devices {
		if dc.state == devicePending && now.Before(dc.expires) {
			out = append(out, dc.userCode[:4]+"-"+dc.userCode[4:])
		}
	}
	return out
}

// handleOIDCDevicePage is GET /devicelogin: enter the code
// (verification_uri_complete fills it in).
func (s *Sandbox) handleOIDCDevicePage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Code: r.URL.Query().Get("user_code")})
}

// handleOIDCDeviceCodeEntered takes the typed code and asks who signs in.
func (s *Sandbox) handleOIDCDeviceCodeEntered(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Error: "The request could not be read."})
		return
	}
	code := r.PostForm.Get("otc")
	now := s.Now()
	s.idp.mu.Lock()
	dc := s.idp.findDeviceLocked(code, now)
	var clientID string
	if dc != nil {
		clientID = dc.clientID
	}
	s.idp.mu.Unlock()
	if dc == nil {
		s.renderPage(w, http.StatusOK, "devicecode", pageData{Title: "Enter code", Code: code,
			Error: "That code is not valid or has expired. Check the code and try again."})
		return
	}
	client, _ := s.idpClient(IdPOIDC, clientID)
	s.renderPage(w, http.StatusOK, "deviceconfirm", pageData{Title: "Are you trying to sign in?", Code: normalizeUserCode(code),
		AppName: client.Name, Users: s.world.Users})
}

// handleOIDCDeviceConfirm approves or declines, in the OpenID provider's
// words.
func (s *Sandbox) handleOIDCDeviceConfirm(w http.ResponseWriter, r *http.Request) {
	s.confirmDevice(w, r, deviceConfirm{
		approve: s.ApproveOIDCDeviceCode,
		decline: s.DeclineOIDCDeviceCode,
		badCode: "That code is not valid or has expired. Check the code and try again.",
		unknownUser: func(username string) string {
			return "There is no account " + strings.TrimSpace(username) + "."
		},
		declined: "You declined the sign-in on the other device. You may close this window.",
		approved: "The device is signed in. You may close this window.",
	})
}

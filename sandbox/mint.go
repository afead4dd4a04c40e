package sandbox

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// principal is who a token is for: a user signed in to an app, or an app.
type principal struct {
	app  App
	user *User  // nil for app tokens
	acr  string // azpacr/appidacr: "0" public, "1" secret, "2" certificate
}

// sign signs claims as a JWT with the tenant's key.
func (s *Sandbox) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.signer.kid
	t.Header["x5t"] = s.signer.kid
	out, err := t.SignedString(s.signer.key)
	if err != nil {
		return "", fmt.Errorf("sandbox: sign token: %w", err)
	}
	return out, nil
}

// pairwiseSub is Entra's per-app subject.
func pairwiseSub(oid, clientID string) string {
	sum := sha256.Sum256([]byte(oid + "|" + clientID))
	return b64(sum[:])[:43]
}

// accessTokenLifetime is the lifetime of the tokens issued now.
func (s *Sandbox) accessTokenLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.AccessTokenLifetime
}

// accessClaims builds access token claims shaped like Entra's.
func (s *Sandbox) accessClaims(p principal, sr scopeRequest, now time.Time) jwt.MapClaims {
	exp := now.Add(s.accessTokenLifetime())
	c := jwt.MapClaims{
		"aud": sr.audience(),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": exp.Unix(),
		"aio": randomID(48),
		"rh":  "0." + randomID(40) + ".",
		"tid": s.world.TenantID,
		"uti": randomID(16),
	}
	if sr.version == 1 {
		c["iss"] = s.issuerV1()
		c["ver"] = "1.0"
		c["appid"] = p.app.ClientID
		c["appidacr"] = p.acr
	} else {
		c["iss"] = s.issuerV2()
		c["ver"] = "2.0"
		c["azp"] = p.app.ClientID
		c["azpacr"] = p.acr
	}
	if p.user == nil {
		c["oid"] = p.app.ObjectID
		c["sub"] = p.app.ObjectID
		c["idtyp"] = "app"
		if sr.version == 1 {
			c["idp"] = s.issuerV1()
		}
		if len(p.app.Roles) > 0 {
			c["roles"] = p.app.Roles
		}
		s.addGroups(c, p.app.Groups, p.app.ObjectID)
		return c
	}
	u := p.user
	c["oid"] = u.ObjectID
	c["sub"] = pairwiseSub(u.ObjectID, p.app.ClientID)
	c["name"] = u.Name
	c["scp"] = strings.Join(sr.delegated(), " ")
	c["amr"] = []string{"pwd"}
	if sr.version == 1 {
		c["upn"] = u.Username
		c["unique_name"] = u.Username
		given, family, _ := strings.Cut(u.Name, " ")
		c["given_name"] = given
		c["family_name"] = family
		c["acr"] = "1"
	} else {
		c["preferred_username"] = u.Username
	}
	s.addGroups(c, s.groupsOf(*u), u.ObjectID)
	return c
}

// addGroups adds the groups claim, or the overage form when there are more
// than 200 groups.
func (s *Sandbox) addGroups(c jwt.MapClaims, groups []string, oid string) {
	if len(groups) == 0 {
		return
	}
	if len(groups) > maxTokenGroups {
		c["hasgroups"] = true
		c["_claim_names"] = map[string]any{"groups": "src1"}
		c["_claim_sources"] = map[string]any{"src1": map[string]any{
			"endpoint": fmt.Sprintf("https://graph.windows.net/%s/users/%s/getMemberObjects", s.world.TenantID, oid),
		}}
		return
	}
	c["groups"] = groups
}

// idToken mints the ID token (always v2: the v2 endpoint issued it).
func (s *Sandbox) idToken(p principal, nonce string, now time.Time) (string, error) {
	c := jwt.MapClaims{
		"aud":                p.app.ClientID,
		"iss":                s.issuerV2(),
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(s.accessTokenLifetime()).Unix(),
		"name":               p.user.Name,
		"oid":                p.user.ObjectID,
		"preferred_username": p.user.Username,
		"rh":                 "0." + randomID(40) + ".",
		"sub":                pairwiseSub(p.user.ObjectID, p.app.ClientID),
		"tid":                s.world.TenantID,
		"uti":                randomID(16),
		"ver":                "2.0",
		"aio":                randomID(48),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return s.sign(c)
}

// clientInfo is base64url({"uid","utid"}).
func (s *Sandbox) clientInfo(u *User) string {
	b, _ := json.Marshal(map[string]string{"uid": u.ObjectID, "utid": s.world.TenantID})
	return b64(b)
}

// tokenResponse mints and returns a token endpoint answer. For users it
// adds a refresh token when offline_access was asked for, an ID token for
// openid and client_info when the client asked for it.
func (s *Sandbox) tokenResponse(p principal, sr scopeRequest, nonce string, wantClientInfo bool, web bool) (map[string]any, error) {
	now := s.Now()
	at, err := s.sign(s.accessClaims(p, sr, now))
	if err != nil {
		return nil, err
	}
	secs := int(s.accessTokenLifetime() / time.Second)
	resp := map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   at,
	}
	if p.user == nil {
		return resp, nil
	}
	resp["scope"] = sr.granted()
	if sr.offline {
		resp["refresh_token"] = s.newRefreshToken(p, sr, web, now)
	}
	if sr.openid {
		idt, err := s.idToken(p, nonce, now)
		if err != nil {
			return nil, err
		}
		resp["id_token"] = idt
	}
	if wantClientInfo {
		resp["client_info"] = s.clientInfo(p.user)
	}
	return resp, nil
}

// refreshToken is an issued refresh token (opaque to clients).
type refreshToken struct {
	clientID string
	userOID  string
	web      bool // issued for a Web-platform redirect: redemption needs a credential
	scope    scopeRequest
	issued   time.Time
	revoked  bool
}

func (s *Sandbox) newRefreshToken(p principal, sr scopeRequest, web bool, now time.Time) string {
	rt := "1.AXkA" + randomID(96)
	s.mu.Lock()
	s.refresh[rt] = &refreshToken{clientID: p.app.ClientID, userOID: p.user.ObjectID, web: web, scope: sr, issued: now}
	s.mu.Unlock()
	return rt
}

// ExpireRefreshTokens makes the refresh tokens of username (all users when
// empty) fail with AADSTS700082 from now on. It returns how many it expired.
func (s *Sandbox) ExpireRefreshTokens(username string) int {
	var oid string
	if username != "" {
		u, ok := s.world.User(username)
		if !ok {
			return 0
		}
		oid = u.ObjectID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, rt := range s.refresh {
		if (oid == "" || rt.userOID == oid) && !rt.revoked {
			rt.revoked = true
			n++
		}
	}
	return n
}

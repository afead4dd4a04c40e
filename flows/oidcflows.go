package flows

import (
	"context"
	"crypto/sha1" //nolint:gosec // x5t is the SHA-1 thumbprint (RFC 7515 §4.1.7); not used for security.
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// The flows of Amazon Cognito and other OpenID providers, on
// golang.org/x/oauth2 (auth code + PKCE, device code, client credentials,
// refresh) and go-oidc (discovery, ID token verification against the
// provider's JWKS). Their tokens live in the profile's cache file in
// MSAL's layout (tokencache.Set), so Silent's fast path, Cached, Logout
// and every reader of the cache work as they do for Entra.

// checkProviderProfile is checkProfile for cognito and oidc profiles.
func checkProviderProfile(p profiles.Profile, flow profiles.Flow) error {
	if p.Name == "" {
		return errors.New("the profile has no name")
	}
	if err := profiles.ValidateProviderClientID(p.ClientID); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	if p.Issuer == "" && (p.TokenURL == "" || flow.IsUser()) {
		return fmt.Errorf("profile %q has no issuer: set issuer (e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>)", p.Name)
	}
	switch flow {
	case profiles.FlowBrowser, profiles.FlowDevice, profiles.FlowSecret, profiles.FlowCertificate:
	case "":
		return fmt.Errorf("profile %q has no flow: set flow to one of browser, device, secret, certificate", p.Name)
	default:
		return fmt.Errorf("profile %q: unknown flow %q (use browser, device, secret or certificate)", p.Name, flow)
	}
	return CheckFlow(p, nil, flow)
}

// providerCacheQuery is how a cognito or oidc profile's tokens are found
// in its cache: by the issuer's (or token URL's) host and path.
func providerCacheQuery(p profiles.Profile, flow profiles.Flow) tokencache.Query {
	env, realm := hostRealm(firstNonEmpty(p.IssuerURL(), p.TokenURL))
	return tokencache.Query{ClientID: p.ClientID, Environment: env, Realm: realm, Scopes: p.ScopeList(), App: !flow.IsUser()}
}

// providerSession is one run of a provider flow: the HTTP context, the
// discovery document (nil for a token_url without an issuer) and the
// oauth2 configuration of a person's sign-in.
type providerSession struct {
	ctx  context.Context
	p    profiles.Profile
	disc *Discovery
	// nonce is the browser sign-in's OpenID nonce, which its ID token
	// must carry back.
	nonce string
}

func (s *Service) providerSession(ctx context.Context, p profiles.Profile, flow profiles.Flow) (*providerSession, error) {
	hc, err := HTTPClient(s.deps.HTTPClient, p)
	if err != nil {
		return nil, err
	}
	ps := &providerSession{ctx: providerHTTP(ctx, hc), p: p}
	if p.Issuer != "" {
		if ps.disc, err = discover(ps.ctx, p); err != nil {
			return nil, err
		}
	}
	if err := CheckFlow(p, ps.disc, flow); err != nil {
		return nil, err
	}
	return ps, nil
}

// userScopes are the scopes of a person's sign-in: the profile's, and
// openid (for the ID token), plus profile and offline_access where the
// provider lists them (Cognito returns a refresh token without
// offline_access and refuses it as a scope).
func (ps *providerSession) userScopes() []string {
	out := ps.p.ScopeList()
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add("openid")
	if ps.disc != nil {
		for _, s := range []string{"profile", "email", "offline_access"} {
			if s == "offline_access" && ps.p.ProviderOf() == profiles.ProviderCognito {
				continue
			}
			if slices.Contains(ps.disc.ScopesSupported, s) {
				add(s)
			}
		}
	}
	return out
}

// userConfig is the oauth2 configuration of a person's sign-in.
func (ps *providerSession) userConfig(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    ps.p.ClientID,
		RedirectURL: redirectURI,
		Scopes:      ps.userScopes(),
		Endpoint: oauth2.Endpoint{
			AuthURL:       ps.disc.AuthorizationEndpoint,
			DeviceAuthURL: ps.disc.DeviceEndpoint,
			TokenURL:      tokenEndpoint(ps.p, ps.disc),
			AuthStyle:     oauth2.AuthStyleInParams, // a public client: client_id in the form
		},
	}
}

// audienceOpts is the Auth0-style audience parameter, when the profile
// sets one.
func (ps *providerSession) audienceOpts() []oauth2.AuthCodeOption {
	if ps.p.Audience == "" {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("audience", ps.p.Audience)}
}

// loginProvider runs flow for a cognito or oidc profile.
func (s *Service) loginProvider(ctx context.Context, p profiles.Profile, flow profiles.Flow, events Events) (*Tokens, error) {
	if err := checkProviderProfile(p, flow); err != nil {
		return nil, err
	}
	file, err := s.cacheForSignIn(p, flow)
	if err != nil {
		return nil, err
	}
	ps, err := s.providerSession(ctx, p, flow)
	if err != nil {
		return nil, err
	}
	var tok *oauth2.Token
	switch flow {
	case profiles.FlowBrowser:
		tok, err = s.providerBrowser(ps, events)
	case profiles.FlowDevice:
		tok, err = s.providerDevice(ps, events)
	default:
		tok, err = s.providerAppToken(ps, flow, "sign in")
	}
	if err != nil {
		return nil, err
	}
	t, err := s.providerTokens(ps, flow, tok, "")
	if err != nil {
		return nil, err
	}
	if err := s.keepProviderTokens(ctx, file, ps, flow, t, tok.RefreshToken, false); err != nil {
		s.warnf("token cache of profile %q: the new token could not be kept: %v", p.Name, err)
	}
	s.logf("signed in: profile %q, flow %s, token valid until %s", p.Name, flow, t.ExpiresOn.Format(time.RFC3339))
	return t, nil
}

// providerBrowser is auth code + PKCE (S256) on cdflogin's loopback
// listener: state, Host check, the RFC 9207 iss check where discovery
// offers it, one answer.
func (s *Service) providerBrowser(ps *providerSession, events Events) (*oauth2.Token, error) {
	p := ps.p
	op := fmt.Sprintf("browser sign-in for profile %q", p.Name)
	verifier := oauth2.GenerateVerifier()
	state, err := randomString(24)
	if err != nil {
		return nil, err
	}
	if ps.nonce, err = randomString(16); err != nil {
		return nil, err
	}
	timeout := s.deps.RedirectTimeout
	if timeout <= 0 {
		timeout = DefaultRedirectTimeout
	}
	cfg := loopback.Config{Port: p.Port(), State: state, Timeout: timeout, Now: s.deps.Now,
		Explain: ExplainContext(p, profiles.FlowBrowser)}
	if ps.disc.IssParameter {
		cfg.Issuer = ps.disc.Issuer
	}
	l, err := loopback.Listen(ps.ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() { _ = l.Close() }()
	conf := ps.userConfig(l.RedirectURI())
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(ps.nonce)}, ps.audienceOpts()...)
	if p.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", p.LoginHint))
	}
	authURL := conf.AuthCodeURL(state, opts...)

	emit(events, BrowserOpening{URL: authURL})
	openErr := errNoOpener
	if s.deps.OpenBrowser != nil {
		openErr = s.deps.OpenBrowser(authURL)
	}
	if openErr != nil {
		emit(events, BrowserFailed{URL: authURL, Err: openErr})
	}
	emit(events, WaitingForRedirect{Addr: l.Addr(), Deadline: l.Deadline()})
	res, err := l.Wait(ps.ctx)
	if err != nil {
		var te *loopback.TimeoutError
		var ie *loopback.IssuerError
		if errors.As(err, &te) || errors.As(err, &ie) {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return nil, classifyProvider(op, p, "redirect", err)
	}
	emit(events, Redeeming{})
	tok, err := conf.Exchange(ps.ctx, res.Code, append([]oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, ps.audienceOpts()...)...)
	if err != nil {
		return nil, classifyProvider(op+": redeem the authorization code", p, "token", err)
	}
	return tok, nil
}

// providerDevice is the device-code flow (RFC 8628), for providers whose
// discovery names a device_authorization_endpoint.
func (s *Service) providerDevice(ps *providerSession, events Events) (*oauth2.Token, error) {
	p := ps.p
	op := fmt.Sprintf("device-code sign-in for profile %q", p.Name)
	conf := ps.userConfig("")
	da, err := conf.DeviceAuth(ps.ctx, ps.audienceOpts()...)
	if err != nil {
		return nil, classifyProvider(op, p, "devicecode", err)
	}
	verification := firstNonEmpty(da.VerificationURIComplete, da.VerificationURI)
	emit(events, DeviceCode{
		UserCode:        da.UserCode,
		VerificationURL: da.VerificationURI,
		Message:         fmt.Sprintf("To sign in, open %s and enter the code %s.", verification, da.UserCode),
		ExpiresAt:       da.Expiry,
		Interval:        time.Duration(da.Interval) * time.Second,
	})
	tok, err := conf.DeviceAccessToken(ps.ctx, da)
	if err != nil {
		if ps.ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &ProviderError{Op: op, Provider: p.ProviderOf(), Code: "expired_token",
				Description: "nobody completed the sign-in before the device code expired", Source: "poll", Kind: ErrDeviceCodeExpired}
		}
		return nil, classifyProvider(op, p, "poll", err)
	}
	return tok, nil
}

// providerAppToken is the client credentials grant with a client secret
// (client_secret_basic or _post, as discovery says) or a certificate
// (private_key_jwt, RFC 7523).
func (s *Service) providerAppToken(ps *providerSession, flow profiles.Flow, what string) (*oauth2.Token, error) {
	p := ps.p
	op := fmt.Sprintf("%s with the %s of profile %q", what, credentialName(flow), p.Name)
	conf := clientcredentials.Config{ClientID: p.ClientID, TokenURL: tokenEndpoint(p, ps.disc), Scopes: p.ScopeList()}
	if p.Audience != "" {
		conf.EndpointParams = map[string][]string{"audience": {p.Audience}}
	}
	switch flow {
	case profiles.FlowSecret:
		if p.ClientSecret == "" {
			return nil, fmt.Errorf("profile %q has no client_secret: set it to env:VAR or keyring", p.Name)
		}
		secret, err := resolveSecret(p, s.deps, "client_secret")
		if err != nil {
			return nil, err
		}
		if conf.AuthStyle, err = secretAuthStyle(p, ps.disc); err != nil {
			return nil, err
		}
		conf.ClientSecret = secret
	case profiles.FlowCertificate:
		assertion, err := s.clientAssertion(p, conf.TokenURL)
		if err != nil {
			return nil, err
		}
		conf.AuthStyle = oauth2.AuthStyleInParams
		if conf.EndpointParams == nil {
			conf.EndpointParams = map[string][]string{}
		}
		conf.EndpointParams.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		conf.EndpointParams.Set("client_assertion", assertion)
	default:
		return nil, fmt.Errorf("profile %q: flow %q is not an app flow", p.Name, flow)
	}
	tok, err := conf.Token(ps.ctx)
	if err != nil {
		return nil, classifyProvider(op, p, "token", err)
	}
	return tok, nil
}

// clientAssertion signs the private_key_jwt assertion (RFC 7523 §3) with
// the profile's certificate key: iss and sub the client ID, aud the token
// endpoint, valid for 5 minutes, x5t and x5t#S256 naming the certificate.
func (s *Service) clientAssertion(p profiles.Profile, tokenURL string) (string, error) {
	cert, chain, _, err := loadCertificate(p, s.deps)
	if err != nil {
		return "", err
	}
	jti, err := randomString(18)
	if err != nil {
		return "", err
	}
	now := s.now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: p.ClientID, Subject: p.ClientID, Audience: jwt.ClaimStrings{tokenURL}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	})
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // thumbprint
	s256 := sha256.Sum256(cert.Raw)
	tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(s1[:])
	tok.Header["x5t#S256"] = base64.RawURLEncoding.EncodeToString(s256[:])
	signed, err := tok.SignedString(chain.key)
	if err != nil {
		return "", fmt.Errorf("profile %q: sign the client assertion with certificate %s: %w", p.Name, p.Certificate, err)
	}
	return signed, nil
}

// providerTokens turns the token endpoint's answer into Tokens, verifying
// the ID token (signature against the provider's JWKS, issuer, audience,
// expiry) with go-oidc. prevHome is the account a refresh belongs to.
func (s *Service) providerTokens(ps *providerSession, flow profiles.Flow, tok *oauth2.Token, prevHome string) (*Tokens, error) {
	p := ps.p
	t := &Tokens{Profile: p.Name, Flow: flow, AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresOn: tok.Expiry, Scopes: p.ScopeList()}
	if granted, _ := tok.Extra("scope").(string); granted != "" {
		t.Scopes = strings.Fields(granted)
	}
	if t.ExpiresOn.IsZero() {
		// No expires_in: use the access token's own exp, else one hour.
		t.ExpiresOn = jwtExpiry(tok.AccessToken, s.now().Add(time.Hour))
	}
	if _, err := checkShape(p, t); err != nil {
		return nil, err
	}
	if !flow.IsUser() {
		return t, nil
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		if prevHome == "" {
			return nil, fmt.Errorf("profile %q: %s answered the sign-in without an ID token: the scopes must include openid", p.Name, p.ProviderOf().Title())
		}
		t.Account.HomeAccountID = prevHome
		return t, nil
	}
	verifier := ps.disc.provider.Verifier(&oidc.Config{ClientID: p.ClientID, Now: s.now})
	idt, err := verifier.Verify(ps.ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("profile %q: the ID token from %s is refused: %w", p.Name, ps.disc.Issuer, err)
	}
	if ps.nonce != "" && idt.Nonce != ps.nonce {
		return nil, fmt.Errorf("profile %q: the ID token from %s is refused: its nonce is not the one this sign-in sent (a replayed or injected answer)", p.Name, ps.disc.Issuer)
	}
	var c struct {
		Name              string `json:"name"`
		Email             string `json:"email"`
		PreferredUsername string `json:"preferred_username"`
		CognitoUsername   string `json:"cognito:username"`
		Username          string `json:"username"`
	}
	_ = idt.Claims(&c)
	t.IDToken = raw
	t.Account = Account{
		Username:      firstNonEmpty(c.PreferredUsername, c.Email, c.CognitoUsername, c.Username, idt.Subject),
		Name:          c.Name,
		ObjectID:      idt.Subject,
		HomeAccountID: idt.Subject,
	}
	if prevHome != "" && prevHome != idt.Subject {
		return nil, fmt.Errorf("profile %q: the refreshed token belongs to another account (sub %s, not %s): sign in again", p.Name, idt.Subject, prevHome)
	}
	if _, err := checkShape(p, t); err != nil {
		return nil, err
	}
	return t, nil
}

// keepProviderTokens replaces the profile's cache with t (and its refresh
// token), under the cache's lock unless the caller holds it.
func (s *Service) keepProviderTokens(ctx context.Context, file *tokencache.File, ps *providerSession, flow profiles.Flow, t *Tokens, refresh string, locked bool) error {
	q := providerCacheQuery(ps.p, flow)
	data, err := tokencache.NewSet(tokencache.Set{
		Environment: q.Environment, Realm: q.Realm, ClientID: ps.p.ClientID,
		HomeAccountID: t.Account.HomeAccountID, Username: t.Account.Username, Name: t.Account.Name,
		AccessToken: t.AccessToken, Target: strings.Join(t.Scopes, " "), ExpiresOn: t.ExpiresOn, CachedAt: s.now(),
		RefreshToken: refresh, IDToken: t.IDToken,
	})
	if err != nil {
		return err
	}
	if !locked {
		unlock, err := file.Lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	return file.Save(data)
}

// silentProvider is Silent for a cognito or oidc profile: the cached
// token, else a refresh with the cached refresh token (a person) or a new
// client credentials token (an app), under the cache's lock.
func (s *Service) silentProvider(ctx context.Context, p profiles.Profile, opts SilentOptions) (*Tokens, error) {
	flow := p.Flow
	if err := checkProviderProfile(p, flow); err != nil {
		return nil, err
	}
	minValid := opts.minValid()
	file, data, contents, unlock, err := s.lockedCache(ctx, p)
	if err != nil {
		return nil, err
	}
	defer unlock()
	q := providerCacheQuery(p, flow)
	entry := contents.Find(q)
	if !opts.Force && entry.AccessToken != nil && entry.AccessToken.ExpiresOn.T.Sub(s.now()) > minValid {
		return checkShape(p, tokensFromEntry(p, flow, entry))
	}
	var refresh, home string
	if flow.IsUser() {
		if entry.Account == nil || !entry.HasRefreshToken {
			reason := "no cached sign-in"
			if entry.AccessToken != nil {
				reason = "the cached token is expiring and there is no refresh token"
			}
			return nil, &LoginRequiredError{Profile: p.Name, Reason: reason}
		}
		home = entry.Account.HomeAccountID
		if refresh, err = tokencache.RefreshTokenOf(data, home, q.Environment, p.ClientID); err != nil || refresh == "" {
			return nil, &LoginRequiredError{Profile: p.Name, Reason: "no cached refresh token", Err: err}
		}
	}
	emit(opts.Events, Refreshing{})
	ps, err := s.providerSession(ctx, p, flow)
	if err != nil {
		return nil, err
	}
	var tok *oauth2.Token
	if flow.IsUser() {
		op := fmt.Sprintf("refresh the token of profile %q", p.Name)
		ts := ps.userConfig("").TokenSource(ps.ctx, &oauth2.Token{RefreshToken: refresh, Expiry: s.now().Add(-time.Minute)})
		tok, err = ts.Token()
		if err != nil {
			cerr := classifyProvider(op, p, "refresh", err)
			var pe *ProviderError
			if errors.As(cerr, &pe) && pe.Code == "invalid_grant" {
				return nil, &LoginRequiredError{Profile: p.Name, Reason: "the refresh token is no longer valid (invalid_grant)", Err: cerr}
			}
			return nil, cerr
		}
	} else {
		tok, err = s.providerAppToken(ps, flow, "request a new token")
		if err != nil {
			return nil, err
		}
	}
	t, err := s.providerTokens(ps, flow, tok, home)
	if err != nil {
		return nil, err
	}
	if flow.IsUser() && t.IDToken == "" {
		// Cognito answers a refresh without a new refresh token and
		// sometimes without an ID token: keep the cached ones.
		t.IDToken = entry.IDToken
		if a := entry.Account; a != nil {
			t.Account = Account{Username: a.Username, Name: a.Name, HomeAccountID: a.HomeAccountID, ObjectID: a.LocalAccountID}
		}
	}
	keep := firstNonEmpty(tok.RefreshToken, refresh)
	if err := s.keepProviderTokens(ctx, file, ps, flow, t, keep, true); err != nil {
		s.warnf("token cache of profile %q: the new token could not be kept: %v", p.Name, err)
	}
	emit(opts.Events, Refreshed{ExpiresAt: t.ExpiresOn})
	s.logf("token refreshed: profile %q, valid until %s", p.Name, t.ExpiresOn.Format(time.RFC3339))
	return t, nil
}

// jwtExpiry is the exp claim of a JWT access token, or fallback.
func jwtExpiry(raw string, fallback time.Time) time.Time {
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &c); err != nil || c.ExpiresAt == nil {
		return fallback
	}
	return c.ExpiresAt.Time
}

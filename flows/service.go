package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// DefaultMinValid is how long a cached token must stay valid to be
// returned without a refresh (MSAL's own leeway).
const DefaultMinValid = 5 * time.Minute

// DefaultRedirectTimeout bounds the wait for the browser's redirect.
const DefaultRedirectTimeout = 5 * time.Minute

// Service runs the flows with its Deps.
type Service struct{ deps Deps }

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }

func (s *Service) now() time.Time {
	if s.deps.Now != nil {
		return s.deps.Now()
	}
	return time.Now()
}

func (s *Service) logf(format string, args ...any) {
	if s.deps.Logf != nil {
		s.deps.Logf(format, args...)
	}
}

func (s *Service) warnf(format string, args ...any) {
	if s.deps.Warnf != nil {
		s.deps.Warnf(format, args...)
	}
}

func emit(events Events, e Event) {
	if events != nil {
		events(e)
	}
}

// cacheFile opens the profile's token cache file.
func (s *Service) cacheFile(p profiles.Profile) (*tokencache.File, error) {
	return tokencache.Open(s.deps.CacheDir, p.Name, tokencache.Options{Logf: s.deps.Logf, Warnf: s.deps.Warnf, Now: s.deps.Now})
}

// checkProfile rejects profiles the flows cannot run with a clear message.
func checkProfile(p profiles.Profile, flow profiles.Flow) error {
	if p.Name == "" {
		return errors.New("the profile has no name")
	}
	if p.ClientID == "" {
		return fmt.Errorf("profile %q has no client_id: set it to the app registration's Application (client) ID", p.Name)
	}
	if p.Authority == "" && p.Tenant == "" {
		return fmt.Errorf("profile %q has no tenant: set it to the Directory (tenant) ID", p.Name)
	}
	if p.CDFURL == "" && p.Cluster == "" && len(p.Scopes) == 0 {
		return fmt.Errorf("profile %q has no cluster: set cluster (e.g. westeurope-1) or cdf_url", p.Name)
	}
	u, err := url.Parse(p.AuthorityURL())
	if err != nil || u.Scheme != "https" || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("profile %q: authority %q must be https://host/<tenant>", p.Name, p.AuthorityURL())
	}
	switch flow {
	case profiles.FlowBrowser, profiles.FlowDevice, profiles.FlowSecret, profiles.FlowCertificate:
	case "":
		return fmt.Errorf("profile %q has no flow: set flow to one of browser, device, secret, certificate", p.Name)
	default:
		return fmt.Errorf("profile %q: unknown flow %q (use browser, device, secret or certificate)", p.Name, flow)
	}
	return nil
}

// cacheQuery is how the profile's tokens are found in its cache.
func cacheQuery(p profiles.Profile, flow profiles.Flow) tokencache.Query {
	if !p.IsEntra() {
		return providerCacheQuery(p, flow)
	}
	q := tokencache.Query{ClientID: p.ClientID, Scopes: p.ScopeList(), App: !flow.IsUser()}
	if u, err := url.Parse(p.AuthorityURL()); err == nil {
		q.Environment = u.Host
		q.Realm = strings.Split(strings.Trim(u.Path, "/"), "/")[0]
	}
	return q
}

// resolveSecret asks Deps.Secret for a secret field of the profile.
func resolveSecret(p profiles.Profile, deps Deps, field string) (string, error) {
	if deps.Secret == nil {
		return "", fmt.Errorf("profile %q: cannot resolve %s: %w", p.Name, field, errNoSecretResolver)
	}
	v, err := deps.Secret(p, field)
	if err != nil {
		return "", fmt.Errorf("profile %q: %s: %w", p.Name, field, err)
	}
	if v == "" {
		return "", fmt.Errorf("profile %q: %s is empty", p.Name, field)
	}
	return v, nil
}

// publicClient builds MSAL's public client for the profile, and the log
// of the answers it receives (for classify).
func (s *Service) publicClient(p profiles.Profile, acc *tokencache.Accessor) (public.Client, *answerLog, error) {
	hc, err := HTTPClient(s.deps.HTTPClient, p)
	if err != nil {
		return public.Client{}, nil, err
	}
	hc, answers := recording(hc)
	c, err := public.New(p.ClientID,
		public.WithAuthority(p.AuthorityURL()),
		public.WithHTTPClient(hc),
		public.WithCache(acc),
		public.WithInstanceDiscovery(p.InstanceDiscovery()),
	)
	if err != nil {
		return public.Client{}, nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return c, answers, nil
}

// confidentialClient builds MSAL's confidential client with the profile's
// secret or certificate, and the log of the answers it receives.
func (s *Service) confidentialClient(p profiles.Profile, flow profiles.Flow, acc *tokencache.Accessor) (confidential.Client, *answerLog, error) {
	var cred confidential.Credential
	switch flow {
	case profiles.FlowSecret:
		if p.ClientSecret == "" {
			return confidential.Client{}, nil, fmt.Errorf("profile %q has no client_secret: set it to env:VAR or keyring", p.Name)
		}
		secret, err := resolveSecret(p, s.deps, "client_secret")
		if err != nil {
			return confidential.Client{}, nil, err
		}
		cred, err = confidential.NewCredFromSecret(secret)
		if err != nil {
			return confidential.Client{}, nil, fmt.Errorf("profile %q: client_secret: %w", p.Name, err)
		}
	case profiles.FlowCertificate:
		var err error
		cred, err = certCredential(p, s.deps)
		if err != nil {
			return confidential.Client{}, nil, err
		}
	default:
		return confidential.Client{}, nil, fmt.Errorf("profile %q: flow %q is not an app flow", p.Name, flow)
	}
	hc, err := HTTPClient(s.deps.HTTPClient, p)
	if err != nil {
		return confidential.Client{}, nil, err
	}
	hc, answers := recording(hc)
	c, err := confidential.New(p.AuthorityURL(), p.ClientID, cred,
		confidential.WithHTTPClient(hc),
		confidential.WithCache(acc),
		confidential.WithInstanceDiscovery(p.InstanceDiscovery()),
	)
	if err != nil {
		return confidential.Client{}, nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return c, answers, nil
}

// CheckWritable reports whether the profile's token cache can be saved
// now (tokencache.File.CheckWritable): callers that show a person a
// sign-in check it first, so nobody signs in for tokens that would be lost.
func (s *Service) CheckWritable(p profiles.Profile) error {
	file, err := s.cacheFile(p)
	if err != nil {
		return err
	}
	return file.CheckWritable()
}

// Login signs in with the given flow (the profile's own when empty),
// reporting progress to events, and stores the result in the cache,
// replacing what the profile had cached.
func (s *Service) Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events Events) (*Tokens, error) {
	if flow == "" {
		flow = p.Flow
	}
	if !p.IsEntra() {
		return s.loginProvider(ctx, p, flow, events)
	}
	if err := checkProfile(p, flow); err != nil {
		return nil, err
	}
	file, err := s.cacheForSignIn(p, flow)
	if err != nil {
		return nil, err
	}
	var prev *tokencache.Account
	if flow.IsUser() {
		prev = previousAccount(file, p, flow)
	}
	acc := tokencache.NewAccessor(file, tokencache.Fresh, false)
	var t *Tokens
	switch flow {
	case profiles.FlowDevice:
		t, err = s.loginDevice(ctx, p, acc, events)
	case profiles.FlowBrowser:
		t, err = s.loginBrowser(ctx, p, acc, events)
	default:
		t, err = s.appToken(ctx, p, flow, acc, "sign in")
	}
	if err != nil {
		return nil, err
	}
	if _, err := checkShape(p, t); err != nil {
		return nil, err
	}
	t.Flow = flow
	if flow.IsUser() {
		s.checkAccount(p, t, prev)
	}
	if acc.Exported() {
		if err := s.keepAccessToken(ctx, file, p, flow, t, false); err != nil {
			s.warnf("token cache of profile %q: the new token could not be kept: %v", p.Name, err)
		}
	}
	s.logf("signed in: profile %q, flow %s, token valid until %s", p.Name, flow, t.ExpiresOn.Format(time.RFC3339))
	return t, nil
}

// loginDevice runs the device-code flow.
func (s *Service) loginDevice(ctx context.Context, p profiles.Profile, acc *tokencache.Accessor, events Events) (*Tokens, error) {
	op := fmt.Sprintf("device-code sign-in for profile %q", p.Name)
	client, answers, err := s.publicClient(p, acc)
	if err != nil {
		return nil, err
	}
	dc, err := client.AcquireTokenByDeviceCode(ctx, p.ScopeList())
	if err != nil {
		return nil, classify(op, err, answers)
	}
	emit(events, DeviceCode{
		UserCode:        dc.Result.UserCode,
		VerificationURL: dc.Result.VerificationURL,
		Message:         dc.Result.Message,
		ExpiresAt:       dc.Result.ExpiresOn,
		Interval:        time.Duration(dc.Result.Interval) * time.Second,
	})
	// MSAL sets ExpiresOn to the time of the answer plus its expires_in.
	lifetime := time.Until(dc.Result.ExpiresOn).Round(time.Second)
	if lifetime < 0 {
		lifetime = 0
	}
	ar, err := dc.AuthenticationResult(ctx)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// MSAL caps polling at the code's expiry.
			return nil, deviceCodeError(op, expiredDeviceCode(lifetime), lifetime)
		}
		cerr := classify(op, err, answers)
		var ee *EntraError
		if errors.As(cerr, &ee) {
			return nil, deviceCodeError(op, ee.Err, lifetime)
		}
		return nil, cerr
	}
	return tokensFromResult(p, profiles.FlowDevice, ar), nil
}

// appToken requests a new app token (client credentials). MSAL looks in
// the accessor's cache first; Login and forced refreshes give it one
// without access tokens.
func (s *Service) appToken(ctx context.Context, p profiles.Profile, flow profiles.Flow, acc *tokencache.Accessor, what string) (*Tokens, error) {
	op := fmt.Sprintf("%s with the %s of profile %q", what, credentialName(flow), p.Name)
	client, answers, err := s.confidentialClient(p, flow, acc)
	if err != nil {
		return nil, err
	}
	ar, err := client.AcquireTokenByCredential(ctx, p.ScopeList())
	if err != nil {
		return nil, classify(op, err, answers)
	}
	t := &Tokens{
		Profile:     p.Name,
		Flow:        flow,
		AccessToken: ar.AccessToken,
		TokenType:   "Bearer",
		ExpiresOn:   ar.ExpiresOn,
		Scopes:      nonEmpty(ar.GrantedScopes, p.ScopeList()),
	}
	return t, nil
}

func credentialName(flow profiles.Flow) string {
	if flow == profiles.FlowCertificate {
		return "certificate"
	}
	return "client secret"
}

func nonEmpty(a, fallback []string) []string {
	if len(a) == 0 {
		return fallback
	}
	return append([]string(nil), a...)
}

// tokensFromResult turns a user sign-in result into Tokens.
func tokensFromResult(p profiles.Profile, flow profiles.Flow, ar public.AuthResult) *Tokens {
	t := &Tokens{
		Profile:     p.Name,
		Flow:        flow,
		AccessToken: ar.AccessToken,
		IDToken:     ar.IDToken.RawToken,
		TokenType:   "Bearer",
		ExpiresOn:   ar.ExpiresOn,
		Scopes:      nonEmpty(ar.GrantedScopes, p.ScopeList()),
		Account: Account{
			Username:      ar.Account.PreferredUsername,
			Name:          ar.IDToken.Name,
			ObjectID:      ar.IDToken.Oid,
			TenantID:      ar.IDToken.TenantID,
			HomeAccountID: ar.Account.HomeAccountID,
		},
	}
	if t.Account.Username == "" {
		t.Account.Username = firstNonEmpty(ar.IDToken.PreferredUsername, ar.IDToken.UPN, ar.IDToken.Email)
	}
	if t.Account.TenantID == "" {
		t.Account.TenantID = ar.Account.Realm
	}
	return t
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Silent returns a valid token without any prompt: the cached one, a
// refreshed one (user flows), or a new app token (secret/certificate).
// When a person must sign in it returns a *LoginRequiredError.
//
// The profile's cache lock is held from reading the cache to writing the
// refreshed token, so concurrent processes refresh once: the others find
// the new token in the cache. A token valid beyond MinValid is returned
// from the cache file directly, without constructing an MSAL client, so
// that no request at all (not even instance discovery) is made.
func (s *Service) Silent(ctx context.Context, p profiles.Profile, opts SilentOptions) (*Tokens, error) {
	if !p.IsEntra() {
		return s.silentProvider(ctx, p, opts)
	}
	flow := p.Flow
	if err := checkProfile(p, flow); err != nil {
		return nil, err
	}
	minValid := opts.minValid()
	file, _, contents, unlock, err := s.lockedCache(ctx, p)
	if err != nil {
		return nil, err
	}
	defer unlock()
	entry := contents.Find(cacheQuery(p, flow))
	if !opts.Force && entry.AccessToken != nil && entry.AccessToken.ExpiresOn.T.Sub(s.now()) > minValid {
		return checkShape(p, tokensFromEntry(p, flow, entry))
	}

	if flow.IsUser() && (entry.Account == nil || !entry.HasRefreshToken) {
		reason := "no cached sign-in"
		if entry.AccessToken != nil {
			reason = "the cached token is expiring and there is no refresh token"
		}
		return nil, &LoginRequiredError{Profile: p.Name, Reason: reason}
	}
	acc := tokencache.NewAccessor(file, tokencache.DropAccessTokens, true)
	emit(opts.Events, Refreshing{})
	var t *Tokens
	if flow.IsUser() {
		t, err = s.refreshUser(ctx, p, flow, acc, entry.Account.HomeAccountID)
	} else {
		t, err = s.appToken(ctx, p, flow, acc, "request a new token")
	}
	if err != nil {
		return nil, err
	}
	if acc.Exported() {
		if err := s.keepAccessToken(ctx, file, p, flow, t, true); err != nil {
			s.warnf("token cache of profile %q: the new token could not be kept: %v", p.Name, err)
		}
	}
	if _, err := checkShape(p, t); err != nil {
		return nil, err
	}
	emit(opts.Events, Refreshed{ExpiresAt: t.ExpiresOn})
	s.logf("token refreshed: profile %q, valid until %s", p.Name, t.ExpiresOn.Format(time.RFC3339))
	return t, nil
}

// cacheForSignIn opens p's token cache for a sign-in with flow. A sign-in
// whose tokens cannot be kept is not worth starting. A person waits for a
// device or browser sign-in, so for those the cache must take a write now
// (a full or read-only disk fails here, before any request); an app token
// is quick to get again, and is handed out with a warning when it cannot
// be kept.
func (s *Service) cacheForSignIn(p profiles.Profile, flow profiles.Flow) (*tokencache.File, error) {
	file, err := s.cacheFile(p)
	if err != nil {
		return nil, err
	}
	if flow.IsUser() {
		if err := file.CheckWritable(); err != nil {
			return nil, fmt.Errorf("profile %q: no sign-in started, as it could not be kept for the next run: %w", p.Name, err)
		}
	} else if err := file.EnsureDir(); err != nil {
		return nil, fmt.Errorf("sign in with profile %q: %w", p.Name, err)
	}
	return file, nil
}

// lockedCache opens p's token cache, takes its lock and reads it. The
// caller holds the lock until it calls unlock, so that concurrent
// processes refresh once: the others find the new token in the cache.
func (s *Service) lockedCache(ctx context.Context, p profiles.Profile) (file *tokencache.File, data []byte, contents *tokencache.Contents, unlock func(), err error) {
	file, err = s.cacheFile(p)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	unlock, err = file.Lock(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	data, err = file.Load()
	if err == nil {
		contents, err = tokencache.Parse(data)
	}
	if err != nil {
		unlock()
		return nil, nil, nil, nil, err
	}
	return file, data, contents, unlock, nil
}

// minValid is how long a returned token must still live: MinValid, or
// DefaultMinValid when it is not set.
func (o SilentOptions) minValid() time.Duration {
	if o.MinValid <= 0 {
		return DefaultMinValid
	}
	return o.MinValid
}

// keepAccessToken makes sure the token just acquired is in the cache
// file. MSAL leaves out access tokens that expire within 5 minutes; without
// them every Silent call would fetch a new token however small MinValid is.
func (s *Service) keepAccessToken(ctx context.Context, file *tokencache.File, p profiles.Profile, flow profiles.Flow, t *Tokens, locked bool) error {
	if t.AccessToken == "" {
		return nil
	}
	if !locked {
		unlock, err := file.Lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	data, err := file.Load()
	if err != nil {
		return err
	}
	contents, err := tokencache.Parse(data)
	if err != nil {
		return err
	}
	q := cacheQuery(p, flow)
	if e := contents.Find(q); e.AccessToken != nil && e.AccessToken.Secret == t.AccessToken {
		return nil
	}
	out, err := tokencache.PutAccessToken(data, tokencache.AccessToken{
		HomeAccountID: t.Account.HomeAccountID,
		Environment:   q.Environment,
		Realm:         q.Realm,
		ClientID:      p.ClientID,
		Secret:        t.AccessToken,
		Target:        strings.Join(t.Scopes, " "),
		ExpiresOn:     tokencache.Unix{T: t.ExpiresOn},
		CachedAt:      tokencache.Unix{T: time.Now()},
	})
	if err != nil {
		return err
	}
	s.logf("token cache: kept the short-lived token of profile %q (MSAL does not cache tokens valid under 5 minutes)", p.Name)
	return file.Save(out)
}

// refreshUser redeems the cached refresh token of the account.
func (s *Service) refreshUser(ctx context.Context, p profiles.Profile, flow profiles.Flow, acc *tokencache.Accessor, homeAccountID string) (*Tokens, error) {
	op := fmt.Sprintf("refresh the token of profile %q", p.Name)
	client, answers, err := s.publicClient(p, acc)
	if err != nil {
		return nil, err
	}
	accounts, err := client.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: read the cached accounts: %w", op, err)
	}
	var account public.Account
	found := false
	for _, a := range accounts {
		if a.HomeAccountID == homeAccountID {
			account, found = a, true
			break
		}
	}
	if !found {
		return nil, &LoginRequiredError{Profile: p.Name, Reason: "no cached sign-in"}
	}
	ar, err := client.AcquireTokenSilent(ctx, p.ScopeList(), public.WithSilentAccount(account))
	if err != nil {
		cerr := classify(op, err, answers)
		var ee *EntraError
		if errors.As(cerr, &ee) {
			if reason, ok := loginRequiredReason(ee.Err); ok {
				return nil, &LoginRequiredError{Profile: p.Name, Reason: reason, Err: ee.Err}
			}
			ee.Refresh = true
		}
		if strings.Contains(err.Error(), "no token found") {
			return nil, &LoginRequiredError{Profile: p.Name, Reason: "no cached refresh token"}
		}
		return nil, cerr
	}
	return tokensFromResult(p, flow, ar), nil
}

// tokensFromEntry turns what the cache holds into Tokens.
func tokensFromEntry(p profiles.Profile, flow profiles.Flow, e tokencache.Entry) *Tokens {
	t := &Tokens{Profile: p.Name, Flow: flow, TokenType: "Bearer", FromCache: true}
	if at := e.AccessToken; at != nil {
		t.AccessToken = at.Secret
		t.ExpiresOn = at.ExpiresOn.T
		t.Scopes = strings.Fields(at.Target)
		if at.TokenType != "" {
			t.TokenType = at.TokenType
		}
	}
	if a := e.Account; a != nil {
		t.Account = Account{Username: a.Username, Name: a.Name, TenantID: a.Realm, HomeAccountID: a.HomeAccountID, ObjectID: a.LocalAccountID}
	}
	if e.IDToken != "" {
		t.IDToken = e.IDToken
		if c, err := tokencache.DecodeIDToken(e.IDToken); err == nil {
			t.Account.Name = firstNonEmpty(c.Name, t.Account.Name)
			t.Account.ObjectID = firstNonEmpty(c.ObjectID, t.Account.ObjectID)
			t.Account.TenantID = firstNonEmpty(c.TenantID, t.Account.TenantID)
			t.Account.Username = firstNonEmpty(t.Account.Username, c.PreferredUsername, c.UPN)
		}
	}
	return t
}

// Logout removes the profile's cached tokens and reports what was removed.
func (s *Service) Logout(p profiles.Profile) ([]string, error) {
	file, err := s.cacheFile(p)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	unlock, err := file.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	removed, err := file.Remove()
	if err != nil {
		return removed, fmt.Errorf("sign out of profile %q: %w", p.Name, err)
	}
	return removed, nil
}

// Cached returns the cached tokens of the profile without any network
// request, or nil when there are none. Expired tokens are returned too
// (ExpiresOn tells); it never refreshes. For user flows a cached sign-in
// whose access token is gone is returned with an empty AccessToken and the
// Account.
func (s *Service) Cached(p profiles.Profile) (*Tokens, error) {
	file, err := s.cacheFile(p)
	if err != nil {
		return nil, err
	}
	data, err := file.Load()
	if err != nil {
		return nil, err
	}
	contents, err := tokencache.Parse(data)
	if err != nil {
		return nil, err
	}
	candidates := []profiles.Flow{p.Flow}
	if p.Flow == "" {
		// A profile being edited: show whatever it has cached.
		candidates = []profiles.Flow{profiles.FlowBrowser, profiles.FlowSecret}
	}
	for _, flow := range candidates {
		if entry := contents.Find(cacheQuery(p, flow)); !entry.Empty() {
			return tokensFromEntry(p, flow, entry), nil
		}
	}
	return nil, nil
}

// CachePath is the profile's token cache file (which may not exist yet).
func (s *Service) CachePath(p profiles.Profile) (string, error) {
	file, err := s.cacheFile(p)
	if err != nil {
		return "", err
	}
	return file.Path(), nil
}

// CertificateInfo describes the certificate of a certificate profile with
// the service's secret resolver (for the PFX password).
func (s *Service) CertificateInfo(p profiles.Profile) (CertInfo, error) {
	return CertificateInfo(p, s.deps)
}

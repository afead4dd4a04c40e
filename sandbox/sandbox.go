// Package sandbox is a fake Microsoft Entra ID tenant and Cognite Data
// Fusion API on 127.0.0.1, over HTTPS with a CA generated at start. It
// follows Entra's v2 endpoints (paths, JSON shapes, status codes, AADSTS
// errors, device-code polling rules) and CDF's token/inspect, groups and
// project endpoints closely enough that MSAL Go and cdflogin cannot tell
// the difference. Tests, "cdflogin demo" and "cdflogin sandbox" run on it.
//
// Start one with Start, address it as AuthorityURL and CDFURL, trust it
// with HTTPClient (in process) or CAPEM (other processes, SSL_CERT_FILE),
// and drive it with ApproveDeviceCode, InjectFault, ExpireRefreshTokens,
// ChangeUserGroups, Advance and Requests, or over HTTP under /_sandbox/ (see admin.go).
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a sandbox. The zero value is the default world on
// ephemeral ports of 127.0.0.1 with Entra's lifetimes.
type Options struct {
	// Addr is the Entra listener address; default 127.0.0.1:0.
	Addr string
	// CDFAddr is the CDF listener address; default 127.0.0.1:0.
	CDFAddr string
	// IdPAddr is the address of the Cognito user pool and OIDC provider
	// listener (idp.go); default 127.0.0.1:0.
	IdPAddr string
	// World is the tenant and CDF content; nil means DefaultWorld().
	World *World
	// Now is the clock; nil means time.Now. Advance adds to it.
	Now func() time.Time

	// AccessTokenLifetime of access and ID tokens; default 1h.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime is the inactivity lifetime of refresh tokens;
	// default 90 days.
	RefreshTokenLifetime time.Duration
	// AuthCodeLifetime; default 10 minutes.
	AuthCodeLifetime time.Duration
	// DeviceCodeLifetime; default 15 minutes (expires_in 900).
	DeviceCodeLifetime time.Duration
	// DeviceInterval is the polling interval handed out; default 5s like
	// Entra. As Entra, the sandbox does not enforce it: every poll before
	// the user finished is answered authorization_pending, never
	// slow_down (Entra documents none), so clients that poll at once
	// (MSAL Node), back off on their own (MSAL Go) or wait the interval
	// first (golang.org/x/oauth2) all work.
	DeviceInterval time.Duration

	// IssParameter makes the sandbox an RFC 9207 authorization server:
	// its discovery document advertises
	// authorization_response_iss_parameter_supported, and every answer it
	// sends to a redirect URI (a code or an error) carries iss, the
	// tenant's issuer. Entra does neither, so the default is off; certified
	// OpenID providers shaped like Entra do, and clients must then refuse
	// an answer whose iss is missing or another issuer's (the mix-up
	// defence).
	IssParameter bool

	// Logf receives one line per request; nil discards.
	Logf func(format string, args ...any)
}

// Sandbox is a running fake tenant and CDF. It is safe for concurrent use.
type Sandbox struct {
	opts  Options
	world World

	ca        *authority
	signer    *signingKey
	entraSrv  *http.Server
	cdfSrv    *http.Server
	idp       *idpState // the Cognito user pool and the OIDC provider (idp.go)
	entraURL  string    // https://127.0.0.1:PORT
	cdfURL    string    // https://127.0.0.1:PORT2
	tlsConfig *tls.Config

	mu      sync.Mutex
	offset  time.Duration
	logins  map[string]*pendingLogin
	codes   map[string]*authCode
	devices map[string]*deviceCode // by device_code
	refresh map[string]*refreshToken
	faults  []*faultRule
	revoked map[string]bool // client IDs whose consent was revoked
	grants  map[string]bool // user consent given on the consent page: grantKey(client ID, user OID)
	// memberships are users' groups as changed over the admin API, by
	// object ID (absent: the world's).
	memberships map[string][]string
	requests    []Request

	wg sync.WaitGroup
}

// Start generates the CA and keys, opens both listeners and serves until
// Close.
func Start(opts Options) (*Sandbox, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.CDFAddr == "" {
		opts.CDFAddr = "127.0.0.1:0"
	}
	if opts.IdPAddr == "" {
		opts.IdPAddr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.AccessTokenLifetime, time.Hour)
	def(&opts.RefreshTokenLifetime, 90*24*time.Hour)
	def(&opts.AuthCodeLifetime, 10*time.Minute)
	def(&opts.DeviceCodeLifetime, 15*time.Minute)
	def(&opts.DeviceInterval, 5*time.Second)

	s := &Sandbox{
		opts:    opts,
		logins:  map[string]*pendingLogin{},
		codes:   map[string]*authCode{},
		devices: map[string]*deviceCode{},
		refresh: map[string]*refreshToken{},
		revoked: map[string]bool{},
		grants:  map[string]bool{},

		memberships: map[string][]string{},
	}
	if opts.World != nil {
		s.world = *opts.World
	} else {
		s.world = DefaultWorld()
	}
	if s.world.CDFTokenVersion == 0 {
		s.world.CDFTokenVersion = 2
	}

	var err error
	if s.ca, err = newAuthority(opts.Now()); err != nil {
		return nil, err
	}
	if s.signer, err = newSigningKey(opts.Now()); err != nil {
		return nil, err
	}
	s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{s.ca.serverCert}, MinVersion: tls.VersionTLS12}

	entraLn, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen for Entra on %s: %w", opts.Addr, err)
	}
	cdfLn, err := net.Listen("tcp", opts.CDFAddr)
	if err != nil {
		_ = entraLn.Close()
		return nil, fmt.Errorf("sandbox: listen for CDF on %s: %w", opts.CDFAddr, err)
	}
	idpLn, err := net.Listen("tcp", opts.IdPAddr)
	if err != nil {
		_ = entraLn.Close()
		_ = cdfLn.Close()
		return nil, fmt.Errorf("sandbox: listen for the Cognito and OIDC issuers on %s: %w", opts.IdPAddr, err)
	}
	s.idp = newIdPState(s.Now)
	s.idp.url = "https://" + urlHost(idpLn.Addr())
	s.entraURL = "https://" + urlHost(entraLn.Addr())
	s.cdfURL = "https://" + urlHost(cdfLn.Addr())

	s.entraSrv = &http.Server{Handler: s.middleware("entra", s.entraMux()), ReadHeaderTimeout: 10 * time.Second}
	s.cdfSrv = &http.Server{Handler: s.middleware("cdf", s.cdfMux()), ReadHeaderTimeout: 10 * time.Second}
	s.serve(s.entraSrv, tls.NewListener(entraLn, s.tlsConfig))
	s.serve(s.cdfSrv, tls.NewListener(cdfLn, s.tlsConfig))
	s.idp.srv = &http.Server{Handler: s.middleware("idp", s.idpMux()), ReadHeaderTimeout: 10 * time.Second}
	s.serve(s.idp.srv, tls.NewListener(idpLn, s.tlsConfig))
	return s, nil
}

func (s *Sandbox) serve(srv *http.Server, ln net.Listener) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
}

// urlHost renders a listener address for a URL: 127.0.0.1 stays an IP
// (MSAL compares the issuer host with the authority host).
func urlHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		ip = "127.0.0.1"
	}
	return net.JoinHostPort(ip, fmt.Sprint(tcp.Port))
}

// Close stops both listeners and waits for them.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err1 := s.entraSrv.Shutdown(ctx)
	err2 := s.cdfSrv.Shutdown(ctx)
	if err := s.idp.srv.Shutdown(ctx); err != nil {
		_ = s.idp.srv.Close()
	}
	if err1 != nil {
		_ = s.entraSrv.Close()
	}
	if err2 != nil {
		_ = s.cdfSrv.Close()
	}
	s.wg.Wait()
	if errors.Is(err1, context.DeadlineExceeded) {
		err1 = nil
	}
	if errors.Is(err2, context.DeadlineExceeded) {
		err2 = nil
	}
	return errors.Join(err1, err2)
}

// AuthorityURL is the authority of the tenant, https://127.0.0.1:PORT/<tenant-id>.
func (s *Sandbox) AuthorityURL() string { return s.entraURL + "/" + s.world.TenantID }

// BaseURL is the root of the Entra listener, https://127.0.0.1:PORT.
func (s *Sandbox) BaseURL() string { return s.entraURL }

// CDFURL is the CDF base URL, https://127.0.0.1:PORT2; it is also the
// resource (audience) of CDF tokens: scope CDFURL()+"/.default".
func (s *Sandbox) CDFURL() string { return s.cdfURL }

// Issuer is the v2 token issuer, AuthorityURL()+"/v2.0".
func (s *Sandbox) Issuer() string { return s.issuerV2() }

// DeviceLoginURL is the device-code verification page.
func (s *Sandbox) DeviceLoginURL() string { return s.entraURL + "/devicelogin" }

// CAPEM is the sandbox CA certificate in PEM form.
func (s *Sandbox) CAPEM() []byte { return append([]byte(nil), s.ca.caPEM...) }

// CertPool is a pool holding only the sandbox CA.
func (s *Sandbox) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.ca.caCert)
	return p
}

// HTTPClient returns a new client that trusts the sandbox CA (and only it).
func (s *Sandbox) HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12}
	tr.Proxy = nil
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// World returns the sandbox's world (apps, users, groups, projects).
// Treat it as read-only: its slices are shared with the running sandbox.
func (s *Sandbox) World() World { return s.world }

// Now is the sandbox clock: Options.Now plus what Advance added.
func (s *Sandbox) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Sandbox) nowLocked() time.Time { return s.opts.Now().Add(s.offset) }

// Advance moves the sandbox clock forward by d (token expiry, device code
// expiry, refresh token inactivity), without touching the caller's clock.
func (s *Sandbox) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// SetAccessTokenLifetime changes the lifetime of the access and ID tokens
// issued from now on (tests that need a token to outlive the one cached).
func (s *Sandbox) SetAccessTokenLifetime(d time.Duration) {
	s.mu.Lock()
	s.opts.AccessTokenLifetime = d
	s.mu.Unlock()
}

// RevokeConsent withdraws the admin consent of the app (key or client ID)
// to the CDF API, and every user's own consent to it, as an admin removing
// the permissions in the portal would: from now on its user tokens,
// refreshes included, fail with AADSTS65001 until someone consents again.
func (s *Sandbox) RevokeConsent(app string) error {
	a, ok := s.world.App(app)
	if !ok {
		return fmt.Errorf("sandbox: no app %q", app)
	}
	s.mu.Lock()
	s.revoked[a.ClientID] = true
	for k := range s.grants {
		if strings.HasPrefix(k, a.ClientID+" ") {
			delete(s.grants, k)
		}
	}
	s.mu.Unlock()
	return nil
}

// consented reports whether userOID may get tokens of app for the CDF
// API: an admin consented for the tenant, or the user accepted the
// consent page.
func (s *Sandbox) consented(a App, userOID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consentedLocked(a, userOID)
}

func (s *Sandbox) consentedLocked(a App, userOID string) bool {
	return (a.Consented && !s.revoked[a.ClientID]) || s.grants[grantKey(a.ClientID, userOID)]
}

// grantKey is the key of a user's consent to an app in Sandbox.grants.
func grantKey(clientID, userOID string) string { return clientID + " " + userOID }

// sweepLocked forgets sign-ins, codes and device codes well past their
// expiry, so a long-running sandbox does not grow. s.mu must be held.
func (s *Sandbox) sweepLocked(now time.Time) {
	const grace = time.Hour // expired codes still answer "expired" for a while
	for k, v := range s.logins {
		if now.After(v.expires) {
			delete(s.logins, k)
		}
	}
	for k, v := range s.codes {
		if now.After(v.expires.Add(grace)) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.devices {
		if now.After(v.expires.Add(grace)) {
			delete(s.devices, k)
		}
	}
}

func (s *Sandbox) issuerV2() string { return s.AuthorityURL() + "/v2.0" }
func (s *Sandbox) issuerV1() string { return "https://sts.windows.net/" + s.world.TenantID + "/" }
func (s *Sandbox) tokenEndpoint(tenant string) string {
	return s.entraURL + "/" + tenant + "/oauth2/v2.0/token"
}

func (s *Sandbox) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// randomID returns n random bytes as base64url text.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b64(b)
}

// newGUID returns a random version-4 UUID.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// tenantOK reports whether the path's tenant names the sandbox tenant.
func (s *Sandbox) tenantOK(t string) bool {
	return strings.EqualFold(t, s.world.TenantID) || strings.EqualFold(t, s.world.TenantDomain) ||
		strings.EqualFold(t, "organizations") || strings.EqualFold(t, "common")
}

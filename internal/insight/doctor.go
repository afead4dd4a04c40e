package insight

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Status is the outcome of one check.
type Status string

// Outcomes, printed as ✓ i ! ✗ -.
const (
	StatusOK   Status = "ok"
	StatusInfo Status = "info"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Check is one step of the doctor.
type Check struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	// Details is more text that carries the fix: the explanation of
	// Entra's answer, or the advice for a failure to reach Entra ID or CDF
	// (diagnosis.Explain's, as the command line prints it).
	Details string `json:"details,omitempty"`
}

// Check IDs, in the order they run (claims checks appear as
// "claims/<finding id>").
const (
	CheckProfile      = "profile"
	CheckAuthority    = "authority"
	CheckRedirectPort = "redirect-port"
	CheckAuthorize    = "authorize"
	CheckCertificate  = "certificate"
	CheckDeviceCode   = "device-code"
	CheckToken        = "token"
	CheckClaims       = "claims"
	CheckCDF          = "cdf"
	CheckProject      = "project-access"
	CheckGroups       = "group-mapping"
	// CheckFlows: which flows a Cognito or OIDC provider's discovery
	// document offers (a device endpoint, private_key_jwt), and whether
	// the profile's flow is one of them.
	CheckFlows = "provider-flows"
)

// DoctorInput is the profile to check.
type DoctorInput struct {
	// Name is the profile as asked for (reported when it cannot be read).
	Name string
	// Profile is the profile; ProfileErr why it could not be read.
	Profile    profiles.Profile
	ProfileErr error
}

// DoctorReport is the checks, in the order they ran.
type DoctorReport struct {
	Profile string
	Checks  []Check
}

// Failed is how many checks failed.
func (r *DoctorReport) Failed() int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			n++
		}
	}
	return n
}

// doctor carries one run's state.
type doctor struct {
	d      Deps
	p      profiles.Profile
	checks []Check
	// registration is set when a probe before the sign-in found the app
	// registration wrong, so the token check points there, not at login.
	registration bool
}

func (dr *doctor) add(c Check) { dr.checks = append(dr.checks, c) }

func (dr *doctor) skip(id, why string) {
	dr.add(Check{ID: id, Status: StatusSkip, Message: "skipped: " + why})
}

// explain gives c the seam's explanation of a failure: its fix, and the
// whole explanation as the details.
func (c *Check) explain(x diagnosis.Explanation) {
	if !x.Explained() {
		return
	}
	if f := x.FixText(); f != "" {
		c.Fix = f
	}
	c.Details = x.String()
}

// Doctor runs every check in order: the profile; the authority's
// discovery; for browser profiles the redirect port and Entra's answer to
// the sign-in URL, for device profiles Entra's answer to a device-code
// request (both asked before, and without, any sign-in), for certificate
// profiles the certificate; then the token (without a prompt), its claims,
// and what CDF says of it. Checks that need one that failed are skipped.
// Every failure is explained by the diagnosis seam, as the command line
// explains the same failure.
func Doctor(ctx context.Context, d Deps, in DoctorInput) *DoctorReport {
	dr := &doctor{d: d, p: in.Profile}
	if in.ProfileErr != nil {
		c := Check{ID: CheckProfile, Status: StatusFail, Message: in.ProfileErr.Error(), Fix: "Create or fix the profile: cdflogin profile add / cdflogin profile edit"}
		var det interface{ Details() string }
		if errors.As(in.ProfileErr, &det) {
			c.Details = det.Details()
		}
		dr.add(c)
		return &DoctorReport{Profile: in.Name, Checks: dr.checks}
	}
	p := in.Profile
	if err := profiles.Validate(p); err != nil {
		dr.add(Check{ID: CheckProfile, Status: StatusFail, Message: err.Error(), Fix: "cdflogin profile edit " + p.Name})
		return &DoctorReport{Profile: p.Name, Checks: dr.checks}
	}
	dr.add(Check{ID: CheckProfile, Status: StatusOK, Message: fmt.Sprintf("profile %s is valid (%s flow, client %s, %s, project %s)", p.Name, p.Flow, p.ClientID, p.BaseURL(), p.Project)})
	if w := p.AuthorityWarning(); w != "" {
		dr.add(Check{ID: CheckAuthority, Status: StatusWarn, Message: w})
	}

	hc, err := d.HTTPClient(p)
	if err != nil {
		dr.add(Check{ID: CheckAuthority, Status: StatusFail, Message: err.Error(), Fix: "Fix the profile's ca_file"})
		return &DoctorReport{Profile: p.Name, Checks: dr.checks}
	}

	if !p.IsEntra() {
		return dr.provider(ctx, hc)
	}
	cfg := dr.authority(ctx, hc)
	switch p.Flow {
	case profiles.FlowBrowser:
		dr.redirectPort()
		if cfg == nil {
			dr.skip(CheckAuthorize, "the authority did not answer")
		} else {
			dr.authorize(ctx, hc, cfg)
		}
	case profiles.FlowCertificate:
		dr.certificate()
	case profiles.FlowDevice:
		if cfg == nil {
			dr.skip(CheckDeviceCode, "the authority did not answer")
		} else {
			dr.deviceCode(ctx, hc, cfg)
		}
	}

	tok, fresh := dr.token(ctx, cfg != nil)
	if tok == "" {
		for _, id := range []string{CheckClaims, CheckCDF, CheckProject, CheckGroups} {
			dr.skip(id, "no token")
		}
		return &DoctorReport{Profile: p.Name, Checks: dr.checks}
	}
	// CDF is asked first, as it tells the audience the project accepts;
	// the checks are reported in the order a token is made and used.
	rep, cdfErr := dr.inspect(ctx, hc, tok)
	audience := ""
	if rep != nil && rep.Project != nil && rep.Project.OIDCConfiguration != nil {
		audience = rep.Project.OIDCConfiguration.Audience
	}
	dr.claims(ctx, hc, cfg, tok, fresh, audience, cdfErr == nil)
	dr.cdf(rep, cdfErr, tok)
	return &DoctorReport{Profile: p.Name, Checks: dr.checks}
}

// explainEntra explains an answer Entra gave one of doctor's own requests
// (before any sign-in).
func (dr *doctor) explainEntra(c *Check, ae *aadsts.Error) {
	c.explain(diagnosis.Explain(diagnosis.Input{Answer: ae, Profile: dr.p, Step: aadsts.StepProbe}))
}

// explainNetwork explains a failure of one of doctor's own requests to
// reach svc.
func (dr *doctor) explainNetwork(c *Check, err error, svc nethint.Service, unreachable bool) {
	c.explain(diagnosis.Explain(diagnosis.Input{Err: err, Profile: dr.p, Service: svc, Unreachable: unreachable}))
}

func (dr *doctor) authority(ctx context.Context, hc *http.Client) *claims.OIDCConfig {
	p := dr.p
	cfg, err := claims.Discover(ctx, hc, p.AuthorityURL())
	if err == nil {
		msg := "OIDC discovery of " + p.AuthorityURL() + " answered; issuer " + cfg.Issuer
		if d := tenantDomain(p); d != "" {
			if tid, err := tenantOfIssuer(cfg.Issuer); err == nil {
				msg += "; the domain " + d + " belongs to tenant " + tid
			}
		}
		dr.add(Check{ID: CheckAuthority, Status: StatusOK, Message: msg})
		return cfg
	}
	c := Check{ID: CheckAuthority, Status: StatusFail, Message: firstLine(err.Error()),
		Fix: "Check the profile's tenant and authority: " + claims.DiscoveryURL(p.AuthorityURL()) + " must answer with its OpenID configuration"}
	var he *claims.HTTPError
	switch {
	case errors.As(err, &he):
		if ae, ok := aadsts.ParseBody([]byte(he.Body), he.Status); ok {
			ae.Source = aadsts.SourceDiscovery
			c.Message = "OIDC discovery of " + p.AuthorityURL() + ": " + ae.Summary()
			dr.explainEntra(&c, ae)
			if d := tenantDomain(p); d != "" && ae.AADSTS() == 90002 {
				// A domain: say plainly that no tenant claims it.
				c.Message = "no Entra tenant claims the domain " + d + " (AADSTS90002 from " + p.AuthorityURL() + ")"
				c.Fix = "Check the domain's spelling: it must be a verified domain of the tenant (Entra admin center › Entra ID › Domain names); " +
					"or set the tenant ID instead: cdflogin profile edit " + p.Name + " --tenant <tenant-id> (cdflogin profile add --email finds it from an e-mail address)"
			}
		}
	default:
		// Discover's errors carry the HTTP client's, so nethint can tell
		// a failure to reach the authority from an answer that is not
		// the document.
		dr.explainNetwork(&c, err, nethint.Entra, false)
		var ue *url.Error
		if c.Details != "" && errors.As(err, &ue) && ue.Err != nil {
			// Not the discovery URL twice more: the advice names the host.
			c.Message = "OIDC discovery of " + p.AuthorityURL() + ": " + firstLine(ue.Err.Error())
		}
	}
	dr.add(c)
	return nil
}

func (dr *doctor) redirectPort() {
	p := dr.p
	free := dr.d.PortFree
	if free == nil {
		free = listenFree
	}
	port := p.Port()
	if err := free(port); err != nil {
		c := Check{ID: CheckRedirectPort, Status: StatusFail, Message: err.Error()}
		var inUse *loopback.PortInUseError
		if !errors.As(err, &inUse) {
			c.Message = fmt.Sprintf("the redirect port %d cannot be used: %v", port, err)
			c.Fix = fmt.Sprintf("Stop the program on port %d, or set another redirect_port in the profile (cdflogin profile edit %s); Entra ignores the port of http://localhost redirect URIs", port, p.Name)
		}
		dr.add(c)
		return
	}
	dr.add(Check{ID: CheckRedirectPort, Status: StatusOK, Message: fmt.Sprintf("%s is free for the browser's redirect", p.RedirectURI())})
}

// listenFree binds the redirect port as the browser flow does (the
// loopback listener on 127.0.0.1 and ::1) and releases it at once.
func listenFree(port int) error {
	l, err := loopback.Listen(context.Background(), loopback.Config{Port: port, State: "cdflogin-doctor-port-check", Timeout: time.Second})
	if err != nil {
		return err
	}
	return l.Close()
}

// certExpiryWarning is how long before its end a certificate is reported.
const certExpiryWarning = 30 * 24 * time.Hour

func (dr *doctor) certificate() {
	p := dr.p
	if dr.d.CertInfo == nil {
		dr.skip(CheckCertificate, "no certificate loader")
		return
	}
	info, err := dr.d.CertInfo(p)
	if err != nil {
		dr.add(Check{ID: CheckCertificate, Status: StatusFail, Message: err.Error(),
			Fix: "Give a PEM (certificate and PKCS#8/PKCS#1 RSA key) or PFX file with its password reference: cdflogin profile edit " + p.Name})
		return
	}
	now := dr.d.now()
	upload := "App registrations › app › Certificates & secrets › Certificates must list thumbprint " + info.SHA1
	switch {
	case now.After(info.NotAfter):
		dr.add(Check{ID: CheckCertificate, Status: StatusFail,
			Message: fmt.Sprintf("the certificate %s expired %s", info.Subject, claims.RelativeTo(info.NotAfter, now)),
			Fix:     "Create a new certificate, upload its public part under App registrations › app › Certificates & secrets › Certificates › Upload certificate, and point the profile at it"})
	case now.Before(info.NotBefore):
		dr.add(Check{ID: CheckCertificate, Status: StatusFail,
			Message: fmt.Sprintf("the certificate %s is not valid before %s", info.Subject, info.NotBefore.UTC().Format(time.RFC3339)),
			Fix:     "Check this machine's clock, or use a certificate that is already valid"})
	case info.NotAfter.Sub(now) < certExpiryWarning:
		dr.add(Check{ID: CheckCertificate, Status: StatusWarn,
			Message: fmt.Sprintf("the certificate %s expires %s (thumbprint %s)", info.Subject, claims.RelativeTo(info.NotAfter, now), info.SHA1),
			Fix:     "Renew it soon and upload the new one under App registrations › app › Certificates & secrets › Certificates"})
	default:
		dr.add(Check{ID: CheckCertificate, Status: StatusOK,
			Message: fmt.Sprintf("certificate %s (%s) is valid until %s; %s", info.Subject, info.Format, info.NotAfter.UTC().Format("2006-01-02"), upload)})
	}
}

func (dr *doctor) token(ctx context.Context, authorityOK bool) (string, bool) {
	p := dr.p
	svc, err := dr.d.Flows()
	if err != nil {
		dr.add(Check{ID: CheckToken, Status: StatusFail, Message: err.Error()})
		return "", false
	}
	t, err := svc.Silent(ctx, p, flows.SilentOptions{})
	if err != nil {
		c := Check{ID: CheckToken, Status: StatusFail, Message: firstLine(err.Error())}
		var lr *flows.LoginRequiredError
		needLogin := errors.As(err, &lr) || errors.Is(err, flows.ErrLoginRequired)
		if needLogin {
			c.Message = "no token without a sign-in: " + reasonOf(err)
			c.Fix = "cdflogin login -p " + p.Name
		}
		x := diagnosis.Explain(diagnosis.Input{Err: err, Profile: p})
		switch {
		case dr.registration:
			// A sign-in would fail as the probe above did: send people
			// there, not back to the login that sent them here.
			c.Fix = "Fix the app registration first (see above); then cdflogin login -p " + p.Name
		case !authorityOK:
			c.Fix = "Fix the authority first (see above)"
		case x.Kind == diagnosis.Network || x.Kind == diagnosis.Entra:
			c.explain(x)
			if needLogin {
				c.Fix = "cdflogin login -p " + p.Name
			}
		}
		if x.Kind == diagnosis.Entra && c.Details == "" {
			c.Details = x.String()
		}
		dr.add(c)
		return "", false
	}
	how := "a new token"
	if t.FromCache {
		how = "the cached token"
	}
	who := t.Account.Username
	if tok, err := claims.Decode(t.AccessToken); who == "" && err == nil {
		who = tok.Subject()
		if tok.IsApp() {
			who = "application " + tok.ClientID()
		}
	}
	if who == "" {
		who = "profile " + p.Name
	}
	dr.add(Check{ID: CheckToken, Status: StatusOK, Message: fmt.Sprintf("%s for %s, valid until %s", how, who, t.ExpiresOn.UTC().Format(time.RFC3339))})
	return t.AccessToken, !t.FromCache
}

func reasonOf(err error) string {
	var lr *flows.LoginRequiredError
	if errors.As(err, &lr) {
		return lr.Reason
	}
	return err.Error()
}

func (dr *doctor) claims(ctx context.Context, hc *http.Client, cfg *claims.OIDCConfig, raw string, fresh bool, audience string, accepted bool) {
	p := dr.p
	tok, err := claims.Decode(raw)
	if err != nil {
		dr.add(Check{ID: CheckClaims, Status: StatusFail, Message: err.Error(), Fix: "Request the token for CDF: scopes <cdf_url>/.default"})
		return
	}
	exp := WithProjectAudience(ExpectFor(p, dr.d.now(), fresh), p, audience)
	if accepted {
		// CDF at the profile's address took the token: where that is
		// (a proxy, a private link) needs no caveat.
		exp.CDFURL = ""
	}
	fs := claims.Check(tok, exp)
	switch {
	case cfg != nil && !p.IsEntra():
		fs = append(fs, claims.VerifySignatureWith(ctx, hc, cfg, p.IssuerURL(), tok))
	case cfg != nil:
		fs = append(fs, claims.VerifySignatureWith(ctx, hc, cfg, p.AuthorityURL(), tok))
	default:
		fs = append(fs, claims.VerifySignature(ctx, hc, p.AuthorityURL(), tok))
	}
	for _, f := range fs {
		dr.add(Check{ID: CheckClaims + "/" + f.ID, Status: statusOf(f.Severity), Message: f.Message, Fix: f.Fix})
	}
}

func statusOf(s claims.Severity) Status {
	switch s {
	case claims.SeverityOK:
		return StatusOK
	case claims.SeverityInfo:
		return StatusInfo
	case claims.SeverityWarn:
		return StatusWarn
	}
	return StatusFail
}

// inspect asks CDF what the token grants.
func (dr *doctor) inspect(ctx context.Context, hc *http.Client, raw string) (*cdf.Report, error) {
	c := cdf.New(dr.p.BaseURL(), hc, raw)
	c.UserAgent = dr.d.UserAgent
	var groups []string
	if tok, err := claims.Decode(raw); err == nil {
		groups = TokenGroups(dr.p, tok)
	}
	return cdf.Inspect(ctx, c, dr.p.Project, groups)
}

func (dr *doctor) cdf(rep *cdf.Report, err error, raw string) {
	p := dr.p
	overage := false
	var groups []string
	if tok, derr := claims.Decode(raw); derr == nil {
		groups, overage = TokenGroups(p, tok), p.IsEntra() && tok.GroupsOverage()
	}
	if err != nil {
		ch := Check{ID: CheckCDF, Status: StatusFail, Message: err.Error()}
		var ce *cdf.Error
		if errors.As(err, &ce) {
			switch {
			case ce.Status == http.StatusUnauthorized:
				ch.Message = "CDF did not accept the token: " + err.Error()
				ch.Fix = "See the claims/… checks above (audience, tenant, scopes, expiry); the project must trust this tenant"
				if aud := tokenAudience(raw); aud != "" && !sameURL(aud, p.BaseURL()) {
					ch.Fix = fmt.Sprintf("The token is for %s and CDF is reached at %s: if that address does not serve %s, set the profile's scopes to the /.default of the API it serves (cdflogin profile edit %s); "+
						"else see the claims/… checks above (tenant, scopes, expiry) — the project must trust this tenant", aud, p.BaseURL(), aud, p.Name)
				}
			case ce.Status == 0:
				dr.explainNetwork(&ch, err, nethint.CDF, ce.Unreachable())
			default:
				ch.Fix = ce.DetailsFor(p.Name)
			}
		}
		dr.add(ch)
		dr.skip(CheckProject, "CDF did not answer token/inspect")
		dr.skip(CheckGroups, "CDF did not answer token/inspect")
		return
	}
	dr.add(Check{ID: CheckCDF, Status: StatusOK, Message: fmt.Sprintf("%s accepted the token (subject %s, %d project(s))", p.BaseURL(), rep.Subject, len(rep.Projects))})

	a := rep.Access
	switch {
	case p.Project == "":
		dr.add(Check{ID: CheckProject, Status: StatusInfo, Message: "the profile names no project; the token reaches: " + orNone(a.Reachable)})
	case a.HasAccess:
		dr.add(Check{ID: CheckProject, Status: StatusOK, Message: fmt.Sprintf("the token reaches project %s (capabilities there: %d)", p.Project, len(rep.Capabilities))})
	default:
		msg := fmt.Sprintf("the token has no access to project %s; it reaches: %s", p.Project, orNone(a.Reachable))
		fix := "Make the signed-in user or app a member of an Entra group that is the source ID of a CDF group in " + p.Project + " (CDF › Manage & Configure › Access management), or fix the profile's project"
		if !p.IsEntra() {
			fix = "Make the signed-in user a member of a " + p.ProviderOf().Title() + " group whose name is the source ID of a CDF group in " + p.Project +
				" (for a Cognito app client: its client ID), or fix the profile's project"
		}
		if len(a.DidYouMean) > 0 {
			fix = "Did you mean " + strings.Join(a.DidYouMean, " or ") + "? Fix the profile's project; otherwise: " + fix
		}
		dr.add(Check{ID: CheckProject, Status: StatusFail, Message: msg, Fix: fix})
	}

	m := rep.Mapping
	switch {
	case m == nil:
		dr.skip(CheckGroups, "no access to the project's groups")
	case overage:
		dr.add(Check{ID: CheckGroups, Status: StatusWarn, Message: "the token carries no groups (overage), so no CDF group is mapped from it",
			Fix: "Turn on CDF's group callback or reduce the group memberships (see claims/groups-overage)"})
	case m.TooMany():
		dr.add(Check{ID: CheckGroups, Status: StatusFail,
			Message: fmt.Sprintf("the token maps to %d CDF groups in %s, more than CDF supports per principal (%d): sign-in may fail", m.MappedCount, p.Project, cdf.MaxGroupsPerPrincipal),
			Fix:     "Remove the user/app from Entra groups CDF does not need, or limit the groups claim: App registrations › app › Token configuration › groups claim › Groups assigned to the application"})
	case len(m.Matched) == 0:
		dr.add(Check{ID: CheckGroups, Status: StatusWarn, Message: fmt.Sprintf("none of the token's %d group(s) is the source ID of a CDF group in %s", len(groups), p.Project),
			Fix: groupsFix(p)})
	default:
		msg := fmt.Sprintf("%d of the token's %d group(s) map to %d CDF group(s)", len(m.Matched), len(groups), m.MappedCount)
		if len(m.UnmatchedToken) > 0 {
			msg += fmt.Sprintf("; %d map to none", len(m.UnmatchedToken))
		}
		if len(m.UnmatchedCDF) > 0 {
			msg += fmt.Sprintf("; %d CDF group(s) have a source ID the token lacks", len(m.UnmatchedCDF))
		}
		if !m.Complete {
			msg += " (only the token's own groups could be listed)"
		}
		dr.add(Check{ID: CheckGroups, Status: StatusOK, Message: msg})
	}
	for _, w := range rep.Warnings {
		dr.add(Check{ID: CheckCDF, Status: StatusWarn, Message: w})
	}
}

// tokenAudience is the access token's first aud, or "".
func tokenAudience(raw string) string {
	tok, err := claims.Decode(raw)
	if err != nil {
		return ""
	}
	if a := tok.Audience(); len(a) > 0 {
		return a[0]
	}
	return ""
}

// sameURL reports whether two URLs name the same scheme, host and path.
func sameURL(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimRight(a, "/"))
	ub, err2 := url.Parse(strings.TrimRight(b, "/"))
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no project"
	}
	return strings.Join(s, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimRight(s[:i], ": ")
	}
	return s
}

// provider is the rest of Doctor for a Cognito or OIDC profile: the
// issuer's discovery document (reachable, naming the profile's issuer),
// the flows it offers (a device endpoint, private_key_jwt) against the
// profile's, the redirect port, then the token, its claims and CDF as for
// Entra.
func (dr *doctor) provider(ctx context.Context, hc *http.Client) *DoctorReport {
	p := dr.p
	var cfg *claims.OIDCConfig
	var disc *flows.Discovery
	if p.Issuer == "" {
		dr.add(Check{ID: CheckAuthority, Status: StatusInfo, Message: "no issuer: the token comes from token_url " + p.TokenURL + " (client credentials), without discovery"})
	} else {
		var err error
		disc, err = flows.DiscoverWith(ctx, hc, p)
		if err != nil {
			c := Check{ID: CheckAuthority, Status: StatusFail, Message: firstLine(err.Error()),
				Fix: "Check the profile's issuer: " + p.DiscoveryURL() + " must answer with the provider's OpenID configuration"}
			c.explain(diagnosis.Explain(diagnosis.Input{Err: err, Profile: p}))
			dr.add(c)
		} else {
			dr.add(Check{ID: CheckAuthority, Status: StatusOK, Message: "OpenID discovery of " + p.IssuerURL() + " answered and names this issuer"})
			cfg = &claims.OIDCConfig{Issuer: disc.Issuer, AuthorizationEndpoint: disc.AuthorizationEndpoint, TokenEndpoint: disc.TokenEndpoint,
				DeviceAuthorizationEndpoint: disc.DeviceEndpoint, JWKSURI: disc.JWKSURI}
		}
	}
	if disc != nil || p.ProviderOf() == profiles.ProviderCognito {
		dr.flows(disc)
	}
	if p.Flow == profiles.FlowBrowser {
		dr.redirectPort()
	}
	if p.Flow == profiles.FlowCertificate {
		dr.certificate()
	}
	tok, fresh := dr.token(ctx, p.Issuer == "" || cfg != nil)
	if tok == "" {
		for _, id := range []string{CheckClaims, CheckCDF, CheckProject, CheckGroups} {
			dr.skip(id, "no token")
		}
		return &DoctorReport{Profile: p.Name, Checks: dr.checks}
	}
	rep, cdfErr := dr.inspect(ctx, hc, tok)
	dr.claims(ctx, hc, cfg, tok, fresh, "", cdfErr == nil)
	dr.cdf(rep, cdfErr, tok)
	return &DoctorReport{Profile: p.Name, Checks: dr.checks}
}

// flows reports the flows the provider offers and whether the profile's
// is one: Cognito (and any issuer without device_authorization_endpoint)
// has no device code.
func (dr *doctor) flows(disc *flows.Discovery) {
	p := dr.p
	var offered []string
	for _, f := range profiles.Flows {
		if flows.CheckFlow(p, disc, f) == nil {
			offered = append(offered, string(f))
		}
	}
	device := "no device-code endpoint (no device_authorization_endpoint in discovery)"
	if disc != nil && disc.DeviceEndpoint != "" && flows.CheckFlow(p, disc, profiles.FlowDevice) == nil {
		device = "device code at " + disc.DeviceEndpoint
	}
	msg := fmt.Sprintf("%s offers the flows %s; %s", p.ProviderOf().Title(), strings.Join(offered, ", "), device)
	if err := flows.CheckFlow(p, disc, p.Flow); err != nil {
		c := Check{ID: CheckFlows, Status: StatusFail, Message: msg + "; not the profile's flow " + string(p.Flow)}
		c.explain(diagnosis.Explain(diagnosis.Input{Err: err, Profile: p}))
		dr.add(c)
		return
	}
	dr.add(Check{ID: CheckFlows, Status: StatusOK, Message: msg})
}

func groupsFix(p profiles.Profile) string {
	if !p.IsEntra() {
		return "Set a CDF group's source ID to the name of a group in the token's " + p.GroupsClaim() + " claim (Cognito: the user pool group's name; a Cognito app client: its client ID), or add the user to a mapped group; see: cdflogin inspect -p " + p.Name
	}
	return "Set a CDF group's source ID to the Entra group's object ID, or add the user/app to a mapped group; see: cdflogin inspect -p " + p.Name
}

// tenantDomain is the domain the profile names its tenant by (its
// tenant, or the tenant in its authority), or "" for a tenant ID.
func tenantDomain(p profiles.Profile) string {
	t := p.Tenant
	if u, err := url.Parse(p.AuthorityURL()); err == nil {
		if first, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/"); first != "" {
			t = first
		}
	}
	if t == "" || profiles.IsGUID(t) {
		return ""
	}
	d, err := DomainOf(t)
	if err != nil {
		return ""
	}
	return d
}

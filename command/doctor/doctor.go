// Package doctor is `cdflogin doctor`: the checks of a profile, its app
// registration, its token and its CDF access, run in order and printed
// ✓/✗/! with the fix for each.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/claimscmd"
	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
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
	// Details is more text that carries the fix: an AADSTS explanation,
	// or nethint's advice for a failure to reach Entra ID or CDF.
	Details string `json:"details,omitempty"`
}

// Check IDs, in the order they run (claims checks appear as
// "claims/<finding id>").
const (
	CheckProfile      = "profile"
	CheckAuthority    = "authority"
	CheckRedirectPort = "redirect-port"
	CheckCertificate  = "certificate"
	CheckDeviceCode   = "device-code"
	CheckToken        = "token"
	CheckCDF          = "cdf"
	CheckProject      = "project-access"
	CheckGroups       = "group-mapping"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (claimscmd.Silenter, error)
	// HTTPClient is the client for Entra and CDF with the profile's ca_file.
	HTTPClient func(p profiles.Profile) (*http.Client, error)
	// PortFree reports whether the loopback redirect port can be bound;
	// nil means binding it as the browser flow does.
	PortFree func(port int) error
	// CertInfo loads the certificate of a certificate profile; nil skips
	// the check.
	CertInfo  func(p profiles.Profile) (flows.CertInfo, error)
	UserAgent string

	ProfileName string
	JSON        bool
}

// NewCmd returns the doctor command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:         f.IO,
		Now:        f.Now,
		Profile:    func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:      func() (claimscmd.Silenter, error) { return cmdutil.Service(f) },
		HTTPClient: func(p profiles.Profile) (*http.Client, error) { return flows.HTTPClient(f.HTTPClient, p) },
		CertInfo: func(p profiles.Profile) (flows.CertInfo, error) {
			return flows.CertificateInfo(p, flows.Deps{Secret: cmdutil.SecretResolver(f).Secret})
		},
		UserAgent: "cdflogin/" + f.Version,
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check a profile, its app registration and CDF access step by step",
		Long: `Run, in order, and print ✓ (ok), i (info), ! (warning), ✗ (failed) or - (skipped)
with the fix for each:

  profile          the profile is valid
  authority        the authority's OIDC discovery answers (the tenant exists)
  redirect-port    browser flow: the loopback redirect port is free
  certificate      certificate flow: the certificate and key load and are in date
  device-code      device flow: Entra hands out a device code to the client
  token            a token can be had without a prompt (else: which login)
  claims/…         the token's checks (audience, tenant, scopes, groups, expiry,
                   clock skew, issuer version, signature)
  cdf              CDF answers and accepts the token
  project-access   the token reaches the profile's project
  group-mapping    the token's groups map to the project's CDF groups

doctor never starts a sign-in a person must finish. It exits with 1 when any
check fails.`,
		Example: `  cdflogin doctor -p dev
  cdflogin doctor -p dev --json | jq '.checks[] | select(.status=="fail")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), opts) },
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to check (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the checks as JSON (schema: docs/scripting.md)")
	return cmd
}

// Output is the --json document of doctor.
type Output struct {
	Profile string  `json:"profile,omitempty"`
	OK      bool    `json:"ok"`
	Checks  []Check `json:"checks"`
}

// Run runs the checks, prints them, and fails when any failed.
func Run(ctx context.Context, opts *Options) error {
	name, checks := Diagnose(ctx, opts)
	failed := 0
	for _, c := range checks {
		if c.Status == StatusFail {
			failed++
		}
	}
	var err error
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(Output{Profile: name, OK: failed == 0, Checks: checks})
	} else {
		err = WriteText(opts.IO.Out, name, checks)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if failed > 0 {
		return cmdutil.WithExitCode(cmdutil.ExitError, fmt.Errorf("doctor: %d check(s) failed", failed))
	}
	return nil
}

// doctor carries one run's state.
type doctor struct {
	opts   *Options
	checks []Check
}

func (d *doctor) add(c Check) { d.checks = append(d.checks, c) }

func (d *doctor) skip(id, why string) {
	d.add(Check{ID: id, Status: StatusSkip, Message: "skipped: " + why})
}

// Diagnose runs every check in order and returns the profile's name and
// the checks. Checks that need an earlier one that failed are skipped.
func Diagnose(ctx context.Context, opts *Options) (string, []Check) {
	d := &doctor{opts: opts}
	p, err := opts.Profile(opts.ProfileName)
	if err != nil {
		c := Check{ID: CheckProfile, Status: StatusFail, Message: err.Error(), Fix: "Create or fix the profile: cdflogin profile add / cdflogin profile edit"}
		var det cmdutil.Detailer
		if errors.As(err, &det) {
			c.Details = det.Details()
		}
		d.add(c)
		return opts.ProfileName, d.checks
	}
	if err := profiles.Validate(p); err != nil {
		d.add(Check{ID: CheckProfile, Status: StatusFail, Message: err.Error(), Fix: "cdflogin profile edit " + p.Name})
		return p.Name, d.checks
	}
	d.add(Check{ID: CheckProfile, Status: StatusOK, Message: fmt.Sprintf("profile %s is valid (%s flow, client %s, %s, project %s)", p.Name, p.Flow, p.ClientID, p.BaseURL(), p.Project)})
	if w := p.AuthorityWarning(); w != "" {
		d.add(Check{ID: CheckAuthority, Status: StatusWarn, Message: w})
	}

	hc, err := opts.HTTPClient(p)
	if err != nil {
		d.add(Check{ID: CheckAuthority, Status: StatusFail, Message: err.Error(), Fix: "Fix the profile's ca_file"})
		return p.Name, d.checks
	}
	xctx := flows.ExplainContext(p, p.Flow)

	cfg := d.authority(ctx, hc, p, xctx)
	switch p.Flow {
	case profiles.FlowBrowser:
		d.redirectPort(p)
	case profiles.FlowCertificate:
		d.certificate(p)
	case profiles.FlowDevice:
		if cfg == nil {
			d.skip(CheckDeviceCode, "the authority did not answer")
		} else {
			d.deviceCode(ctx, hc, cfg, p, xctx)
		}
	}

	tok, fresh := d.token(ctx, p, cfg != nil, xctx)
	if tok == "" {
		for _, id := range []string{"claims", CheckCDF, CheckProject, CheckGroups} {
			d.skip(id, "no token")
		}
		return p.Name, d.checks
	}
	d.claims(ctx, hc, p, cfg, tok, fresh)
	d.cdf(ctx, hc, p, tok)
	return p.Name, d.checks
}

func (d *doctor) authority(ctx context.Context, hc *http.Client, p profiles.Profile, xctx aadsts.Context) *claims.OIDCConfig {
	cfg, err := claims.Discover(ctx, hc, p.AuthorityURL())
	if err == nil {
		d.add(Check{ID: CheckAuthority, Status: StatusOK, Message: "OIDC discovery of " + p.AuthorityURL() + " answered; issuer " + cfg.Issuer})
		return cfg
	}
	c := Check{ID: CheckAuthority, Status: StatusFail, Message: firstLine(err.Error()),
		Fix: "Check the profile's tenant and authority: " + claims.DiscoveryURL(p.AuthorityURL()) + " must answer with its OpenID configuration"}
	var he *claims.HTTPError
	switch {
	case errors.As(err, &he):
		if ae, ok := aadsts.ParseBody([]byte(he.Body), he.Status); ok {
			x := aadsts.Explain(ae, xctx)
			c.Message = "OIDC discovery of " + p.AuthorityURL() + ": " + ae.Summary()
			c.Fix = x.Fix
			c.Details = x.String()
		}
	default:
		// Discover's errors carry the HTTP client's, so nethint can tell
		// a failure to reach the authority from an answer that is not
		// the document.
		if a, ok := networkAdvice(err, p, nethint.Entra, false); ok {
			c.advise(a)
			var ue *url.Error
			if errors.As(err, &ue) && ue.Err != nil {
				// Not the discovery URL twice more: the advice names the host.
				c.Message = "OIDC discovery of " + p.AuthorityURL() + ": " + firstLine(ue.Err.Error())
			}
		}
	}
	d.add(c)
	return nil
}

func (d *doctor) redirectPort(p profiles.Profile) {
	free := d.opts.PortFree
	if free == nil {
		free = listenFree
	}
	port := p.Port()
	if err := free(port); err != nil {
		c := Check{ID: CheckRedirectPort, Status: StatusFail, Message: err.Error()}
		var inUse *loopback.PortInUseError
		if !errors.As(err, &inUse) {
			c.Message = fmt.Sprintf("the redirect port %d cannot be used: %v", port, err)
			c.Fix = fmt.Sprintf("Stop the program on port %d, or set another redirect_port in the profile (cdflogin profile edit); Entra ignores the port of http://localhost redirect URIs", port)
		}
		d.add(c)
		return
	}
	d.add(Check{ID: CheckRedirectPort, Status: StatusOK, Message: fmt.Sprintf("%s is free for the browser's redirect", p.RedirectURI())})
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

func (d *doctor) certificate(p profiles.Profile) {
	if d.opts.CertInfo == nil {
		d.skip(CheckCertificate, "no certificate loader")
		return
	}
	info, err := d.opts.CertInfo(p)
	if err != nil {
		d.add(Check{ID: CheckCertificate, Status: StatusFail, Message: err.Error(),
			Fix: "Give a PEM (certificate and PKCS#8/PKCS#1 RSA key) or PFX file with its password reference: cdflogin profile edit " + p.Name})
		return
	}
	now := d.opts.Now()
	upload := "App registrations › app › Certificates & secrets › Certificates must list thumbprint " + info.SHA1
	switch {
	case now.After(info.NotAfter):
		d.add(Check{ID: CheckCertificate, Status: StatusFail,
			Message: fmt.Sprintf("the certificate %s expired %s", info.Subject, claims.RelativeTo(info.NotAfter, now)),
			Fix:     "Create a new certificate, upload its public part under App registrations › app › Certificates & secrets › Certificates › Upload certificate, and point the profile at it"})
	case now.Before(info.NotBefore):
		d.add(Check{ID: CheckCertificate, Status: StatusFail,
			Message: fmt.Sprintf("the certificate %s is not valid before %s", info.Subject, info.NotBefore.UTC().Format(time.RFC3339)),
			Fix:     "Check this machine's clock, or use a certificate that is already valid"})
	case info.NotAfter.Sub(now) < certExpiryWarning:
		d.add(Check{ID: CheckCertificate, Status: StatusWarn,
			Message: fmt.Sprintf("the certificate %s expires %s (thumbprint %s)", info.Subject, claims.RelativeTo(info.NotAfter, now), info.SHA1),
			Fix:     "Renew it soon and upload the new one under App registrations › app › Certificates & secrets › Certificates"})
	default:
		d.add(Check{ID: CheckCertificate, Status: StatusOK,
			Message: fmt.Sprintf("certificate %s (%s) is valid until %s; %s", info.Subject, info.Format, info.NotAfter.UTC().Format("2006-01-02"), upload)})
	}
}

// deviceCode asks Entra for a device code. Nobody needs to finish it (it
// just expires), so no sign-in is started that a person must complete.
func (d *doctor) deviceCode(ctx context.Context, hc *http.Client, cfg *claims.OIDCConfig, p profiles.Profile, xctx aadsts.Context) {
	endpoint := cfg.DeviceAuthorizationEndpoint
	if endpoint == "" {
		endpoint = strings.TrimSuffix(cfg.TokenEndpoint, "/token") + "/devicecode"
	}
	scopes := append(p.ScopeList(), "offline_access")
	form := url.Values{"client_id": {p.ClientID}, "scope": {strings.Join(scopes, " ")}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		d.add(Check{ID: CheckDeviceCode, Status: StatusFail, Message: err.Error()})
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		c := Check{ID: CheckDeviceCode, Status: StatusFail, Message: "device-code request: " + err.Error()}
		if a, ok := networkAdvice(err, p, nethint.Entra, !errors.Is(err, context.Canceled)); ok {
			c.advise(a)
		}
		d.add(c)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		d.add(Check{ID: CheckDeviceCode, Status: StatusOK,
			Message: "Entra hands out device codes to client " + p.ClientID + " (the code was not shown and simply expires)",
			Fix:     "Entra tells whether \"Allow public client flows\" is on only after someone signs in; if login then fails with AADSTS7000218: App registrations › app › Authentication › Allow public client flows › Yes"})
		return
	}
	c := Check{ID: CheckDeviceCode, Status: StatusFail, Message: fmt.Sprintf("the device-code endpoint answered %d", resp.StatusCode)}
	if ae, ok := aadsts.ParseBody(body, resp.StatusCode); ok {
		x := aadsts.Explain(ae, xctx)
		c.Message = "device code refused: " + ae.Summary()
		c.Fix = x.Fix
		c.Details = x.String()
	}
	d.add(c)
}

func (d *doctor) token(ctx context.Context, p profiles.Profile, authorityOK bool, xctx aadsts.Context) (string, bool) {
	svc, err := d.opts.Flows()
	if err != nil {
		d.add(Check{ID: CheckToken, Status: StatusFail, Message: err.Error()})
		return "", false
	}
	t, err := svc.Silent(ctx, p, flows.SilentOptions{})
	if err != nil {
		c := Check{ID: CheckToken, Status: StatusFail, Message: firstLine(err.Error())}
		var lr *flows.LoginRequiredError
		switch {
		case errors.As(err, &lr) || errors.Is(err, flows.ErrLoginRequired):
			c.Message = "no token without a sign-in: " + reasonOf(err)
			c.Fix = "cdflogin login -p " + p.Name
		case !authorityOK:
			c.Fix = "Fix the authority first (see above)"
		}
		if ae, ok := aadsts.Parse(err); ok {
			x := aadsts.Explain(ae, xctx)
			if c.Fix == "" {
				c.Fix = x.Fix
			}
			c.Details = x.String()
		} else if authorityOK {
			// (When the authority did not answer, its check above has
			// the advice already.)
			if a, ok := tokenNetworkAdvice(err, p); ok {
				c.advise(a)
			}
		}
		d.add(c)
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
	d.add(Check{ID: CheckToken, Status: StatusOK, Message: fmt.Sprintf("%s for %s, valid until %s", how, who, t.ExpiresOn.UTC().Format(time.RFC3339))})
	return t.AccessToken, !t.FromCache
}

func reasonOf(err error) string {
	var lr *flows.LoginRequiredError
	if errors.As(err, &lr) {
		return lr.Reason
	}
	return err.Error()
}

func (d *doctor) claims(ctx context.Context, hc *http.Client, p profiles.Profile, cfg *claims.OIDCConfig, raw string, fresh bool) {
	tok, err := claims.Decode(raw)
	if err != nil {
		d.add(Check{ID: "claims", Status: StatusFail, Message: err.Error(), Fix: "Request the token for CDF: scopes <cdf_url>/.default"})
		return
	}
	fs := claims.Check(tok, claimscmd.ExpectFor(p, d.opts.Now(), fresh))
	if cfg != nil {
		fs = append(fs, claims.VerifySignatureWith(ctx, hc, cfg, p.AuthorityURL(), tok))
	} else {
		fs = append(fs, claims.VerifySignature(ctx, hc, p.AuthorityURL(), tok))
	}
	for _, f := range fs {
		d.add(Check{ID: "claims/" + f.ID, Status: statusOf(f.Severity), Message: f.Message, Fix: f.Fix})
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

func (d *doctor) cdf(ctx context.Context, hc *http.Client, p profiles.Profile, raw string) {
	c := cdf.New(p.BaseURL(), hc, raw)
	c.UserAgent = d.opts.UserAgent
	var groups []string
	overage := false
	if tok, err := claims.Decode(raw); err == nil {
		groups, overage = tok.Groups(), tok.GroupsOverage()
	}
	rep, err := cdf.Inspect(ctx, c, p.Project, groups)
	if err != nil {
		ch := Check{ID: CheckCDF, Status: StatusFail, Message: err.Error()}
		var ce *cdf.Error
		if errors.As(err, &ce) {
			ch.Fix = ce.Details()
			switch {
			case ce.Status == http.StatusUnauthorized:
				ch.Message = "CDF did not accept the token: " + err.Error()
				ch.Fix = "See the claims/… checks above (audience, tenant, scopes, expiry); the project must trust this tenant"
			case ce.Status == 0:
				if a, ok := networkAdvice(err, p, nethint.CDF, ce.Unreachable()); ok {
					ch.advise(a)
				}
			}
		}
		d.add(ch)
		d.skip(CheckProject, "CDF did not answer token/inspect")
		d.skip(CheckGroups, "CDF did not answer token/inspect")
		return
	}
	d.add(Check{ID: CheckCDF, Status: StatusOK, Message: fmt.Sprintf("%s accepted the token (subject %s, %d project(s))", p.BaseURL(), rep.Subject, len(rep.Projects))})

	a := rep.Access
	switch {
	case p.Project == "":
		d.add(Check{ID: CheckProject, Status: StatusInfo, Message: "the profile names no project; the token reaches: " + orNone(a.Reachable)})
	case a.HasAccess:
		d.add(Check{ID: CheckProject, Status: StatusOK, Message: fmt.Sprintf("the token reaches project %s (capabilities there: %d)", p.Project, len(rep.Capabilities))})
	default:
		msg := fmt.Sprintf("the token has no access to project %s; it reaches: %s", p.Project, orNone(a.Reachable))
		fix := "Make the signed-in user or app a member of an Entra group that is the source ID of a CDF group in " + p.Project + " (CDF › Manage & Configure › Access management), or fix the profile's project"
		if len(a.DidYouMean) > 0 {
			fix = "Did you mean " + strings.Join(a.DidYouMean, " or ") + "? Fix the profile's project; otherwise: " + fix
		}
		d.add(Check{ID: CheckProject, Status: StatusFail, Message: msg, Fix: fix})
	}

	m := rep.Mapping
	switch {
	case m == nil:
		d.skip(CheckGroups, "no access to the project's groups")
	case overage:
		d.add(Check{ID: CheckGroups, Status: StatusWarn, Message: "the token carries no groups (overage), so no CDF group is mapped from it",
			Fix: "Turn on CDF's group callback or reduce the group memberships (see claims/groups-overage)"})
	case m.TooMany():
		d.add(Check{ID: CheckGroups, Status: StatusFail,
			Message: fmt.Sprintf("the token maps to %d CDF groups in %s, more than CDF supports per principal (%d): sign-in may fail", m.MappedCount, p.Project, cdf.MaxGroupsPerPrincipal),
			Fix:     "Remove the user/app from Entra groups CDF does not need, or limit the groups claim: App registrations › app › Token configuration › groups claim › Groups assigned to the application"})
	case len(m.Matched) == 0:
		d.add(Check{ID: CheckGroups, Status: StatusWarn, Message: fmt.Sprintf("none of the token's %d group(s) is the source ID of a CDF group in %s", len(groups), p.Project),
			Fix: "Set a CDF group's source ID to the Entra group's object ID, or add the user/app to a mapped group; see: cdflogin inspect"})
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
		d.add(Check{ID: CheckGroups, Status: StatusOK, Message: msg})
	}
	for _, w := range rep.Warnings {
		d.add(Check{ID: CheckCDF, Status: StatusWarn, Message: w})
	}
}

// networkAdvice is nethint's advice for err, a failure of a request of
// doctor's to reach svc (Entra ID at profile p's authority, or CDF at its
// cdf_url); false when err is not one. The target is the one the command
// line (cmdplain) and the TUI build, so doctor gives the same advice for
// the same failure.
func networkAdvice(err error, p profiles.Profile, svc nethint.Service, unreachable bool) (nethint.Advice, bool) {
	t := nethint.Target{Service: svc, Profile: p.Name, CAFile: p.CAFile, Unreachable: unreachable}
	switch svc {
	case nethint.Entra:
		t.Host = hostOf(p.AuthorityURL())
	case nethint.CDF:
		t.Host = hostOf(p.BaseURL())
	}
	return nethint.Explain(err, t)
}

// tokenNetworkAdvice is the advice for a token the flows could not get
// because they could not reach Entra ID (flows.ErrNetwork), as the
// command line gives it. An answer from something in Entra's place
// (*flows.AnswerError) is not such a failure: its message says what to
// check.
func tokenNetworkAdvice(err error, p profiles.Profile) (nethint.Advice, bool) {
	var answer *flows.AnswerError
	switch {
	case errors.As(err, &answer):
		return nethint.Advice{}, false
	case errors.Is(err, flows.ErrNetwork):
		return networkAdvice(err, p, nethint.Entra, true)
	}
	return networkAdvice(err, p, nethint.AnyService, false)
}

// advise gives c nethint's advice: its fix lines as the fix, and the
// whole advice (summary naming the host, cause, fix) as the details.
func (c *Check) advise(a nethint.Advice) {
	c.Fix = a.FixText()
	c.Details = a.String()
}

// hostOf is the host[:port] of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
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

// Symbol is the mark of a status.
func Symbol(s Status) string {
	switch s {
	case StatusOK:
		return "✓"
	case StatusInfo:
		return "i"
	case StatusWarn:
		return "!"
	case StatusSkip:
		return "-"
	}
	return "✗"
}

// WriteText prints the checks for people.
func WriteText(w io.Writer, profile string, checks []Check) error {
	var b strings.Builder
	if profile != "" {
		fmt.Fprintf(&b, "Doctor for profile %s\n\n", profile)
	}
	width := 0
	for _, c := range checks {
		width = max(width, len(c.ID))
	}
	pad := strings.Repeat(" ", width+6)
	counts := map[Status]int{}
	for _, c := range checks {
		counts[c.Status]++
		fmt.Fprintf(&b, "  %s %-*s  %s\n", Symbol(c.Status), width, c.ID, c.Message)
		switch {
		case c.Status == StatusOK || c.Status == StatusSkip:
		case c.Details != "":
			// The details (an AADSTS explanation, network advice) carry the fix.
			for _, l := range strings.Split(c.Details, "\n") {
				fmt.Fprintf(&b, "%s%s\n", pad, l)
			}
		case c.Fix != "":
			fmt.Fprintf(&b, "%sfix: %s\n", pad, c.Fix)
		}
	}
	fmt.Fprintf(&b, "\n%d ok, %d failed, %d warning(s), %d skipped\n", counts[StatusOK], counts[StatusFail], counts[StatusWarn], counts[StatusSkip])
	_, err := io.WriteString(w, b.String())
	return err
}

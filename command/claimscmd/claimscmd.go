// Package claimscmd is `cdflogin claims`: the claims of a profile's token
// (or any token on stdin) with their meanings, then the findings of the
// checks and of the signature verification.
package claimscmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Silenter is the part of *flows.Service the insight commands use.
type Silenter = cmdutil.Silenter

var _ Silenter = (*flows.Service)(nil)

// Options are the inputs of one run.
type Options struct {
	IO  *cmdutil.IOStreams
	Now func() time.Time
	// Location is where times are shown; nil means time.Local.
	Location *time.Location
	Profile  func(name string) (profiles.Profile, error)
	Flows    func() (Silenter, error)
	// HTTPClient is the client for the profile's authority (discovery and
	// keys), with its ca_file applied.
	HTTPClient func(p profiles.Profile) (*http.Client, error)

	ProfileName string
	JSON        bool
	IDToken     bool
	TokenStdin  bool
	NoVerify    bool
}

// NewCmd returns the claims command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:         f.IO,
		Now:        f.Now,
		Profile:    func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:      func() (Silenter, error) { return cmdutil.Service(f) },
		HTTPClient: func(p profiles.Profile) (*http.Client, error) { return flows.HTTPClient(f.HTTPClient, p) },
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "Show the token's claims with their meaning, and findings",
		Long: `Show every claim of the profile's access token (or ID token) with a one-line
meaning, times as local time and relative, then findings: audience vs the
profile's CDF URL, tenant, scopes, roles, groups (missing, overage, too many),
expiry and clock skew, v1/v2 issuer, and the signature checked against the
keys the authority publishes.

The token comes from the cache or a silent refresh, never a prompt. With
--token-stdin any JWT is read from standard input instead (with -p its
findings are judged against that profile). The raw token is never printed.`,
		Example: `  cdflogin claims -p dev
  cdflogin claims -p dev --id-token
  cdflogin claims -p dev --json | jq '.findings[] | select(.severity=="error")'
  echo "$TOKEN" | cdflogin claims --token-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.TokenStdin && opts.IDToken {
				return cmdutil.UsageError("--id-token and --token-stdin cannot be combined (see: cdflogin claims --help)")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to use (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the claims and findings as JSON (schema: docs/scripting.md)")
	cmd.Flags().BoolVar(&opts.IDToken, "id-token", false, "show the ID token instead of the access token (user profiles)")
	cmd.Flags().BoolVar(&opts.TokenStdin, "token-stdin", false, "read a token from standard input instead of a profile")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "do not fetch the issuer's keys to check the signature")
	return cmd
}

// Output is the --json document of claims.
type Output struct {
	Profile   string           `json:"profile,omitempty"`
	Kind      string           `json:"kind"` // "access" or "id"
	Subject   string           `json:"subject,omitempty"`
	AppToken  bool             `json:"app_token"`
	Version   string           `json:"version,omitempty"`
	ExpiresAt string           `json:"expires_at,omitempty"` // RFC 3339
	Header    []claims.Claim   `json:"header"`
	Claims    []claims.Claim   `json:"claims"`
	Findings  []claims.Finding `json:"findings"`
}

// Report is a decoded token with its findings, as claims and doctor show it.
type Report struct {
	Profile  string
	Kind     string
	Token    *claims.Token
	Findings []claims.Finding
}

// Run prints the claims and findings.
func Run(ctx context.Context, opts *Options) error {
	rep, err := Build(ctx, opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		return WriteJSON(opts.IO.Out, rep)
	}
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	return WriteText(opts.IO.Out, rep, opts.Now(), loc)
}

// Build gets the token (profile or stdin), decodes it and runs the checks.
func Build(ctx context.Context, opts *Options) (*Report, error) {
	var (
		p     *profiles.Profile
		raw   string
		fresh bool
		kind  = "access"
	)
	if opts.TokenStdin {
		if opts.IO.InTTY {
			fmt.Fprintln(opts.IO.ErrOut, "Paste the token, then press Enter and Ctrl+D:")
		}
		b, err := io.ReadAll(io.LimitReader(opts.IO.In, 1<<20+1))
		if err != nil {
			return nil, fmt.Errorf("read the token from standard input: %w", err)
		}
		raw = string(b)
		if opts.ProfileName != "" {
			pr, err := opts.Profile(opts.ProfileName)
			if err != nil {
				return nil, err
			}
			p = &pr
		}
	} else {
		pr, err := opts.Profile(opts.ProfileName)
		if err != nil {
			return nil, err
		}
		p = &pr
		svc, err := opts.Flows()
		if err != nil {
			return nil, err
		}
		t, err := svc.Silent(ctx, pr, flows.SilentOptions{})
		if err != nil {
			return nil, cmdutil.FlowError(err, pr, pr.Flow)
		}
		raw, fresh = t.AccessToken, !t.FromCache
		if opts.IDToken {
			kind = "id"
			raw = t.IDToken
			if raw == "" {
				return nil, fmt.Errorf("profile %q has no ID token: only user sign-ins (browser, device) get one", pr.Name)
			}
		}
	}
	tok, err := claims.Decode(raw)
	if err != nil {
		if opts.TokenStdin {
			return nil, cmdutil.WithExitCode(cmdutil.ExitError, fmt.Errorf("standard input: %w", err))
		}
		return nil, fmt.Errorf("profile %q's %s token: %w", p.Name, kind, err)
	}
	rep := &Report{Kind: kind, Token: tok}
	exp := claims.Expect{Now: opts.Now(), Fresh: fresh, IDToken: kind == "id"}
	if p != nil {
		rep.Profile = p.Name
		exp = ExpectFor(*p, exp.Now, fresh)
		exp.IDToken = kind == "id"
	}
	rep.Findings = claims.Check(tok, exp)
	if !opts.NoVerify {
		rep.Findings = append(rep.Findings, verify(ctx, opts, p, tok))
	}
	return rep, nil
}

// ExpectFor is what the profile expects of its tokens.
func ExpectFor(p profiles.Profile, now time.Time, fresh bool) claims.Expect {
	user := p.Flow.IsUser()
	exp := claims.Expect{
		Now:      now,
		Tenant:   TenantOf(p),
		CDFURL:   p.BaseURL(),
		ClientID: p.ClientID,
		Fresh:    fresh,
	}
	if p.Flow != "" {
		exp.UserFlow = &user
	}
	return exp
}

// TenantOf is the profile's tenant, or the last path segment of its
// authority when the tenant field is empty.
func TenantOf(p profiles.Profile) string {
	if p.Tenant != "" {
		return p.Tenant
	}
	u, err := url.Parse(p.AuthorityURL())
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	return segs[len(segs)-1]
}

// microsoftIssuerHosts are the hosts whose keys may be fetched for a
// token read from stdin without a profile (never a host the token names
// freely: that would make cdflogin fetch any URL a token says).
var microsoftIssuerHosts = map[string]string{
	"sts.windows.net":           "https://login.microsoftonline.com",
	"login.microsoftonline.com": "https://login.microsoftonline.com",
	"login.microsoftonline.us":  "https://login.microsoftonline.us",
	"login.chinacloudapi.cn":    "https://login.chinacloudapi.cn",
}

func verify(ctx context.Context, opts *Options, p *profiles.Profile, tok *claims.Token) claims.Finding {
	var authority string
	var prof profiles.Profile
	if p != nil {
		prof = *p
		authority = p.AuthorityURL()
	} else {
		u, err := url.Parse(tok.Issuer())
		base, ok := "", false
		if err == nil {
			base, ok = microsoftIssuerHosts[strings.ToLower(u.Hostname())]
		}
		tid := tok.TenantID()
		if !ok || !claims.IsGUID(tid) {
			return claims.Finding{Severity: claims.SeverityInfo, ID: claims.IDSignature,
				Message: "signature not checked: the issuer is not a Microsoft login host and no profile names the authority",
				Fix:     "Add -p NAME to check it against that profile's authority"}
		}
		authority = base + "/" + tid
	}
	hc, err := opts.HTTPClient(prof)
	if err != nil {
		return claims.Finding{Severity: claims.SeverityWarn, ID: claims.IDSignature, Message: "signature not checked: " + err.Error(), Fix: "Fix the profile's ca_file"}
	}
	return claims.VerifySignature(ctx, hc, authority, tok)
}

// WriteJSON writes the --json document.
func WriteJSON(w io.Writer, rep *Report) error {
	out := Output{
		Profile:  rep.Profile,
		Kind:     rep.Kind,
		Subject:  rep.Token.Subject(),
		AppToken: rep.Token.IsApp(),
		Version:  rep.Token.Version(),
		Header:   rep.Token.Header(),
		Claims:   rep.Token.Claims(),
		Findings: rep.Findings,
	}
	if e, ok := rep.Token.Expiry(); ok {
		out.ExpiresAt = e.UTC().Format(time.RFC3339)
	}
	if out.Findings == nil {
		out.Findings = []claims.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// WriteText writes the claims table and the findings for people.
func WriteText(w io.Writer, rep *Report, now time.Time, loc *time.Location) error {
	ew := &errWriter{w: w}
	tok := rep.Token
	what := "Access token"
	if rep.Kind == "id" {
		what = "ID token"
	}
	if rep.Profile != "" {
		what += " of profile " + rep.Profile
	}
	who := tok.Subject()
	if tok.IsApp() {
		who = "application " + tok.ClientID()
	}
	ew.printf("%s — %s", what, who)
	if v := tok.Version(); v != "" {
		ew.printf(", v%s", v)
	}
	if e, ok := tok.Expiry(); ok {
		if e.After(now) {
			ew.printf(", expires %s", claims.RelativeTo(e, now))
		} else {
			ew.printf(", EXPIRED %s", claims.RelativeTo(e, now))
		}
	}
	ew.printf("\n\nHeader\n")
	writeClaims(ew, tok.Header(), now, loc, false)
	ew.printf("\nClaims\n")
	writeClaims(ew, tok.Explain(now, loc), now, loc, true)
	ew.printf("\nFindings\n")
	WriteFindings(ew, rep.Findings)
	return ew.err
}

func writeClaims(ew *errWriter, cs []claims.Claim, now time.Time, loc *time.Location, explained bool) {
	width := 0
	for _, c := range cs {
		width = max(width, len(c.Name))
	}
	width = min(width, 20)
	pad := strings.Repeat(" ", width+4)
	for _, c := range cs {
		val := c.Display
		if !explained {
			val = claims.FormatValue(c.Name, c.Value, now, loc)
		}
		lines := valueLines(c.Value, val)
		ew.printf("  %-*s  %s\n", width, c.Name, lines[0])
		for _, l := range lines[1:] {
			ew.printf("%s%s\n", pad, l)
		}
		if c.Meaning != "" {
			ew.printf("%s%s\n", pad, "↳ "+c.Meaning)
		}
	}
}

// valueLines puts long lists one item a line.
func valueLines(v any, display string) []string {
	if list, ok := v.([]any); ok && len(display) > 60 {
		var out []string
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return []string{display}
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{display}
}

// Symbol is the mark of a severity: ✓ ok, i info, ! warn, ✗ error.
func Symbol(s claims.Severity) string {
	switch s {
	case claims.SeverityOK:
		return "✓"
	case claims.SeverityInfo:
		return "i"
	case claims.SeverityWarn:
		return "!"
	default:
		return "✗"
	}
}

// WriteFindings writes one line per finding with its mark, and the fix
// under each that is not ok.
func WriteFindings(w io.Writer, fs []claims.Finding) {
	width := 0
	for _, f := range fs {
		width = max(width, len(f.ID))
	}
	for _, f := range fs {
		fmt.Fprintf(w, "  %s %-*s  %s\n", Symbol(f.Severity), width, f.ID, f.Message)
		if f.Fix != "" && f.Severity != claims.SeverityOK {
			fmt.Fprintf(w, "    %s  fix: %s\n", strings.Repeat(" ", width), f.Fix)
		}
	}
	if len(fs) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	if err != nil {
		e.err = fmt.Errorf("write output: %w", err)
	}
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { _, _ = fmt.Fprintf(e, format, args...) }

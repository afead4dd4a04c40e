// Package claims is `cdflogin claims`: the claims of a profile's token
// (or any token on stdin) with their meanings, then the findings of the
// checks and of the signature verification.
package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	tokenclaims "github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO  *cmdutil.IOStreams
	Now func() time.Time
	// Location is where times are shown; nil means time.Local.
	Location *time.Location
	Profile  func(name string) (profiles.Profile, error)
	Flows    func() (insight.Silenter, error)
	// HTTPClient is the client for the profile's authority (discovery and
	// keys) and CDF (the project's audience), with its ca_file applied.
	HTTPClient func(p profiles.Profile) (*http.Client, error)
	UserAgent  string

	ProfileName string
	JSON        bool
	IDToken     bool
	TokenStdin  bool
	NoVerify    bool
	Diff        bool
}

// NewCmd returns the claims command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:         f.IO,
		Now:        f.Now,
		Profile:    func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:      func() (insight.Silenter, error) { return cmdutil.Service(f) },
		HTTPClient: func(p profiles.Profile) (*http.Client, error) { return flows.HTTPClient(f.HTTPClient, p) },
		UserAgent:  "cdflogin/" + f.Version,
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "Show the token's claims with their meaning, and findings",
		Long: `Show every claim of the profile's access token (or ID token) with a one-line
meaning, times as local time and relative, then findings: audience (judged as
CDF judges it: the project's configured audience when CDF tells it, else the
resource the profile's scopes ask for), tenant, scopes, roles, groups (missing,
overage, too many), expiry and clock skew, v1/v2 issuer, and the signature
checked against the keys the authority publishes.

The token comes from the cache or a silent refresh, never a prompt. With
--token-stdin any JWT is read from standard input instead (with -p its
findings are judged against that profile). The raw token is never printed.

With --diff the cached token is compared with a new one, got at once (a
refresh for browser and device profiles, a new app token for secret and
certificate ones; it replaces the cached one): what changed is listed —
another account (a different oid: a warning), groups gained and lost, roles
and scopes added and removed, the shifts of iat, exp and the lifetime, and
any other claim that changed.`,
		Example: `  cdflogin claims -p dev
  cdflogin claims -p dev --id-token
  cdflogin claims -p dev --json | jq '.findings[] | select(.severity=="error")'
  echo "$TOKEN" | cdflogin claims --token-stdin
  cdflogin claims -p dev --diff
  cdflogin claims -p dev --diff --json | jq -r '.changes[] | select(.kind=="groups-gained") | .values[]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.TokenStdin && opts.IDToken {
				return cmdutil.UsageError("--id-token and --token-stdin cannot be combined (see: cdflogin claims --help)")
			}
			if opts.TokenStdin && opts.Diff {
				return cmdutil.UsageError("--diff compares a profile's cached token with a new one; it cannot read --token-stdin")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to use (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the claims and findings as JSON (schema: docs/scripting.md)")
	cmd.Flags().BoolVar(&opts.IDToken, "id-token", false, "show the ID token instead of the access token (user profiles)")
	cmd.Flags().BoolVar(&opts.TokenStdin, "token-stdin", false, "read a token from standard input instead of a profile")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "make no request besides getting the token: no signature check against the issuer's keys, no look-up of the project's audience in CDF")
	cmd.Flags().BoolVar(&opts.Diff, "diff", false, "get a new token now and show what changed from the cached one (groups, roles, scopes, account, times)")
	return cmd
}

// Output is the --json document of claims.
type Output struct {
	Profile   string                `json:"profile,omitempty"`
	Kind      string                `json:"kind"` // "access" or "id"
	Subject   string                `json:"subject,omitempty"`
	AppToken  bool                  `json:"app_token"`
	Version   string                `json:"version,omitempty"`
	ExpiresAt string                `json:"expires_at,omitempty"` // RFC 3339
	Header    []tokenclaims.Claim   `json:"header"`
	Claims    []tokenclaims.Claim   `json:"claims"`
	Findings  []tokenclaims.Finding `json:"findings"`
}

// Run gets the report from the claims use case and prints it.
func Run(ctx context.Context, opts *Options) error {
	if opts.Diff {
		return RunDiff(ctx, opts)
	}
	in := insight.ClaimsInput{IDToken: opts.IDToken, NoVerify: opts.NoVerify}
	var p profiles.Profile
	if !opts.TokenStdin || opts.ProfileName != "" {
		pr, err := opts.Profile(opts.ProfileName)
		if err != nil {
			return err
		}
		p = pr
		in.Profile = &p
	}
	if opts.TokenStdin {
		if opts.IO.InTTY {
			fmt.Fprintln(opts.IO.ErrOut, "Paste the token, then press Enter and Ctrl+D:")
		}
		b, err := io.ReadAll(io.LimitReader(opts.IO.In, 1<<20+1))
		if err != nil {
			return fmt.Errorf("read the token from standard input: %w", err)
		}
		in.Token, in.TokenGiven = string(b), true
	}
	d := insight.Deps{Flows: opts.Flows, HTTPClient: opts.HTTPClient, Now: opts.Now, UserAgent: opts.UserAgent}
	rep, err := insight.Claims(ctx, d, in)
	var de *tokenclaims.DecodeError
	switch {
	case err == nil:
	case opts.TokenStdin && errors.As(err, &de):
		return cmdutil.WithExitCode(cmdutil.ExitError, fmt.Errorf("standard input: %w", err))
	default:
		return tokenError(err, p)
	}
	if opts.JSON {
		return WriteJSON(opts.IO.Out, rep)
	}
	return WriteText(opts.IO.Out, rep, opts.Now(), opts.location())
}

// tokenError is the error claims and claims --diff return when the token
// could not be had or read: as it is when there is no ID token or the token
// does not decode, else explained as a sign-in error of p.
func tokenError(err error, p profiles.Profile) error {
	var de *tokenclaims.DecodeError
	if errors.Is(err, insight.ErrNoIDToken) || errors.As(err, &de) {
		return err
	}
	return cmdutil.FlowError(err, p, p.Flow)
}

// location is where times are shown: Location, else the local zone.
func (o *Options) location() *time.Location {
	if o.Location == nil {
		return time.Local
	}
	return o.Location
}

// WriteJSON writes the --json document.
func WriteJSON(w io.Writer, rep *insight.ClaimsReport) error {
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
		out.Findings = []tokenclaims.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// WriteText writes the claims table and the findings for people. Every
// text that comes from the token (claim names and values, the subject, and
// the findings, which quote claims) passes through textsafe, so a token
// cannot move the cursor, write the clipboard or forge a line.
func WriteText(w io.Writer, rep *insight.ClaimsReport, now time.Time, loc *time.Location) error {
	ew := &errWriter{w: w}
	tok := rep.Token
	what := "Access token"
	if rep.Kind == insight.KindID {
		what = "ID token"
	}
	if rep.Profile != "" {
		what += " of profile " + rep.Profile
	}
	who := tok.Subject()
	if tok.IsApp() {
		who = "application " + tok.ClientID()
	}
	ew.printf("%s — %s", what, textsafe.Line(who))
	if v := tok.Version(); v != "" {
		ew.printf(", v%s", textsafe.Line(v))
	}
	if e, ok := tok.Expiry(); ok {
		if e.After(now) {
			ew.printf(", expires %s", tokenclaims.RelativeTo(e, now))
		} else {
			ew.printf(", EXPIRED %s", tokenclaims.RelativeTo(e, now))
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

func writeClaims(ew *errWriter, cs []tokenclaims.Claim, now time.Time, loc *time.Location, explained bool) {
	width := 0
	for _, c := range cs {
		width = max(width, len(textsafe.Line(c.Name)))
	}
	width = min(width, 20)
	pad := strings.Repeat(" ", width+4)
	for _, c := range cs {
		val := c.Display
		if !explained {
			val = tokenclaims.FormatValue(c.Name, c.Value, now, loc)
		}
		lines := valueLines(c.Value, val)
		ew.printf("  %-*s  %s\n", width, textsafe.Line(c.Name), textsafe.Line(lines[0]))
		for _, l := range lines[1:] {
			ew.printf("%s%s\n", pad, textsafe.Line(l))
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
func Symbol(s tokenclaims.Severity) string {
	switch s {
	case tokenclaims.SeverityOK:
		return "✓"
	case tokenclaims.SeverityInfo:
		return "i"
	case tokenclaims.SeverityWarn:
		return "!"
	default:
		return "✗"
	}
}

// WriteFindings writes one line per finding with its mark, and the fix
// under each that is not ok. Findings quote the token, so they are made
// safe for the terminal.
func WriteFindings(w io.Writer, fs []tokenclaims.Finding) {
	width := 0
	for _, f := range fs {
		width = max(width, len(f.ID))
	}
	for _, f := range fs {
		fmt.Fprintf(w, "  %s %-*s  %s\n", Symbol(f.Severity), width, f.ID, textsafe.Line(f.Message))
		if f.Fix != "" && f.Severity != tokenclaims.SeverityOK {
			fmt.Fprintf(w, "    %s  fix: %s\n", strings.Repeat(" ", width), textsafe.Line(f.Fix))
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

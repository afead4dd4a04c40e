// Package doctor is `cdflogin doctor`: the checks of a profile, its app
// registration, its token and its CDF access (the insight package's Doctor
// use case), printed ✓/✗/! with the fix for each.
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (insight.Silenter, error)
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
		Flows:      func() (insight.Silenter, error) { return cmdutil.Service(f) },
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
  authorize        browser flow: Entra shows the sign-in page for the client,
                   redirect URI and scopes (asked without signing in: 700016,
                   50011, 500113, 90002 … show here, as the page would)
  certificate      certificate flow: the certificate and key load and are in date
  device-code      device flow: Entra hands out a device code to the client
  token            a token can be had without a prompt (else: which login)
  claims/…         the token's checks (audience as CDF judges it, tenant, scopes,
                   groups, expiry, clock skew, issuer version, signature)
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
	Profile string          `json:"profile,omitempty"`
	OK      bool            `json:"ok"`
	Checks  []insight.Check `json:"checks"`
}

// Run runs the doctor use case, prints its checks, and fails when any
// failed.
func Run(ctx context.Context, opts *Options) error {
	rep := report(ctx, opts)
	failed := rep.Failed()
	var err error
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(Output{Profile: rep.Profile, OK: failed == 0, Checks: rep.Checks})
	} else {
		err = WriteText(opts.IO.Out, rep.Profile, rep.Checks)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if failed > 0 {
		return cmdutil.WithExitCode(cmdutil.ExitError, fmt.Errorf("doctor: %d check(s) failed", failed))
	}
	return nil
}

// report reads the profile and runs the doctor use case on it.
func report(ctx context.Context, opts *Options) *insight.DoctorReport {
	in := insight.DoctorInput{Name: opts.ProfileName}
	in.Profile, in.ProfileErr = opts.Profile(opts.ProfileName)
	d := insight.Deps{Flows: opts.Flows, HTTPClient: opts.HTTPClient, Now: opts.Now, UserAgent: opts.UserAgent,
		PortFree: opts.PortFree, CertInfo: opts.CertInfo}
	return insight.Doctor(ctx, d, in)
}

// Symbol is the mark of a status.
func Symbol(s insight.Status) string {
	switch s {
	case insight.StatusOK:
		return "✓"
	case insight.StatusInfo:
		return "i"
	case insight.StatusWarn:
		return "!"
	case insight.StatusSkip:
		return "-"
	}
	return "✗"
}

// WriteText prints the checks for people. Messages, fixes and details
// quote what servers and tokens said, so each line passes through
// textsafe.
func WriteText(w io.Writer, profile string, checks []insight.Check) error {
	var b strings.Builder
	if profile != "" {
		fmt.Fprintf(&b, "Doctor for profile %s\n\n", profile)
	}
	width := 0
	for _, c := range checks {
		width = max(width, len(c.ID))
	}
	pad := strings.Repeat(" ", width+6)
	counts := map[insight.Status]int{}
	for _, c := range checks {
		counts[c.Status]++
		fmt.Fprintf(&b, "  %s %-*s  %s\n", Symbol(c.Status), width, c.ID, textsafe.Line(c.Message))
		switch {
		case c.Status == insight.StatusOK || c.Status == insight.StatusSkip:
		case c.Details != "":
			// The details (an AADSTS explanation, network advice) carry the fix.
			for _, l := range strings.Split(c.Details, "\n") {
				fmt.Fprintf(&b, "%s%s\n", pad, textsafe.Line(l))
			}
		case c.Fix != "":
			fmt.Fprintf(&b, "%sfix: %s\n", pad, textsafe.Line(c.Fix))
		}
	}
	fmt.Fprintf(&b, "\n%d ok, %d failed, %d warning(s), %d skipped\n", counts[insight.StatusOK], counts[insight.StatusFail], counts[insight.StatusWarn], counts[insight.StatusSkip])
	_, err := io.WriteString(w, b.String())
	return err
}

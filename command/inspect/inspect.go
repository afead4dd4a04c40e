// Package inspect is `cdflogin inspect`: what CDF grants the profile's
// token (token/inspect), access to the profile's project, and how the
// token's Entra groups map to the project's CDF groups.
package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/claimscmd"
	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (claimscmd.Silenter, error)
	// HTTPClient is the client for CDF, with the profile's ca_file applied.
	HTTPClient func(p profiles.Profile) (*http.Client, error)
	UserAgent  string

	ProfileName string
	JSON        bool
}

// NewCmd returns the inspect command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{
		IO:         f.IO,
		Profile:    func(name string) (profiles.Profile, error) { return cmdutil.Profile(f, name) },
		Flows:      func() (claimscmd.Silenter, error) { return cmdutil.Service(f) },
		HTTPClient: func(p profiles.Profile) (*http.Client, error) { return flows.HTTPClient(f.HTTPClient, p) },
		UserAgent:  "cdflogin/" + f.Version,
	}
	return newCmd(opts, Run)
}

func newCmd(opts *Options, run func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Show what CDF grants the token and how its groups map",
		Long: `Ask CDF what the profile's token may do (GET /api/v1/token/inspect): the
projects it reaches, access to the profile's project (or the projects it can
reach instead), the capabilities there, and the group mapping: each Entra
group in the token matched to the CDF groups whose source ID it is, token
groups no CDF group maps, and CDF groups whose source ID the token lacks.

The token comes from the cache or a silent refresh, never a prompt. CDF
errors are shown with their request ID.`,
		Example: `  cdflogin inspect -p dev
  cdflogin inspect -p dev --json | jq '.groupMapping.unmatchedTokenGroups'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), opts) },
	}
	cmd.Flags().StringVarP(&opts.ProfileName, "profile", "p", "", "profile to use (default: $CDFLOGIN_PROFILE, then the default profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the inspection and group mapping as JSON (schema: docs/scripting.md)")
	return cmd
}

// Output is the --json document of inspect.
type Output struct {
	Profile       string   `json:"profile"`
	*cdf.Report            // cdfUrl, subject, projects, access, capabilities, groupMapping, projectInfo, warnings
	TokenGroups   []string `json:"tokenGroups"`
	GroupsOverage bool     `json:"groupsOverage"`
}

// Result is what Run found, for doctor and tests.
type Result struct {
	Profile       profiles.Profile
	Report        *cdf.Report
	TokenGroups   []string
	GroupsOverage bool
}

// Gather gets the token silently and asks CDF about it.
func Gather(ctx context.Context, opts *Options, p profiles.Profile, accessToken string) (*Result, error) {
	res := &Result{Profile: p, TokenGroups: []string{}}
	if tok, err := claims.Decode(accessToken); err == nil {
		if g := tok.Groups(); g != nil {
			res.TokenGroups = g
		}
		res.GroupsOverage = tok.GroupsOverage()
	}
	hc, err := opts.HTTPClient(p)
	if err != nil {
		return nil, err
	}
	c := cdf.New(p.BaseURL(), hc, accessToken)
	c.UserAgent = opts.UserAgent
	rep, err := cdf.Inspect(ctx, c, p.Project, res.TokenGroups)
	if err != nil {
		return nil, err
	}
	res.Report = rep
	return res, nil
}

// Run prints the inspection.
func Run(ctx context.Context, opts *Options) error {
	p, t, err := cmdutil.SilentToken(ctx, opts.Profile, opts.Flows, opts.ProfileName, flows.SilentOptions{})
	if err != nil {
		return err
	}
	res, err := Gather(ctx, opts, p, t.AccessToken)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(Output{Profile: p.Name, Report: res.Report, TokenGroups: res.TokenGroups, GroupsOverage: res.GroupsOverage}); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	return WriteText(opts.IO.Out, res)
}

// WriteText writes the inspection for people.
func WriteText(w io.Writer, res *Result) error {
	var b strings.Builder
	r := res.Report
	fmt.Fprintf(&b, "CDF %s — token subject %s\n\n", r.BaseURL, r.Subject)

	a := r.Access
	b.WriteString("Project access\n")
	switch {
	case a.Project == "":
		b.WriteString("  i the profile names no project\n")
	case a.HasAccess:
		fmt.Fprintf(&b, "  ✓ %s: access through CDF group(s) %s\n", a.Project, joinIDs(a.GroupIDs))
	default:
		fmt.Fprintf(&b, "  ✗ %s: no access\n", a.Project)
		if len(a.DidYouMean) > 0 {
			fmt.Fprintf(&b, "    did you mean: %s?\n", strings.Join(a.DidYouMean, ", "))
		}
	}
	if len(a.Reachable) > 0 {
		fmt.Fprintf(&b, "  the token reaches: %s\n", strings.Join(a.Reachable, ", "))
	} else {
		b.WriteString("  the token reaches no project: no CDF group in any project has a source ID the token carries\n")
	}

	if a.Project != "" {
		fmt.Fprintf(&b, "\nCapabilities in %s\n", a.Project)
		if len(r.Capabilities) == 0 {
			b.WriteString("  (none)\n")
		}
		for _, c := range r.Capabilities {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}

	fmt.Fprintf(&b, "\nGroup mapping (Entra groups in the token → CDF groups by source ID)\n")
	switch {
	case res.GroupsOverage:
		b.WriteString("  ! the token has no groups claim because of a groups overage (over 200 groups); CDF can only map them with its group callback on\n")
	case len(res.TokenGroups) == 0:
		b.WriteString("  ! the token carries no groups\n")
	}
	if m := r.Mapping; m != nil {
		writeMapping(&b, m)
	} else if a.Project != "" && !a.HasAccess {
		b.WriteString("  (not available: the project's groups can only be listed with access to it)\n")
	}
	for _, wmsg := range r.Warnings {
		fmt.Fprintf(&b, "\n! %s\n", wmsg)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func writeMapping(b *strings.Builder, m *cdf.GroupMapping) {
	b.WriteString("  Matched\n")
	if len(m.Matched) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, mg := range m.Matched {
		for _, g := range mg.CDFGroups {
			fmt.Fprintf(b, "    ✓ %s → %s (id %d)\n", mg.EntraGroupID, g.Name, g.ID)
			for _, c := range g.Capabilities {
				fmt.Fprintf(b, "        %s\n", c)
			}
		}
	}
	b.WriteString("  Token groups no CDF group maps\n")
	if len(m.UnmatchedToken) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, g := range m.UnmatchedToken {
		fmt.Fprintf(b, "    · %s\n", g)
	}
	b.WriteString("  CDF groups whose source ID the token lacks\n")
	if len(m.UnmatchedCDF) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, g := range m.UnmatchedCDF {
		fmt.Fprintf(b, "    · %s (id %d, source ID %s)\n", g.Name, g.ID, g.SourceID)
	}
	if m.TooMany() {
		fmt.Fprintf(b, "  ! the token maps to %d CDF groups, more than CDF supports per principal (%d): sign-in may fail\n", m.MappedCount, cdf.MaxGroupsPerPrincipal)
	}
	if !m.Complete {
		b.WriteString("  i only the token's own groups could be listed (listing all needs groupsAcl LIST with scope all), so CDF groups the token lacks are not shown\n")
	}
}

func joinIDs(ids []int64) string {
	if len(ids) == 0 {
		return "(none listed)"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

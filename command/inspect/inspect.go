// Package inspect is `cdflogin inspect`: what CDF grants the profile's
// token (token/inspect), access to the profile's project, and how the
// token's Entra groups map to the project's CDF groups.
package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Options are the inputs of one run.
type Options struct {
	IO      *cmdutil.IOStreams
	Profile func(name string) (profiles.Profile, error)
	Flows   func() (insight.Silenter, error)
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
		Flows:      func() (insight.Silenter, error) { return cmdutil.Service(f) },
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
errors are shown with their request ID. inspect exits with 6 when the token
has no access to the profile's project (after printing what it found).`,
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
	// LinkedByClientID: TokenGroups is a Cognito app's client ID.
	LinkedByClientID bool `json:"linkedByClientId"`
}

// Run asks the inspect use case and prints what it found; it exits with
// ExitNoAccess when the token has no access to the profile's project.
func Run(ctx context.Context, opts *Options) error {
	p, err := opts.Profile(opts.ProfileName)
	if err != nil {
		return err
	}
	d := insight.Deps{Flows: opts.Flows, HTTPClient: opts.HTTPClient, UserAgent: opts.UserAgent}
	res, err := insight.Inspect(ctx, d, insight.InspectInput{Profile: p})
	if err != nil {
		return cmdutil.FlowError(err, p, p.Flow)
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(Output{Profile: p.Name, Report: res.Report, TokenGroups: res.TokenGroups, GroupsOverage: res.GroupsOverage,
			LinkedByClientID: res.LinkedByClientID}); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else if err := WriteText(opts.IO.Out, res); err != nil {
		return err
	}
	if !res.HasAccess() {
		a := res.Report.Access
		msg := fmt.Sprintf("the token of profile %s has no access to project %s", p.Name, a.Project)
		if len(a.DidYouMean) > 0 {
			msg += " (did you mean " + strings.Join(a.DidYouMean, ", ") + "?)"
		}
		return cmdutil.WithExitCode(cmdutil.ExitNoAccess, errors.New(textsafe.Line(msg)))
	}
	return nil
}

// WriteText writes the inspection for people. What CDF and the token say
// (subject, project, group and capability names, warnings) passes through
// textsafe.
func WriteText(w io.Writer, res *insight.InspectResult) error {
	l := textsafe.Line
	var b strings.Builder
	r := res.Report
	fmt.Fprintf(&b, "CDF %s — token subject %s\n\n", l(r.BaseURL), l(r.Subject))

	a := r.Access
	b.WriteString("Project access\n")
	switch {
	case a.Project == "":
		b.WriteString("  i the profile names no project\n")
	case a.HasAccess:
		fmt.Fprintf(&b, "  ✓ %s: access through CDF group(s) %s\n", l(a.Project), joinIDs(a.GroupIDs))
	default:
		fmt.Fprintf(&b, "  ✗ %s: no access\n", l(a.Project))
		if len(a.DidYouMean) > 0 {
			fmt.Fprintf(&b, "    did you mean: %s?\n", l(strings.Join(a.DidYouMean, ", ")))
		}
	}
	if len(a.Reachable) > 0 {
		fmt.Fprintf(&b, "  the token reaches: %s\n", l(strings.Join(a.Reachable, ", ")))
	} else {
		b.WriteString("  the token reaches no project: no CDF group in any project has a source ID the token carries\n")
	}

	if a.Project != "" {
		fmt.Fprintf(&b, "\nCapabilities in %s\n", l(a.Project))
		caps := cdf.MergeCapabilities(r.Capabilities)
		if len(caps) == 0 {
			b.WriteString("  (none)\n")
		}
		for _, c := range caps {
			fmt.Fprintf(&b, "  %s\n", l(c.String()))
		}
	}

	switch p := res.Profile; {
	case res.LinkedByClientID:
		b.WriteString("\nGroup mapping (the Amazon Cognito app's client ID, by which CDF links a service account → CDF groups by source ID)\n")
	case !p.IsEntra():
		fmt.Fprintf(&b, "\nGroup mapping (groups in the token's %s claim, %s → CDF groups by source ID)\n", l(p.GroupsClaim()), p.ProviderOf().Title())
	default:
		b.WriteString("\nGroup mapping (Entra groups in the token → CDF groups by source ID)\n")
	}
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
		fmt.Fprintf(&b, "\n! %s\n", l(wmsg))
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func writeMapping(b *strings.Builder, m *cdf.GroupMapping) {
	l := textsafe.Line
	b.WriteString("  Matched\n")
	if len(m.Matched) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, mg := range m.Matched {
		for _, g := range mg.CDFGroups {
			fmt.Fprintf(b, "    ✓ %s → %s (id %d)\n", l(mg.EntraGroupID), l(g.Name), g.ID)
			for _, c := range cdf.MergeCapabilities(g.Capabilities) {
				fmt.Fprintf(b, "        %s\n", l(c.String()))
			}
		}
	}
	b.WriteString("  Token groups no CDF group maps\n")
	if len(m.UnmatchedToken) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, g := range m.UnmatchedToken {
		fmt.Fprintf(b, "    · %s\n", l(g))
	}
	b.WriteString("  CDF groups whose source ID the token lacks\n")
	if len(m.UnmatchedCDF) == 0 {
		b.WriteString("    (none)\n")
	}
	for _, g := range m.UnmatchedCDF {
		fmt.Fprintf(b, "    · %s (id %d, source ID %s)\n", l(g.Name), g.ID, l(g.SourceID))
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

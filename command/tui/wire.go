package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// CDFInspector returns a ui.Config.Inspect that asks the profile's CDF
// what a token grants and maps the token's groups onto the project's CDF
// groups: insight.Inspect, the use case `cdflogin inspect` runs, with
// base (plus the profile's ca_file) as the HTTP client. CDF's errors come
// back as they are, for the program to explain through the diagnosis
// seam.
func CDFInspector(base *http.Client) func(ctx context.Context, p profiles.Profile, t *flows.Tokens) (*ui.Access, error) {
	d := insight.Deps{HTTPClient: func(p profiles.Profile) (*http.Client, error) { return flows.HTTPClient(base, p) }}
	return func(ctx context.Context, p profiles.Profile, t *flows.Tokens) (*ui.Access, error) {
		res, err := insight.Inspect(ctx, d, insight.InspectInput{Profile: p, AccessToken: t.AccessToken})
		if err != nil {
			return nil, err
		}
		return accessFromResult(res), nil
	}
}

// accessFromResult condenses an inspection for the CDF access tab, in the
// words `cdflogin inspect` prints: capabilities merged per ACL and scope
// (cdf.MergeCapabilities) as Capability.String renders them.
func accessFromResult(res *insight.InspectResult) *ui.Access {
	r := res.Report
	a := &ui.Access{Subject: r.Subject}
	for _, pg := range r.Projects {
		a.Projects = append(a.Projects, pg.ProjectURLName)
	}
	sort.Strings(a.Projects)
	for _, c := range cdf.MergeCapabilities(r.Capabilities) {
		a.Capabilities = append(a.Capabilities, c.String())
	}
	if r.Project != nil && r.Project.OIDCConfiguration != nil {
		a.Audience = r.Project.OIDCConfiguration.Audience
	}
	if !res.HasAccess() {
		n := fmt.Sprintf("The token gives no access to project %q.", r.Access.Project)
		if len(r.Access.DidYouMean) > 0 {
			n += " Did you mean " + strings.Join(r.Access.DidYouMean, ", ") + "?"
		}
		a.Notes = append(a.Notes, n)
	}
	if res.GroupsOverage {
		a.Notes = append(a.Notes, "The token has no groups claim because of a groups overage (over 200 groups); CDF can only map them with its group callback on.")
	}
	if m := r.Mapping; m != nil {
		for _, mg := range m.Matched {
			for _, g := range mg.CDFGroups {
				a.Groups = append(a.Groups, ui.GroupAccess{Name: g.Name, SourceID: g.SourceID, Matched: true})
			}
		}
		for _, g := range m.UnmatchedCDF {
			a.Groups = append(a.Groups, ui.GroupAccess{Name: g.Name, SourceID: g.SourceID})
		}
		if len(m.UnmatchedToken) > 0 {
			a.Notes = append(a.Notes, fmt.Sprintf("%d group(s) of the token map to no CDF group: %s", len(m.UnmatchedToken), strings.Join(m.UnmatchedToken, ", ")))
		}
		if !m.Complete {
			a.Notes = append(a.Notes, "Only the token's own CDF groups could be listed (no groupsAcl LIST with scope all).")
		}
	}
	a.Notes = append(a.Notes, r.Warnings...)
	return a
}

// KeyringSaver returns a ui.Config.SaveSecret that keeps a typed secret in k
// and hands back the "keyring" reference for the profile.
func KeyringSaver(k secrets.Keyring) func(profile, field, value string) (string, error) {
	if k == nil {
		return nil
	}
	return func(profile, field, value string) (string, error) {
		if value == "" {
			return "", errors.New("the secret is empty")
		}
		if err := k.Set(secrets.Service, secrets.Item(profile, field), value); err != nil {
			return "", fmt.Errorf("store the %s of profile %q in the OS keyring: %w (use env:VAR instead)", field, profile, err)
		}
		return profiles.RefKeyring, nil
	}
}

// TenantFinder returns a ui.Config.FindTenant: insight.FindTenantOf on
// the host of the profile's authority, with its ca_file applied, as
// `cdflogin profile add --email` finds it.
func TenantFinder(base *http.Client) func(ctx context.Context, p profiles.Profile, given string) (*insight.TenantOfDomain, error) {
	return func(ctx context.Context, p profiles.Profile, given string) (*insight.TenantOfDomain, error) {
		c, err := flows.HTTPClient(base, p)
		if err != nil {
			return nil, err
		}
		return insight.FindTenantOf(ctx, c, p.Authority, given)
	}
}

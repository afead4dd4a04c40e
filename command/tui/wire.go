package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/ui"
)

// CDFInspector returns a ui.Config.Inspect that asks the profile's CDF (with
// base, plus the profile's ca_file) what a token grants, and maps the
// token's groups onto the project's CDF groups.
func CDFInspector(base *http.Client) func(ctx context.Context, p profiles.Profile, t *flows.Tokens) (*ui.Access, error) {
	return func(ctx context.Context, p profiles.Profile, t *flows.Tokens) (*ui.Access, error) {
		hc, err := flows.HTTPClient(base, p)
		if err != nil {
			return nil, err
		}
		var groups []string
		if tok, err := claims.Decode(t.AccessToken); err == nil {
			groups = tok.Groups()
		}
		r, err := cdf.Inspect(ctx, cdf.New(p.BaseURL(), hc, t.AccessToken), p.Project, groups)
		if err != nil {
			return nil, fmt.Errorf("ask CDF at %s: %w", p.BaseURL(), err)
		}
		return accessFromReport(r), nil
	}
}

// accessFromReport condenses an inspect report for the CDF access tab.
func accessFromReport(r *cdf.Report) *ui.Access {
	a := &ui.Access{Subject: r.Subject}
	for _, pg := range r.Projects {
		a.Projects = append(a.Projects, pg.ProjectURLName)
	}
	sort.Strings(a.Projects)
	// Several groups grant the same ACL: one line per ACL and scope with
	// the union of the actions, in first-seen order.
	type capKey struct{ acl, scope string }
	var order []capKey
	actions := map[capKey][]string{}
	for _, c := range r.Capabilities {
		k := capKey{c.ACL, scopeName(c.Scope)}
		if _, ok := actions[k]; !ok {
			order = append(order, k)
			actions[k] = []string{}
		}
		for _, act := range c.Actions {
			if !slices.Contains(actions[k], act) {
				actions[k] = append(actions[k], act)
			}
		}
	}
	for _, k := range order {
		a.Capabilities = append(a.Capabilities, fmt.Sprintf("%s: %s (%s)", k.acl, strings.Join(actions[k], ", "), k.scope))
	}
	if !r.Access.HasAccess {
		n := fmt.Sprintf("The token gives no access to project %q.", r.Access.Project)
		if len(r.Access.DidYouMean) > 0 {
			n += " Did you mean " + strings.Join(r.Access.DidYouMean, ", ") + "?"
		}
		a.Notes = append(a.Notes, n)
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

// scopeName names a capability scope for people.
func scopeName(raw []byte) string {
	s := string(raw)
	switch {
	case len(raw) == 0 || strings.Contains(s, `"all"`):
		return "all"
	case strings.Contains(s, "currentuserscope"):
		return "current user"
	}
	return "scoped: " + s
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

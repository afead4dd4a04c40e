package insight

import (
	"context"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// InspectInput is what Inspect looks at.
type InspectInput struct {
	Profile profiles.Profile
	// AccessToken is the token to inspect; empty means the profile's,
	// from its cache or a silent refresh.
	AccessToken string
}

// InspectResult is what CDF grants the token, with the token's groups.
type InspectResult struct {
	Profile profiles.Profile
	Report  *cdf.Report
	// TokenGroups are the source IDs the token carries for CDF to link:
	// its groups, or a Cognito app's client ID (never nil).
	TokenGroups []string
	// LinkedByClientID: TokenGroups is the Cognito app's client ID, as its
	// token carries no groups (as the function LinkedByClientID decides).
	LinkedByClientID bool
	// GroupsOverage: the token has no groups claim because the subject is
	// in too many groups.
	GroupsOverage bool
}

// HasAccess reports whether the token reaches the profile's project (true
// when the profile names none).
func (r *InspectResult) HasAccess() bool {
	return r.Report.Access.Project == "" || r.Report.Access.HasAccess
}

// Inspect asks the profile's CDF what the token may do (token/inspect),
// whether it reaches the profile's project, and maps the token's groups
// onto the project's CDF groups. A failure to get the token comes back as
// the flows return it and CDF's errors as *cdf.Error, for the caller to
// explain (diagnosis).
func Inspect(ctx context.Context, d Deps, in InspectInput) (*InspectResult, error) {
	p := in.Profile
	token := in.AccessToken
	if token == "" {
		svc, err := d.Flows()
		if err != nil {
			return nil, err
		}
		t, err := svc.Silent(ctx, p, flows.SilentOptions{})
		if err != nil {
			return nil, err
		}
		token = t.AccessToken
	}
	res := &InspectResult{Profile: p, TokenGroups: []string{}}
	if tok, err := claims.Decode(token); err == nil {
		if g := TokenGroups(p, tok); g != nil {
			res.TokenGroups = g
		}
		res.LinkedByClientID = LinkedByClientID(p, tok)
		res.GroupsOverage = p.IsEntra() && tok.GroupsOverage()
	}
	hc, err := d.HTTPClient(p)
	if err != nil {
		return nil, err
	}
	c := cdf.New(p.BaseURL(), hc, token)
	c.UserAgent = d.UserAgent
	rep, err := cdf.Inspect(ctx, c, p.Project, res.TokenGroups)
	if err != nil {
		return nil, err
	}
	res.Report = rep
	return res, nil
}

// TokenGroups are the groups a token carries for CDF to link by source
// ID: the profile's groups claim (groups for Entra and most OpenID
// providers, cognito:groups for Cognito, or the profile's groups_claim);
// for a Cognito app token, which carries no groups, its client_id, which
// CDF links a Cognito service account by (Cognite's "Add a service
// account" guide for Amazon Cognito).
func TokenGroups(p profiles.Profile, tok *claims.Token) []string {
	g := tok.GroupsIn(p.GroupsClaim())
	if LinkedByClientID(p, tok) {
		g = append(g, tok.ClientID())
	}
	return g
}

// LinkedByClientID reports whether CDF links tok by its client ID: a
// Cognito app token (client credentials) without the groups claim.
func LinkedByClientID(p profiles.Profile, tok *claims.Token) bool {
	return p.ProviderOf() == profiles.ProviderCognito && tok.IsApp() && tok.ClientID() != "" && !tok.Has(p.GroupsClaim())
}

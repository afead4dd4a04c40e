package insight

import (
	"net/url"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
)

// ExpectFor is what profile p expects of its access tokens, as now and
// for a token fresh from Entra (not from the cache) or not. The audience
// is judged as CDF judges it: against the resource the profile's scopes
// ask for, else the cluster's URL; the profile's cdf_url alone (a proxy, a
// private link, the sandbox) never makes a token wrong: a token for the
// scopes' resource that goes to CDF at another address is reported as
// information. When CDF has told the project's own audience,
// WithProjectAudience makes that the one.
//
// claims, doctor and the interactive program all judge a token with it.
func ExpectFor(p profiles.Profile, now time.Time, fresh bool) claims.Expect {
	exp := claims.Expect{
		Now:      now,
		Tenant:   TenantOf(p),
		CDFURL:   p.BaseURL(),
		ClientID: p.ClientID,
		Fresh:    fresh,
	}
	if p.Flow != "" {
		user := p.Flow.IsUser()
		exp.UserFlow = &user
	}
	if !p.IsEntra() {
		return expectProvider(p, exp)
	}
	switch res := flows.ScopeResource(p); {
	case res != "":
		exp.Audience = claims.Audience{URL: res, From: "the resource the profile's scopes ask for",
			Fix: "The token was issued for another API than the profile's scopes name: sign in again (cdflogin login -p " + p.Name + "), and check the profile's scopes"}
		if len(p.Scopes) == 0 {
			exp.Audience.From = "the profile's CDF URL"
			exp.Audience.Fix = "Set the profile's cluster/cdf_url to the cluster the project lives on, and its scopes to <cdf_url>/.default (or remove custom scopes)"
		}
	case p.Cluster != "":
		exp.Audience = claims.Audience{URL: "https://" + p.Cluster + ".cognitedata.com", From: "the profile's cluster URL",
			Fix: "Set the profile's scopes to https://" + p.Cluster + ".cognitedata.com/.default (or remove custom scopes)"}
	}
	return exp
}

// WithProjectAudience makes the audience CDF configured for p's project
// (its identity provider configuration's audience, as CDF answers for the
// project) the one the token's aud is judged against; an empty audience
// changes nothing.
func WithProjectAudience(exp claims.Expect, p profiles.Profile, audience string) claims.Expect {
	if audience == "" {
		return exp
	}
	exp.Audience = claims.Audience{URL: audience, From: "project " + p.Project + "'s audience in CDF", FromCDF: true,
		Fix: "Ask for a token for the project's audience: set the profile's scopes to " + strings.TrimRight(audience, "/") + "/.default (cdflogin profile edit " + p.Name + ")"}
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

// expectProvider is ExpectFor for a Cognito or OpenID provider profile:
// the token's iss must be the profile's issuer, its aud the profile's
// audience when it sets one (else, for Cognito, client_id the profile's
// app client), its scope the Cognite API's IDENTITY or
// user_impersonation, and its groups in the profile's groups claim.
func expectProvider(p profiles.Profile, exp claims.Expect) claims.Expect {
	exp.Tenant = ""
	exp.Provider = string(p.ProviderOf())
	exp.Issuer = p.IssuerURL()
	exp.GroupsClaim = p.GroupsClaim()
	if p.Audience != "" {
		exp.Audience = claims.Audience{URL: p.Audience, From: "the profile's audience",
			Fix: "Sign in again (cdflogin login -p " + p.Name + "); check that the provider's API identifier is the profile's audience"}
	}
	for _, s := range p.ScopeList() {
		if strings.HasSuffix(s, "IDENTITY") || strings.HasSuffix(s, "user_impersonation") {
			exp.Scopes = append(exp.Scopes, s)
		}
	}
	return exp
}

package sandbox

import (
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// CDF's side of the Cognito user pool and the OIDC provider: the projects
// that trust them (CognitoProjectName, OIDCProjectName) accept their
// access tokens, verified with that issuer's keys, and link the values of
// the project's access claims to CDF groups by sourceId, as CDF's
// oidcConfiguration accessClaims do: cognito:groups and client_id for the
// pool (a Cognito service account is linked by its client ID, Cognite's
// "Add a service account" guide for Amazon Cognito), OIDCGroupsClaim for
// the provider.

// cognitoAccessClaims and oidcAccessClaims are the claims whose values
// the projects link to CDF groups.
var (
	cognitoAccessClaims = []string{"cognito:groups", "client_id"}
	oidcAccessClaims    = []string{OIDCGroupsClaim}
)

// idpBearer recognises a token of the pool or the provider by its issuer.
// ours is false for any other token (the Entra path then judges it); ok
// reports whether it is valid: signature by the issuer's key, issuer,
// expiry, token_use=access for Cognito, aud=OIDCAudience for the OIDC
// provider.
func (s *Sandbox) idpBearer(raw string) (id identity, ours, ok bool) {
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, unverified); err != nil {
		return identity{}, false, false
	}
	iss, _ := unverified.GetIssuer()
	var (
		idp          string
		accessClaims []string
	)
	switch iss {
	case s.CognitoIssuer():
		idp, accessClaims = IdPCognito, cognitoAccessClaims
	case s.OIDCIssuer():
		idp, accessClaims = IdPOIDC, oidcAccessClaims
	default:
		return identity{}, false, false
	}
	claims, err := s.verifyIdPToken("Bearer "+raw, idp)
	if err != nil {
		return identity{}, true, false
	}
	if idp == IdPOIDC {
		aud, _ := claims.GetAudience()
		if !slices.Contains(aud, OIDCAudience) {
			return identity{}, true, false
		}
	}
	id.idp = idp
	id.subject, _ = claims.GetSubject()
	for _, name := range accessClaims {
		switch v := claims[name].(type) {
		case string:
			id.groups = append(id.groups, v)
		case []any:
			for _, g := range v {
				if str, isString := g.(string); isString {
					id.groups = append(id.groups, str)
				}
			}
		}
	}
	return id, true, true
}

// claimList is the oidcConfiguration form of a list of claim names.
func claimList(names []string) []any {
	list := make([]any, len(names))
	for i, n := range names {
		list[i] = map[string]any{"claimName": n}
	}
	return list
}

// idpOIDCConfiguration is the oidcConfiguration of a project that trusts
// the pool or the provider.
func (s *Sandbox) idpOIDCConfiguration(p Project) map[string]any {
	if p.IdP == IdPCognito {
		return map[string]any{
			"jwksUrl":                s.CognitoIssuer() + "/.well-known/jwks.json",
			"tokenUrl":               s.CognitoDomainURL() + "/oauth2/token",
			"issuer":                 s.CognitoIssuer(),
			"audience":               CognitoResourceServer,
			"skewMs":                 0,
			"accessClaims":           claimList(cognitoAccessClaims),
			"scopeClaims":            []any{map[string]any{"claimName": "scope"}},
			"logClaims":              []any{map[string]any{"claimName": "client_id"}, map[string]any{"claimName": "username"}},
			"isGroupCallbackEnabled": false,
			"identityProviderScope":  "",
		}
	}
	return map[string]any{
		"jwksUrl":                s.OIDCIssuer() + "/jwks",
		"tokenUrl":               s.OIDCIssuer() + "/token",
		"issuer":                 s.OIDCIssuer(),
		"audience":               OIDCAudience,
		"skewMs":                 0,
		"accessClaims":           claimList(oidcAccessClaims),
		"scopeClaims":            []any{map[string]any{"claimName": "scope"}},
		"logClaims":              []any{map[string]any{"claimName": "azp"}},
		"isGroupCallbackEnabled": false,
		"identityProviderScope":  "",
	}
}

// trusts reports whether project p trusts the issuer of id ("" Entra).
func (p Project) trusts(id identity) bool { return strings.EqualFold(p.IdP, id.idp) }

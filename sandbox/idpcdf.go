package sandbox

import (
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// CDF's side of the Cognito user pool and the OIDC provider: the projects
// that trust them (CognitoProjectName, OIDCProjectName) accept their
// access tokens, verified with that issuer's keys, and link the token's
// groups claim (cognito:groups, OIDCGroupsClaim) to CDF groups by
// sourceId, as CDF's oidcConfiguration accessClaims do.

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
	var idp, groupsClaim string
	switch iss {
	case s.CognitoIssuer():
		idp, groupsClaim = IdPCognito, "cognito:groups"
	case s.OIDCIssuer():
		idp, groupsClaim = IdPOIDC, OIDCGroupsClaim
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
	if gs, isList := claims[groupsClaim].([]any); isList {
		for _, g := range gs {
			if str, isString := g.(string); isString {
				id.groups = append(id.groups, str)
			}
		}
	}
	return id, true, true
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
			"accessClaims":           []any{map[string]any{"claimName": "cognito:groups"}},
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
		"accessClaims":           []any{map[string]any{"claimName": OIDCGroupsClaim}},
		"scopeClaims":            []any{map[string]any{"claimName": "scope"}},
		"logClaims":              []any{map[string]any{"claimName": "azp"}},
		"isGroupCallbackEnabled": false,
		"identityProviderScope":  "",
	}
}

// trusts reports whether project p trusts the issuer of id ("" Entra).
func (p Project) trusts(id identity) bool { return strings.EqualFold(p.IdP, id.idp) }

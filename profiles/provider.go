package profiles

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Provider is the identity provider a profile signs in with.
type Provider string

// The identity providers cdflogin signs in with. CDF supports Microsoft
// Entra ID and Amazon Cognito officially and accepts other OAuth 2.0 /
// OpenID Connect providers that meet its requirements.
const (
	// ProviderEntra is Microsoft Entra ID (MSAL); the default, so every
	// profile without a provider is an Entra profile.
	ProviderEntra Provider = "entra"
	// ProviderCognito is an Amazon Cognito user pool: issuer
	// https://cognito-idp.<region>.amazonaws.com/<pool-id>, hosted UI for
	// the browser flow, no device-code endpoint, access tokens without aud.
	ProviderCognito Provider = "cognito"
	// ProviderOIDC is any other OpenID Connect provider, found through its
	// discovery document.
	ProviderOIDC Provider = "oidc"
)

// Title is the provider's name in a sentence.
func (p Provider) Title() string {
	switch p {
	case ProviderCognito:
		return "Amazon Cognito"
	case ProviderOIDC:
		return "the OpenID provider"
	}
	return "Entra ID"
}

// Providers lists the providers in display order.
var Providers = []Provider{ProviderEntra, ProviderCognito, ProviderOIDC}

// CognitoResourceServer is the resource server identifier Cognite's guide
// for Amazon Cognito registers the Cognite API under ("Register core
// Cognite apps"); its scopes are <identifier>/IDENTITY and
// <identifier>/user_impersonation.
const CognitoResourceServer = "https://cognitedata.com"

// DefaultGroupsClaim is the claim that carries a token's groups for a
// provider when the profile sets no groups_claim: groups (Entra, and most
// OpenID providers), cognito:groups (Cognito).
func DefaultGroupsClaim(prov Provider) string {
	if prov == ProviderCognito {
		return "cognito:groups"
	}
	return "groups"
}

// ProviderOf is the profile's provider, ProviderEntra when unset.
func (p Profile) ProviderOf() Provider {
	if p.Provider == "" {
		return ProviderEntra
	}
	return Provider(strings.ToLower(string(p.Provider)))
}

// IsEntra reports whether the profile signs in with Entra ID (MSAL).
func (p Profile) IsEntra() bool { return p.ProviderOf() == ProviderEntra }

// GroupsClaim is the claim the profile's tokens carry their groups in:
// the profile's groups_claim, else the provider's default.
func (p Profile) GroupsClaim() string {
	if p.GroupsClaimName != "" {
		return p.GroupsClaimName
	}
	return DefaultGroupsClaim(p.ProviderOf())
}

// IssuerURL is the OpenID issuer of a Cognito or OIDC profile (no
// trailing slash); for Entra the v2 issuer of its authority.
func (p Profile) IssuerURL() string {
	if !p.IsEntra() {
		return strings.TrimRight(p.Issuer, "/")
	}
	return p.AuthorityURL() + "/v2.0"
}

// DiscoveryURL is where the provider's OpenID configuration is read.
func (p Profile) DiscoveryURL() string {
	return p.IssuerURL() + "/.well-known/openid-configuration"
}

// FlowSupported says whether the provider can sign in with flow at all,
// before its discovery document is read, and why not: Cognito has no
// device-code endpoint and takes no certificate (private_key_jwt).
func (p Profile) FlowSupported(flow Flow) error {
	if p.ProviderOf() != ProviderCognito {
		return nil
	}
	switch flow {
	case FlowDevice:
		return errors.New("an Amazon Cognito user pool has no device-code endpoint (its discovery document names no device_authorization_endpoint): sign in with the browser flow")
	case FlowCertificate:
		return errors.New("an Amazon Cognito app client authenticates with a client secret only (no private_key_jwt certificates): use the secret flow")
	}
	return nil
}

// ParseProvider reads a provider name (case-insensitive; "" is entra;
// "entra_id", "entraid" and "azure" are entra too).
func ParseProvider(s string) (Provider, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "entra", "entra_id", "entraid", "azure", "azuread", "aad":
		return ProviderEntra, nil
	case "cognito", "amazon_cognito", "aws_cognito":
		return ProviderCognito, nil
	case "oidc", "other", "auth0", "keycloak", "okta":
		return ProviderOIDC, nil
	}
	return "", fmt.Errorf("unknown provider %q: use entra (Microsoft Entra ID, the default), cognito (Amazon Cognito) or oidc (any other OpenID Connect provider)", s)
}

// ValidateProvider checks a provider as written in a profile: one of
// entra, cognito, oidc (or empty).
func ValidateProvider(s string) error {
	switch Provider(s) {
	case "", ProviderEntra, ProviderCognito, ProviderOIDC:
		return nil
	}
	if _, err := ParseProvider(s); err == nil {
		return fmt.Errorf("provider %q: write it as one of entra, cognito, oidc", s)
	}
	_, err := ParseProvider(s)
	return err
}

// ValidateProviderClientID checks the client ID of a Cognito or OIDC app
// client: any identifier without spaces (Cognito's are 26 letters and
// digits, others vary).
func ValidateProviderClientID(id string) error {
	switch {
	case id == "":
		return errors.New("the client ID is missing: copy the app client's ID from the identity provider's console")
	case strings.TrimSpace(id) != id || strings.ContainsAny(id, " \t\r\n"):
		return fmt.Errorf("client ID %q has spaces: copy the app client's ID exactly", id)
	case len(id) > 256:
		return errors.New("the client ID is over 256 characters: copy the app client's ID, not a token")
	}
	return nil
}

// ValidateIssuer checks an issuer URL (https; http only on loopback).
func ValidateIssuer(issuer string) error {
	if issuer == "" {
		return nil
	}
	if err := validateHTTPSURL("issuer", issuer, true); err != nil {
		return err
	}
	if strings.HasSuffix(strings.TrimRight(issuer, "/"), "/.well-known/openid-configuration") {
		return fmt.Errorf("issuer %q is the discovery document's URL: give the issuer, without /.well-known/openid-configuration", issuer)
	}
	return nil
}

// ValidateTokenURL checks a token endpoint override.
func ValidateTokenURL(tokenURL string) error {
	if tokenURL == "" {
		return nil
	}
	return validateHTTPSURL("token_url", tokenURL, true)
}

// ValidateGroupsClaim checks a groups claim name: one claim name, no
// spaces (e.g. groups, cognito:groups, https://example.com/groups).
func ValidateGroupsClaim(name string) error {
	if name == "" {
		return nil
	}
	if strings.ContainsAny(name, " \t\r\n,") || strings.TrimSpace(name) != name {
		return fmt.Errorf("groups_claim %q is not one claim name (e.g. groups or cognito:groups)", name)
	}
	return nil
}

// validateProvider adds the problems of a profile's provider settings.
func validateProvider(p Profile, add func(field string, err error)) {
	add("provider", ValidateProvider(string(p.Provider)))
	add("issuer", ValidateIssuer(p.Issuer))
	add("token_url", ValidateTokenURL(p.TokenURL))
	add("groups_claim", ValidateGroupsClaim(p.GroupsClaimName))
	if strings.ContainsAny(p.Audience, " \t\r\n") {
		add("audience", fmt.Errorf("audience %q has spaces: it is one identifier, e.g. https://acme.cognitedata.com", p.Audience))
	}
	switch p.ProviderOf() {
	case ProviderEntra:
		if p.Issuer != "" {
			add("issuer", errors.New("issuer is for provider cognito or oidc: an Entra profile names its tenant (or authority); set provider: oidc to use another OpenID provider"))
		}
		if p.TokenURL != "" {
			add("token_url", errors.New("token_url is for provider cognito or oidc: an Entra profile's token endpoint comes from its tenant"))
		}
		if p.Audience != "" {
			add("audience", errors.New("audience is for provider cognito or oidc: Entra ID tokens are asked for by scope (set scopes)"))
		}
	case ProviderCognito, ProviderOIDC:
		if p.Issuer == "" && (p.TokenURL == "" || p.Flow.IsUser()) {
			add("issuer", fmt.Errorf("provider %s needs the issuer (discovery at <issuer>/.well-known/openid-configuration), e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123 for Cognito", p.ProviderOf()))
		}
		if p.Tenant != "" {
			add("tenant", fmt.Errorf("tenant is for Entra ID profiles: provider %s is named by its issuer", p.ProviderOf()))
		}
		if p.Authority != "" {
			add("authority", fmt.Errorf("authority is for Entra ID profiles: provider %s is named by its issuer", p.ProviderOf()))
		}
		if err := p.FlowSupported(p.Flow); err != nil {
			add("flow", err)
		}
	}
}

// hostOf is the host of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// LooksLikeCognito reports whether a URL is an Amazon Cognito one: a user
// pool issuer (cognito-idp.<region>.amazonaws.com) or a hosted UI domain
// (<domain>.auth.<region>.amazoncognito.com).
func LooksLikeCognito(raw string) bool {
	h := strings.ToLower(hostOf(raw))
	return strings.HasSuffix(h, ".amazoncognito.com") || (strings.HasPrefix(h, "cognito-idp.") && strings.HasSuffix(h, ".amazonaws.com"))
}

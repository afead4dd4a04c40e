// Package profiles keeps the named login settings of cdflogin: the Profile
// type, its validation, and the profiles.yaml store.
package profiles

import (
	"fmt"
	"net/url"
	"strings"
)

// Flow is the way a profile signs in.
type Flow string

// The four sign-in flows, as the Cognite SDK names them: OAuthInteractive,
// OAuthDeviceCode, OAuthClientCredentials, OAuthClientCertificate.
const (
	FlowBrowser     Flow = "browser"
	FlowDevice      Flow = "device"
	FlowSecret      Flow = "secret"
	FlowCertificate Flow = "certificate"
)

// Flows lists every flow in display order.
var Flows = []Flow{FlowBrowser, FlowDevice, FlowSecret, FlowCertificate}

// IsUser reports whether the flow signs in a person (and so has a refresh
// token and an ID token), as opposed to an application.
func (f Flow) IsUser() bool { return f == FlowBrowser || f == FlowDevice }

// DefaultRedirectPort is the loopback port of the browser flow, the one the
// Cognite SDK's OAuthInteractive uses.
const DefaultRedirectPort = 53000

// Profile is one set of login settings. Secret fields hold references
// (env:VAR or keyring), never the secret itself.
type Profile struct {
	Name     string `yaml:"-" json:"name"`
	Tenant   string `yaml:"tenant" json:"tenant"`
	ClientID string `yaml:"client_id" json:"client_id"`
	Cluster  string `yaml:"cluster" json:"cluster"`
	Project  string `yaml:"project" json:"project"`
	Flow     Flow   `yaml:"flow" json:"flow"`

	// Provider is entra (the default when empty), cognito or oidc.
	Provider Provider `yaml:"provider,omitempty" json:"provider,omitempty"`
	// Issuer is the OpenID issuer of a cognito or oidc profile.
	Issuer string `yaml:"issuer,omitempty" json:"issuer,omitempty"`
	// Audience is sent as the audience parameter (Auth0 style) by oidc
	// profiles, and is the aud their tokens are judged against.
	Audience string `yaml:"audience,omitempty" json:"audience,omitempty"`
	// TokenURL overrides the token endpoint discovery names.
	TokenURL string `yaml:"token_url,omitempty" json:"token_url,omitempty"`
	// GroupsClaimName is the claim that carries the token's groups
	// (groups_claim; default: GroupsClaim).
	GroupsClaimName string `yaml:"groups_claim,omitempty" json:"groups_claim,omitempty"`

	Authority    string   `yaml:"authority,omitempty" json:"authority,omitempty"`
	CDFURL       string   `yaml:"cdf_url,omitempty" json:"cdf_url,omitempty"`
	Scopes       []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	RedirectPort int      `yaml:"redirect_port,omitempty" json:"redirect_port,omitempty"`
	LoginHint    string   `yaml:"login_hint,omitempty" json:"login_hint,omitempty"`

	// ClientSecret is a reference: "env:VAR" or "keyring".
	ClientSecret string `yaml:"client_secret,omitempty" json:"client_secret,omitempty"`
	// Certificate is the path of a PEM or PFX file.
	Certificate string `yaml:"certificate,omitempty" json:"certificate,omitempty"`
	// CertificatePassword is a reference: "env:VAR" or "keyring".
	CertificatePassword string `yaml:"certificate_password,omitempty" json:"certificate_password,omitempty"`
	// CAFile is an extra trusted CA bundle (PEM), e.g. for a TLS-inspecting proxy.
	CAFile  string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	Default bool   `yaml:"default,omitempty" json:"default,omitempty"`
}

// AuthorityURL is the Entra authority: the profile's own, or
// https://login.microsoftonline.com/<tenant>.
func (p Profile) AuthorityURL() string {
	if p.Authority != "" {
		return strings.TrimRight(p.Authority, "/")
	}
	return "https://login.microsoftonline.com/" + p.Tenant
}

// BaseURL is the CDF base URL: the profile's own, or
// https://<cluster>.cognitedata.com.
func (p Profile) BaseURL() string {
	if p.CDFURL != "" {
		return strings.TrimRight(p.CDFURL, "/")
	}
	return fmt.Sprintf("https://%s.cognitedata.com", p.Cluster)
}

// ScopeList is the scopes to request: the profile's own, or the
// provider's default for CDF: <cdf_url>/.default (Entra), the Cognite
// API's resource server scopes (Cognito: https://cognitedata.com/IDENTITY
// and …/user_impersonation), IDENTITY and user_impersonation (oidc; none
// when the profile sets an audience, which names the API instead). The
// flows add the OpenID scopes a user sign-in needs.
func (p Profile) ScopeList() []string {
	if len(p.Scopes) > 0 {
		return append([]string(nil), p.Scopes...)
	}
	switch p.ProviderOf() {
	case ProviderCognito:
		return []string{CognitoResourceServer + "/IDENTITY", CognitoResourceServer + "/user_impersonation"}
	case ProviderOIDC:
		if p.Audience != "" {
			// Auth0 style: the audience names the API; no scope is needed
			// for it (a person's sign-in still asks for openid).
			return nil
		}
		return []string{"IDENTITY", "user_impersonation"}
	}
	return []string{p.BaseURL() + "/.default"}
}

// Port is the loopback redirect port of the browser flow.
func (p Profile) Port() int {
	if p.RedirectPort != 0 {
		return p.RedirectPort
	}
	return DefaultRedirectPort
}

// RedirectURI is the redirect URI the browser flow uses and the app
// registration must list under "Mobile and desktop applications".
func (p Profile) RedirectURI() string { return fmt.Sprintf("http://localhost:%d", p.Port()) }

// InstanceDiscovery reports whether MSAL may run instance discovery for
// this profile's authority. This is the one place that decides it: for any
// host that is not a Microsoft login host (a test tenant, the sandbox, an
// ADFS or custom authority) discovery must be off, otherwise MSAL first
// calls https://login.microsoftonline.com/common/discovery/instance, which
// fails offline and leaks the authority to Microsoft.
func (p Profile) InstanceDiscovery() bool {
	u, err := url.Parse(p.AuthorityURL())
	if err != nil {
		return false
	}
	host, idn := ASCIIHost(u.Hostname())
	return microsoftLoginHosts[host] && !idn
}

// Shown is p as it may be shown: a secret field that holds anything but a
// reference (so perhaps the secret itself) is replaced by HiddenValue.
func (p Profile) Shown() Profile {
	p.ClientSecret = MaskedRef(p.ClientSecret)
	p.CertificatePassword = MaskedRef(p.CertificatePassword)
	return p
}

package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Discovery is what an OpenID provider's discovery document
// (<issuer>/.well-known/openid-configuration) says, as far as cdflogin's
// flows need it.
type Discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	DeviceEndpoint        string   `json:"device_authorization_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	ScopesSupported       []string `json:"scopes_supported"`
	// TokenAuthMethods is token_endpoint_auth_methods_supported;
	// client_secret_basic when absent (OpenID Connect Discovery §3).
	TokenAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypes       []string `json:"grant_types_supported"`
	// IssParameter is authorization_response_iss_parameter_supported
	// (RFC 9207): the browser's answer then names the issuer.
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`

	provider *oidc.Provider
}

// ErrFlowUnsupported marks a flow the provider cannot run (Cognito's
// device code, a certificate where private_key_jwt is not offered).
var ErrFlowUnsupported = errors.New("the identity provider does not support this flow")

// FlowUnsupportedError says why a provider cannot run a flow and which
// flow to use instead; errors.Is(err, ErrFlowUnsupported) holds for it.
type FlowUnsupportedError struct {
	Profile string
	Flow    profiles.Flow
	Reason  string
	// Try is the flow to use instead ("" when none).
	Try profiles.Flow
}

func (e *FlowUnsupportedError) Error() string {
	msg := fmt.Sprintf("profile %q cannot sign in with the %s flow: %s", e.Profile, e.Flow, e.Reason)
	if e.Try != "" {
		msg += fmt.Sprintf("; use the %s flow: cdflogin login -p %s --flow %s", e.Try, e.Profile, e.Try)
	}
	return msg
}

// Unwrap returns ErrFlowUnsupported.
func (e *FlowUnsupportedError) Unwrap() error { return ErrFlowUnsupported }

// DiscoveryError is a discovery document that could not be read, or that
// names another issuer than the profile's.
type DiscoveryError struct {
	Issuer string
	// Mismatch is the issuer the document names when it is not Issuer.
	Mismatch string
	Err      error
}

func (e *DiscoveryError) Error() string {
	if e.Mismatch != "" {
		return fmt.Sprintf("the discovery document of issuer %s names another issuer, %s: set the profile's issuer to exactly the issuer the provider names (no trailing slash, same case)", e.Issuer, e.Mismatch)
	}
	return fmt.Sprintf("read the OpenID discovery document of issuer %s: %v", e.Issuer, e.Err)
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

// Discover reads the profile's discovery document with go-oidc, which
// checks that it names the profile's issuer.
func (s *Service) Discover(ctx context.Context, p profiles.Profile) (*Discovery, error) {
	hc, err := HTTPClient(s.deps.HTTPClient, p)
	if err != nil {
		return nil, err
	}
	return discover(oidc.ClientContext(ctx, hc), p)
}

// DiscoverWith is Discover with an HTTP client the caller built (doctor,
// claims: the profile's, with its ca_file).
func DiscoverWith(ctx context.Context, hc *http.Client, p profiles.Profile) (*Discovery, error) {
	return discover(oidc.ClientContext(ctx, hc), p)
}

func discover(ctx context.Context, p profiles.Profile) (*Discovery, error) {
	issuer := p.IssuerURL()
	if issuer == "" {
		return nil, fmt.Errorf("profile %q has no issuer: set issuer (discovery is read at <issuer>/.well-known/openid-configuration)", p.Name)
	}
	prov, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		var mm *oidc.IssuerMismatchError
		if errors.As(err, &mm) {
			return nil, &DiscoveryError{Issuer: issuer, Mismatch: mm.Discovered, Err: err}
		}
		if isTransport(err) || errors.Is(err, context.DeadlineExceeded) {
			return nil, &NetworkError{Op: "read the OpenID discovery document of " + issuer, Err: err, Service: p.ProviderOf().Title()}
		}
		return nil, &DiscoveryError{Issuer: issuer, Err: err}
	}
	d := &Discovery{provider: prov}
	if err := prov.Claims(d); err != nil {
		return nil, &DiscoveryError{Issuer: issuer, Err: err}
	}
	return d, nil
}

// tokenEndpoint is the profile's token_url, else discovery's.
func tokenEndpoint(p profiles.Profile, d *Discovery) string {
	if p.TokenURL != "" {
		return p.TokenURL
	}
	if d != nil {
		return d.TokenEndpoint
	}
	return ""
}

// supportsAuthMethod reports whether discovery offers the client
// authentication method (client_secret_basic when it names none).
func (d *Discovery) supportsAuthMethod(m string) bool {
	if d == nil {
		return true
	}
	if len(d.TokenAuthMethods) == 0 {
		return m == "client_secret_basic"
	}
	return slices.Contains(d.TokenAuthMethods, m)
}

// secretAuthStyle is how a client secret is sent, as discovery says:
// HTTP Basic (client_secret_basic) if offered, else in the form
// (client_secret_post). Without discovery (a token_url alone) oauth2
// tries Basic and then the form.
func secretAuthStyle(p profiles.Profile, d *Discovery) (oauth2.AuthStyle, error) {
	switch {
	case d == nil:
		return oauth2.AuthStyleAutoDetect, nil
	case d.supportsAuthMethod("client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil
	case d.supportsAuthMethod("client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, &FlowUnsupportedError{Profile: p.Name, Flow: profiles.FlowSecret,
		Reason: fmt.Sprintf("the token endpoint takes no client secret (token_endpoint_auth_methods_supported: %s)", strings.Join(d.TokenAuthMethods, ", ")),
		Try:    tryInstead(d, profiles.FlowSecret)}
}

// tryInstead is an app flow the provider supports other than flow.
func tryInstead(d *Discovery, flow profiles.Flow) profiles.Flow {
	if flow != profiles.FlowCertificate && d.supportsAuthMethod("private_key_jwt") {
		return profiles.FlowCertificate
	}
	if flow != profiles.FlowSecret && (d.supportsAuthMethod("client_secret_basic") || d.supportsAuthMethod("client_secret_post")) {
		return profiles.FlowSecret
	}
	return ""
}

// CheckFlow says whether the provider can run flow, from the profile
// alone (Cognito) and from its discovery document (a device endpoint,
// private_key_jwt); nil when it can.
func CheckFlow(p profiles.Profile, d *Discovery, flow profiles.Flow) error {
	if err := p.FlowSupported(flow); err != nil {
		try := profiles.FlowBrowser
		if !flow.IsUser() {
			try = profiles.FlowSecret
		}
		reason := err.Error()
		for _, tail := range []string{": sign in with the", ": use the"} {
			if i := strings.Index(reason, tail); i > 0 {
				reason = reason[:i] // the error names the flow to use itself
			}
		}
		return &FlowUnsupportedError{Profile: p.Name, Flow: flow, Reason: reason, Try: try}
	}
	if d == nil {
		return nil
	}
	switch flow {
	case profiles.FlowDevice:
		if d.DeviceEndpoint == "" {
			return &FlowUnsupportedError{Profile: p.Name, Flow: flow,
				Reason: fmt.Sprintf("issuer %s advertises no device_authorization_endpoint in its discovery document", d.Issuer), Try: profiles.FlowBrowser}
		}
	case profiles.FlowBrowser:
		if d.AuthorizationEndpoint == "" {
			return &FlowUnsupportedError{Profile: p.Name, Flow: flow,
				Reason: fmt.Sprintf("issuer %s advertises no authorization_endpoint", d.Issuer)}
		}
	case profiles.FlowCertificate:
		if !d.supportsAuthMethod("private_key_jwt") {
			return &FlowUnsupportedError{Profile: p.Name, Flow: flow,
				Reason: fmt.Sprintf("the token endpoint does not take private_key_jwt client assertions (token_endpoint_auth_methods_supported: %s)", strings.Join(orBasic(d.TokenAuthMethods), ", ")),
				Try:    tryInstead(d, flow)}
		}
	case profiles.FlowSecret:
		_, err := secretAuthStyle(p, d)
		return err
	}
	return nil
}

func orBasic(m []string) []string {
	if len(m) == 0 {
		return []string{"client_secret_basic (by default)"}
	}
	return m
}

// Flows is every flow the provider supports, by its discovery document.
func (d *Discovery) Flows(p profiles.Profile) []profiles.Flow {
	var out []profiles.Flow
	for _, f := range profiles.Flows {
		if CheckFlow(p, d, f) == nil {
			out = append(out, f)
		}
	}
	return out
}

// hostRealm is the cache's environment and realm of an issuer (or token
// URL): its host[:port] and its path without slashes.
func hostRealm(raw string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	return strings.ToLower(u.Host), strings.Trim(u.Path, "/")
}

// providerHTTP is the context the oauth2 and go-oidc calls run with:
// their requests go through the profile's HTTP client.
func providerHTTP(ctx context.Context, hc *http.Client) context.Context {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	return oidc.ClientContext(ctx, hc)
}

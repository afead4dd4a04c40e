package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// ProviderError is a refusal by an identity provider that is not Entra
// ID (Amazon Cognito, any OpenID provider): its OAuth error code and
// description (RFC 6749 §5.2, RFC 8628 §3.5), and the step that failed.
type ProviderError struct {
	Op       string
	Provider profiles.Provider
	// Code is the OAuth error (invalid_client, invalid_grant, …);
	// Description its error_description, sanitised.
	Code        string
	Description string
	HTTPStatus  int
	// Source is "token", "devicecode", "poll", "redirect" or "refresh".
	Source string
	Kind   error // ErrDeclined, ErrDeviceCodeExpired or nil
}

func (e *ProviderError) Error() string {
	msg := fmt.Sprintf("%s: %s refused: %s", e.Op, e.Provider.Title(), e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Unwrap returns the Kind, if any.
func (e *ProviderError) Unwrap() error { return e.Kind }

// classifyProvider turns what oauth2 or the listener returned into
// ProviderError, NetworkError or a wrapped error.
func classifyProvider(op string, p profiles.Profile, source string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		pe := &ProviderError{Op: op, Provider: p.ProviderOf(), Code: textsafe.Line(re.ErrorCode),
			Description: textsafe.Line(re.ErrorDescription), Source: source}
		if re.Response != nil {
			pe.HTTPStatus = re.Response.StatusCode
		}
		if pe.Code == "" {
			if pe.HTTPStatus >= 500 || pe.HTTPStatus == 429 {
				return &NetworkError{Op: op, Err: fmt.Errorf("HTTP %d", pe.HTTPStatus), Service: p.ProviderOf().Title()}
			}
			pe.Code = fmt.Sprintf("HTTP %d", pe.HTTPStatus)
		}
		pe.Kind = kindOf(pe.Code)
		return pe
	}
	var ae *aadsts.Error
	if errors.As(err, &ae) {
		pe := &ProviderError{Op: op, Provider: p.ProviderOf(), Code: textsafe.Line(ae.Code), Description: textsafe.Line(ae.Description), Source: source}
		pe.Kind = kindOf(pe.Code)
		return pe
	}
	var ue *url.Error
	if errors.As(err, &ue) || isTransport(err) {
		return &NetworkError{Op: op, Err: err, Service: p.ProviderOf().Title()}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func kindOf(code string) error {
	switch code {
	case "access_denied", "authorization_declined":
		return ErrDeclined
	case "expired_token":
		return ErrDeviceCodeExpired
	}
	return nil
}

// ProviderAdvice is what to do about a provider's OAuth error code, for
// the explanation (internal/insight/diagnosis); "" when there is nothing
// to add.
func ProviderAdvice(p profiles.Profile, code string) (title, fix string) {
	prov := p.ProviderOf()
	console := "the identity provider's console"
	client := "the app client"
	if prov == profiles.ProviderCognito {
		console = "the AWS console (Amazon Cognito › User pools › " + cognitoPool(p) + " › App integration › App clients)"
	}
	switch code {
	case "invalid_client":
		return "The provider does not know the client, or its secret or key is wrong",
			fmt.Sprintf("Check client_id %q and its secret (or certificate) in %s; a Cognito client credentials app client must have a client secret.", p.ClientID, console)
	case "unauthorized_client":
		return "The client may not use this grant",
			fmt.Sprintf("Allow the %s flow for %s in %s (Cognito: OAuth grant types — authorization code for browser, client credentials for secret).", p.Flow, client, console)
	case "invalid_scope":
		return "The provider refused the scopes",
			fmt.Sprintf("Ask only for scopes %s allows: %s. For Cognito these are <resource-server>/IDENTITY and <resource-server>/user_impersonation of the resource server %s (set scopes in the profile).",
				client, "check its allowed custom scopes in "+console, profiles.CognitoResourceServer)
	case "invalid_grant":
		return "The code or refresh token is no longer valid",
			fmt.Sprintf("Sign in again: cdflogin login -p %s. A refresh token that expired or was revoked needs a new sign-in.", p.Name)
	case "redirect_mismatch", "invalid_request":
		return "The provider refused the request",
			fmt.Sprintf("Check that %s lists the callback URL %s exactly and allows the scopes %v.", client, p.RedirectURI(), p.ScopeList())
	case "access_denied", "authorization_declined":
		return "The sign-in was declined", "Sign in again and accept; if you did not decline, ask the provider's administrator whether you may use " + client + "."
	case "expired_token":
		return "The device code expired", fmt.Sprintf("Start again: cdflogin login -p %s --flow device, and enter the code before it expires.", p.Name)
	}
	return "", ""
}

func cognitoPool(p profiles.Profile) string {
	_, realm := hostRealm(p.IssuerURL())
	if realm == "" {
		return "<pool>"
	}
	return realm
}

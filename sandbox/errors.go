package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// entraError is one Entra error answer.
type entraError struct {
	status   int    // 400, or 401 for invalid_client
	code     string // error
	aadsts   int    // AADSTS number
	text     string // description after "AADSTSnnnn: "
	suberror string
}

func eErr(code string, aadsts int, format string, args ...any) *entraError {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	return &entraError{status: status, code: code, aadsts: aadsts, text: fmt.Sprintf(format, args...)}
}

// Error texts follow what Entra answers; see Microsoft's error-code reference
// (learn.microsoft.com/entra/identity-platform/reference-error-codes).

func errTenantNotFound(tenant string) *entraError {
	return eErr("invalid_tenant", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)
}

func errUnknownApp(clientID, tenant string) *entraError {
	return eErr("unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant)
}

func errPublicClientFlows() *entraError {
	return eErr("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

func errWrongSecret(clientID string) *entraError {
	return eErr("invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)
}

func errPublicClientCredential() *entraError {
	return eErr("invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
}

func errNoConsent(clientID, appName, resource string) *entraError {
	e := eErr("invalid_grant", 65001, "The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource. (resource %s)", clientID, appName, resource)
	e.suberror = "consent_required"
	return e
}

func errResourceNotFound(resource, tenant string) *entraError {
	return eErr("invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenant)
}

func errClientCredentialsScope(scope string) *entraError {
	return eErr("invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
}

func errInvalidScope(scope string) *entraError {
	return eErr("invalid_scope", 70011, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '%s'.", scope)
}

func errIncompatibleScopes(scope string) *entraError {
	return eErr("invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. One or more scopes in '%s' are not compatible with each other.", scope)
}

func errRefreshExpired(issued time.Time, inactive time.Duration) *entraError {
	days := int(inactive.Hours()) / 24
	rest := inactive - time.Duration(days)*24*time.Hour
	return eErr("invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on %s and was inactive for %d.%02d:%02d:%02d.",
		issued.UTC().Format("2006-01-02T15:04:05.0000000Z"), days, int(rest.Hours()), int(rest.Minutes())%60, int(rest.Seconds())%60)
}

func errUnknownCert(clientID, thumb string) *entraError {
	return eErr("invalid_client", 700027, "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployguide/graph-deployguide-v2 to learn about configuring keys.]", thumb, clientID)
}

func errBadAssertionSignature(clientID string) *entraError {
	return eErr("invalid_client", 700027, "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '', Found key 'Start=..., End=...', app Id '%s']", clientID)
}

func errMalformedAssertion() *entraError {
	return eErr("invalid_client", 50027, "JWT token is invalid or malformed.")
}

func errAssertionAudience() *entraError {
	return eErr("invalid_client", 700212, "No matching federated identity record found for presented assertion audience. The client assertion audience must be the token endpoint of the tenant.")
}

func errAssertionSubject() *entraError {
	return eErr("invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
}

func errAssertionTime() *entraError {
	return eErr("invalid_client", 700024, "Client assertion is not within its valid time range.")
}

func errMissingParam(name string) *entraError {
	return eErr("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

func errUnsupportedGrant(g string) *entraError {
	return eErr("unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", g)
}

func errMalformed() *entraError {
	return eErr("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
}

func errCodeRedeemed() *entraError {
	return eErr("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
}

func errCodeExpired() *entraError {
	return eErr("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
}

func errPKCE() *entraError {
	return eErr("invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.")
}

func errRedirectMismatchOnRedeem() *entraError {
	return eErr("invalid_grant", 500112, "The reply address does not match the reply address provided when requesting Authorization code.")
}

func errCodeOtherClient() *entraError {
	return eErr("invalid_grant", 70000, "The request was denied because one or more grants are invalid, expired or revoked: the authorization code was issued to another client.")
}

func errPending() *entraError {
	return eErr("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
}

func errDeviceExpired() *entraError {
	return eErr("expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
}

// errDeclined: Microsoft documents authorization_declined without an
// AADSTS number; 70000 (InvalidGrant) is the closest documented one.
func errDeclined() *entraError {
	return eErr("authorization_declined", 70000, "The user has declined the authorization request.")
}

func errBadDeviceCode() *entraError {
	return eErr("bad_verification_code", 70019, "The provided value for the input parameter 'device_code' is not valid. Verification code expired or is not known.")
}

// writeEntraError writes the JSON error body exactly in Entra's shape.
func (s *Sandbox) writeEntraError(w http.ResponseWriter, r *http.Request, e *entraError) {
	now := s.Now().UTC()
	trace := newGUID()
	corr := r.Header.Get("client-request-id")
	if corr == "" {
		corr = newGUID()
	}
	ts := now.Format("2006-01-02 15:04:05Z")
	desc := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.aadsts, e.text, trace, corr, ts)
	body := map[string]any{
		"error":             e.code,
		"error_description": desc,
		"error_codes":       []int{e.aadsts},
		"timestamp":         ts,
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         fmt.Sprintf("%s/error?code=%d", s.entraURL, e.aadsts),
	}
	if e.suberror != "" {
		body["suberror"] = e.suberror
	}
	w.Header().Set("x-ms-request-id", trace)
	w.Header().Set("client-request-id", corr)
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

package flows

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strings"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// ErrNetwork marks a failure to reach Entra ID (connection refused, DNS,
// TLS, timeout) or an answer that says "try again later" (HTTP 5xx, 429).
// The cached token, if any, stays usable; retrying later is the caller's
// choice.
var ErrNetwork = errors.New("cannot reach Entra ID")

// NetworkError is a failure to reach Entra ID; errors.Is(err, ErrNetwork)
// holds for it.
type NetworkError struct {
	Op  string // what was being done, e.g. "refresh the token of profile \"dev\""
	Err error
	// Service is the identity provider that could not be reached
	// ("Amazon Cognito", …); empty means Entra ID.
	Service string
}

func (e *NetworkError) Error() string {
	service := e.Service
	if service == "" {
		service = "Entra ID"
	}
	return fmt.Sprintf("%s: %s could not be reached: %v", e.Op, service, e.Err)
}

// Unwrap returns ErrNetwork and the cause.
func (e *NetworkError) Unwrap() []error { return []error{ErrNetwork, e.Err} }

// ErrDeviceCodeExpired means nobody completed the device-code sign-in in
// time. The *aadsts.Error in the chain has Code "expired_token".
var ErrDeviceCodeExpired = errors.New("the device code expired")

// ErrDeclined means the person declined the sign-in (device code
// authorization_declined, or access_denied on the browser redirect).
var ErrDeclined = errors.New("the sign-in was declined")

// EntraError is Entra ID's refusal of a request made for a profile. It
// wraps the *aadsts.Error (use errors.As) and names the step that failed.
type EntraError struct {
	Op   string
	Err  *aadsts.Error
	Kind error // optional sentinel, e.g. ErrDeviceCodeExpired
	// CodeLifetime is how long the device code of a device-code sign-in
	// was valid (Entra's expires_in), for the explanation; 0 otherwise.
	CodeLifetime time.Duration
	// Refresh says Entra refused a silent refresh with the cached
	// refresh token (not a sign-in), for the explanation.
	Refresh bool
}

func (e *EntraError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns the *aadsts.Error and the Kind, if any.
func (e *EntraError) Unwrap() []error {
	if e.Kind != nil {
		return []error{e.Err, e.Kind}
	}
	return []error{e.Err}
}

// ExplainContext is what the AADSTS catalogue is told about profile p
// and the flow that ran (the profile's when empty): the profile's values
// and name, and the resource its scopes ask for. The browser flow's error
// page and every explanation (internal/insight/diagnosis) start from it.
func ExplainContext(p profiles.Profile, flow profiles.Flow) aadsts.Context {
	if flow == "" {
		flow = p.Flow
	}
	return aadsts.Context{
		ClientID:    p.ClientID,
		Tenant:      p.Tenant,
		RedirectURI: p.RedirectURI(),
		Cluster:     p.Cluster,
		CDFURL:      p.BaseURL(),
		Flow:        string(flow),
		Profile:     p.Name,
		Resource:    ScopeResource(p),
	}
}

// ScopeResource is the resource (API) the profile's scopes ask for: the
// first scope that is not an OpenID Connect one, without its last path
// element (/.default, /user_impersonation …), e.g.
// https://westeurope-1.cognitedata.com; "" when there is none.
func ScopeResource(p profiles.Profile) string {
	for _, s := range p.ScopeList() {
		switch strings.ToLower(s) {
		case "openid", "profile", "email", "offline_access":
			continue
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return ""
		}
		if i := strings.LastIndexByte(u.Path, '/'); i >= 0 {
			u.Path = u.Path[:i]
		}
		u.RawQuery, u.Fragment = "", ""
		return strings.TrimRight(u.String(), "/")
	}
	return ""
}

// classify turns an error from MSAL into one of cdflogin's typed errors:
// context errors pass through, local file problems (the token cache) keep
// their own message, answers that do not decode become *AnswerError,
// transport failures and 5xx/429 become *NetworkError, Entra answers
// become *EntraError. The result never contains MSAL's raw message (which
// can hold whole response bodies). answers, when not nil, is the log of
// the client that failed; it names the answer that did not decode.
func classify(op string, err error, answers *answerLog) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if isLocalFile(err) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if cause, ok := invalidJSON(err); ok {
		return answerError(op, cause, answers)
	}
	status := callStatus(err)
	ae, ok := aadsts.Parse(err)
	if status == 429 || status >= 500 {
		if ok {
			return &NetworkError{Op: op, Err: ae}
		}
		return &NetworkError{Op: op, Err: fmt.Errorf("HTTP %d from %s", status, callHost(err))}
	}
	if ok {
		return &EntraError{Op: op, Err: ae}
	}
	if status != 0 {
		return fmt.Errorf("%s: unexpected HTTP %d from %s", op, status, callHost(err))
	}
	if isTransport(err) {
		return &NetworkError{Op: op, Err: transportCause(err)}
	}
	return &bodylessError{op: op, err: err}
}

// bodylessError is an MSAL error cdflogin has no better words for. Its
// text is the op and MSAL's message up to where MSAL appends a response
// body ("raw message was:", "json message bytes were:", "reply status
// code was N:").
type bodylessError struct {
	op  string
	err error
}

func (e *bodylessError) Error() string {
	return e.op + ": " + withoutBody(e.err.Error())
}

// bodyMarkers are where MSAL messages go on with a response body.
var bodyMarkers = []string{"\nraw message was:", "\njson message bytes were:"}

// withoutBody cuts an MSAL message before any response body in it.
func withoutBody(msg string) string {
	for _, m := range bodyMarkers {
		if i := strings.Index(msg, m); i >= 0 {
			msg = msg[:i]
		}
	}
	if i := strings.Index(msg, "reply status code was "); i >= 0 {
		if j := strings.Index(msg[i:], ":\n"); j >= 0 {
			msg = msg[:i+j]
		}
	}
	return strings.TrimSpace(msg)
}

func (e *bodylessError) Unwrap() error { return e.err }

// isLocalFile reports whether err is a failure of a local file operation
// (the token cache folder or file) rather than of the network. An
// *fs.PathError holding a syscall.Errno satisfies net.Error, so this must
// be asked first.
func isLocalFile(err error) bool {
	var fe *tokencache.FolderError
	if errors.As(err, &fe) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return false
	}
	var pe *fs.PathError
	return errors.As(err, &pe)
}

// callStatus is the HTTP status of an MSAL CallErr in err's chain, or 0.
func callStatus(err error) int {
	if ce := callErr(err); ce != nil && ce.Resp != nil {
		return ce.Resp.StatusCode
	}
	return 0
}

func callHost(err error) string {
	if ce := callErr(err); ce != nil && ce.Req != nil && ce.Req.URL != nil {
		return ce.Req.URL.Host
	}
	return "Entra ID"
}

func callErr(err error) *msalerrors.CallErr {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		return &ce
	}
	var pce *msalerrors.CallErr
	if errors.As(err, &pce) && pce != nil {
		return pce
	}
	return nil
}

// isTransport reports whether err is a failure to talk to the server at
// all (no HTTP answer).
func isTransport(err error) bool {
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &oe) || errors.As(err, &de) {
		return true
	}
	// MSAL wraps some transport errors with %v, losing the chain.
	msg := err.Error()
	for _, s := range []string{"connection refused", "no such host", "i/o timeout", "tls:", "x509:", "connection reset", "EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// transportCause keeps the innermost *url.Error (method, URL, cause) when
// there is one; URLs of Entra endpoints carry no secrets.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue
	}
	return err
}

// loginRequiredReason says whether an Entra refusal of a refresh means a
// person must sign in again, and why.
func loginRequiredReason(ae *aadsts.Error) (string, bool) {
	code := ae.AADSTS()
	switch code {
	case 700082:
		return "the refresh token expired (AADSTS700082)", true
	case 70008:
		return "the refresh token expired after inactivity (AADSTS70008)", true
	case 50173:
		return "the sign-in was revoked, e.g. by a password change (AADSTS50173)", true
	case 70043:
		return "Conditional Access sign-in frequency requires a new sign-in (AADSTS70043)", true
	case 65001:
		return "consent is required for this app (AADSTS65001)", true
	case 50076, 50079:
		return fmt.Sprintf("multi-factor authentication is required (AADSTS%d)", code), true
	case 53003, 530003, 50097:
		return fmt.Sprintf("Conditional Access requires an interactive sign-in (AADSTS%d)", code), true
	case 50158:
		return "an external security challenge must be completed (AADSTS50158)", true
	case 50057, 50055, 50053:
		return fmt.Sprintf("the account cannot sign in (AADSTS%d)", code), true
	}
	switch {
	case ae.Suberror == "consent_required":
		return "consent is required for this app", true
	case ae.Code == "interaction_required":
		if code > 0 {
			return fmt.Sprintf("Entra ID requires an interactive sign-in (AADSTS%d)", code), true
		}
		return "Entra ID requires an interactive sign-in", true
	case ae.Code == "invalid_grant":
		if code > 0 {
			return fmt.Sprintf("Entra ID refused the refresh token (AADSTS%d)", code), true
		}
		return "Entra ID refused the refresh token", true
	}
	return "", false
}

// deviceCodeError makes the terminal device-code poll answers clear.
// lifetime is how long the code was valid, as Entra's answer said.
func deviceCodeError(op string, ae *aadsts.Error, lifetime time.Duration) error {
	e := &EntraError{Op: op, Err: ae, CodeLifetime: lifetime}
	switch ae.Code {
	case "expired_token":
		e.Op, e.Kind = op+": nobody completed the sign-in before the code expired; run the login again", ErrDeviceCodeExpired
	case "authorization_declined":
		e.Op, e.Kind = op+": the sign-in was declined on the verification page", ErrDeclined
	case "bad_verification_code":
		e.Op = op + ": Entra ID did not recognise the device code; run the login again"
	}
	return e
}

// expiredDeviceCode stands for Entra's expired_token when MSAL stops
// polling at the code's expiry on its own: Entra said nothing, so the
// error is Local and carries no AADSTS number or Entra text.
func expiredDeviceCode(lifetime time.Duration) *aadsts.Error {
	desc := "the device code expired before the sign-in was completed"
	if lifetime > 0 {
		desc = fmt.Sprintf("the device code expired %s after it was handed out, before the sign-in was completed", lifetime)
	}
	return &aadsts.Error{Code: "expired_token", Description: desc, Source: aadsts.SourcePoll, Local: true}
}

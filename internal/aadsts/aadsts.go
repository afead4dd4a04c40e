// Package aadsts parses Entra ID error answers wherever MSAL surfaces them
// and explains each AADSTS code with its cause and the portal fix.
package aadsts

import "time"

// Error is an Entra error answer.
type Error struct {
	Code          string // the OAuth "error" value: invalid_client, …
	Description   string // error_description
	Codes         []int  // error_codes
	Suberror      string
	CorrelationID string
	TraceID       string
	Timestamp     string
	HTTPStatus    int    // 0 when not from an HTTP answer (e.g. the redirect)
	Source        string // "token", "devicecode", "poll", "redirect", "discovery"
	// Local marks an error cdflogin concluded on its own, with no answer
	// from Entra (a device code that ran out while MSAL waited): it is
	// explained, but nothing is quoted as Entra's words.
	Local bool
}

// AADSTS returns the first AADSTS number, or 0.
func (e *Error) AADSTS() int {
	if len(e.Codes) > 0 {
		return e.Codes[0]
	}
	return 0
}

// Context is what an explanation is told besides Entra's answer: the
// profile's values that fill the texts, the flow and step the answer came
// in, and what else the answers said. Every field may be empty; the texts
// then say less rather than assume.
type Context struct {
	ClientID    string
	Tenant      string
	RedirectURI string
	Cluster     string
	CDFURL      string
	// Flow is the sign-in that ran: FlowBrowser, FlowDevice, FlowSecret or
	// FlowCertificate. Where a code means different things per flow
	// (7000218, 7000215, 700025 …) the text follows it.
	Flow string
	// Profile is the profile's name; commands in the texts then name it
	// (cdflogin login -p NAME).
	Profile string
	// Resource is the API the request was for: the one Entra's answer
	// names, else the resource of the profile's scopes; empty means the
	// profile's CDF URL.
	Resource string
	// Step is what was being done when Entra answered (StepSignIn,
	// StepRefresh, StepProbe); empty when not known.
	Step string
	// CodeLifetime is how long the device code Entra handed out was valid
	// (its expires_in), when known.
	CodeLifetime time.Duration
}

// Steps of Context.Step.
const (
	StepSignIn  = "sign-in" // a sign-in a person or app started
	StepRefresh = "refresh" // a silent refresh with the cached refresh token
	StepProbe   = "probe"   // doctor asking before any sign-in
)

// Explanation is a person-readable account of an error.
type Explanation struct {
	Code    int    // AADSTS number, 0 when unknown
	Title   string // short name, e.g. "Public client flows are off"
	Cause   string
	Fix     string // in the words of the Entra admin center, with values filled in
	Suggest string // a different flow to try, if any ("browser", "device")
	// Try is a command that would run and avoids the problem (with -p NAME
	// when the profile is known), e.g. "cdflogin login -p dev --flow
	// browser"; empty when there is none.
	Try string

	Known         bool   // the catalogue has this error
	Error         string // the OAuth error value (invalid_client, …)
	Entra         string // Entra's own description, first line
	CorrelationID string // for the sign-in logs and Microsoft support
	TraceID       string
	Timestamp     string
}

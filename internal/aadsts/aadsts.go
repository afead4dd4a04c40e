// Package aadsts parses Entra ID error answers wherever MSAL surfaces them
// and explains each AADSTS code with its cause and the portal fix.
package aadsts

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
}

// AADSTS returns the first AADSTS number, or 0.
func (e *Error) AADSTS() int {
	if len(e.Codes) > 0 {
		return e.Codes[0]
	}
	return 0
}

// Context fills the fix texts with the profile's values.
type Context struct {
	ClientID    string
	Tenant      string
	RedirectURI string
	Cluster     string
	CDFURL      string
	Flow        string
}

// Explanation is a person-readable account of an error.
type Explanation struct {
	Code    int    // AADSTS number, 0 when unknown
	Title   string // short name, e.g. "Public client flows are off"
	Cause   string
	Fix     string // in the words of the Entra admin center, with values filled in
	Suggest string // a different flow to try, if any ("browser", "device")

	Known         bool   // the catalogue has this error
	Error         string // the OAuth error value (invalid_client, …)
	Entra         string // Entra's own description, first line
	CorrelationID string // for the sign-in logs and Microsoft support
	Timestamp     string
}

package aadsts

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/internal/textwrap"
)

// Flows, as profiles name them.
const (
	FlowBrowser     = "browser"
	FlowDevice      = "device"
	FlowSecret      = "secret"
	FlowCertificate = "certificate"
)

// byErrorValue are OAuth error values that decide the explanation whatever
// AADSTS number comes with them: the device-code poll answers, whose
// numbers are unreliable (authorization_declined comes with 70000 in some
// answers, which otherwise means a bad grant).
var byErrorValue = []string{"authorization_declined", "expired_token", "code_expired", "bad_verification_code", "authorization_pending"}

// lookup finds the catalogue entry for e.
func lookup(e *Error) (entry, bool) {
	for _, v := range byErrorValue {
		if e.Code == v {
			for _, en := range catalogue {
				for _, ev := range en.Errors {
					if ev == v {
						return en, true
					}
				}
			}
		}
	}
	for _, n := range e.Codes {
		for _, en := range catalogue {
			for _, c := range en.Codes {
				if c == n {
					return en, true
				}
			}
		}
	}
	if n := weakCode(e.Code); n > 0 {
		return lookup(&Error{Codes: []int{n}})
	}
	return entry{}, false
}

// weakCode is the AADSTS number an OAuth error value most likely stands
// for, used only when the answer carries no known number.
func weakCode(errorValue string) int {
	switch errorValue {
	case "access_denied":
		return 65004
	case "consent_required":
		return 65001
	case "invalid_tenant":
		return 90002
	}
	return 0
}

// Known reports whether the catalogue explains AADSTS number n.
func Known(n int) bool {
	_, ok := lookup(&Error{Codes: []int{n}})
	return ok
}

// KnownCodes lists every AADSTS number the catalogue explains.
func KnownCodes() []int {
	var out []int
	for _, en := range catalogue {
		out = append(out, en.Codes...)
	}
	return out
}

// Explain tells what e means and how to fix it, with the profile's values
// filled in. Unknown codes get Entra's own description and a pointer to
// the sign-in logs with the correlation ID.
func Explain(e *Error, c Context) Explanation {
	if e == nil {
		return Explanation{}
	}
	r := c.replacer()
	x := Explanation{
		Code:          e.AADSTS(),
		Error:         e.Code,
		Entra:         e.Summary(),
		CorrelationID: e.CorrelationID,
		TraceID:       e.TraceID,
		Timestamp:     e.Timestamp,
	}
	if e.Local {
		x.Entra = ""
	}
	if en, ok := lookup(e); ok {
		en = en.in(c)
		x.Known = true
		x.Title = r.Replace(en.Title)
		x.Cause = r.Replace(en.Cause)
		x.Fix = r.Replace(en.Fix)
		if en.Suggest != "" && en.Suggest != c.Flow && (c.Flow == "" || c.Flow == FlowBrowser || c.Flow == FlowDevice) {
			x.Suggest = en.Suggest
			x.Try = "cdflogin login" + c.profileFlag() + " --flow " + en.Suggest
		}
		return x
	}
	x.Title = "Microsoft Entra ID refused the sign-in"
	if e.Code != "" {
		x.Title += " (" + e.Code + ")"
	}
	x.Cause = "cdflogin does not know this error; Entra says: " + orDefault(x.Entra, "(no description)")
	var fix strings.Builder
	fix.WriteString("Look the failed sign-in up in Microsoft Entra admin center › " + pSignInLogs)
	if e.CorrelationID != "" {
		fix.WriteString(" (filter on correlation ID " + e.CorrelationID + ")")
	}
	if n := e.AADSTS(); n > 0 {
		fmt.Fprintf(&fix, ", and read https://login.microsoftonline.com/error?code=%d", n)
	}
	fix.WriteString(".")
	x.Fix = fix.String()
	return x
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// profileFlag is " -p NAME" when the profile is known, else "".
func (c Context) profileFlag() string {
	if c.Profile == "" {
		return ""
	}
	return " -p " + c.Profile
}

// flowName names the flow for people: "device code", "client secret" ….
func flowName(flow string) string {
	switch flow {
	case FlowDevice:
		return "device code"
	case FlowSecret:
		return "client secret"
	case FlowCertificate:
		return "certificate"
	case FlowBrowser:
		return "browser"
	}
	return "sign-in"
}

// credentialName is what the app flows sign with.
func credentialName(flow string) string {
	if flow == FlowCertificate {
		return "certificate"
	}
	return "client secret"
}

// resource is the API the request was for, without a trailing slash: the
// context's, else the CDF URL.
func (c Context) resource(cdf string) string {
	if c.Resource != "" {
		return strings.TrimRight(c.Resource, "/")
	}
	return cdf
}

// isCDF reports whether resource is CDF's: the profile's CDF URL or a
// cognitedata.com cluster.
func isCDF(resource, cdf string) bool {
	r, err := url.Parse(resource)
	if err != nil || r.Host == "" {
		return false
	}
	host := strings.ToLower(r.Host)
	if strings.HasSuffix(strings.ToLower(r.Hostname()), ".cognitedata.com") {
		return true
	}
	if u, err := url.Parse(cdf); err == nil && strings.EqualFold(u.Host, host) {
		return true
	}
	return false
}

// replacer fills the catalogue's placeholders.
func (c Context) replacer() *strings.Replacer {
	redirect := c.RedirectURI
	if redirect == "" {
		redirect = "http://localhost:53000"
	}
	port := "53000"
	if u, err := url.Parse(redirect); err == nil && u.Port() != "" {
		port = u.Port()
	}
	cdf := strings.TrimRight(c.CDFURL, "/")
	cluster := c.Cluster
	if cluster == "" {
		cluster = clusterOf(cdf)
	}
	if cdf == "" {
		if cluster != "" {
			cdf = "https://" + cluster + ".cognitedata.com"
		} else {
			cdf = "https://<cluster>.cognitedata.com"
		}
	}
	if cluster == "" {
		cluster = "<cluster>"
	}
	res := c.resource(cdf)
	api := "the Cognite API (" + res + ")"
	if !isCDF(res, cdf) {
		api = "the API " + res
	}
	profile := "the profile"
	if c.Profile != "" {
		profile = "profile " + c.Profile
	}
	life := ""
	if c.CodeLifetime > 0 {
		life = " (this tenant's device codes live " + c.CodeLifetime.Round(time.Second).String() + ", as Entra's answer said)"
	}
	return strings.NewReplacer(
		"{app}", orDefault(c.ClientID, "<application (client) ID>"),
		"{tenant}", orDefault(c.Tenant, "<directory (tenant) ID>"),
		"{redirect}", redirect,
		"{port}", port,
		"{cluster}", cluster,
		"{cdf}", cdf,
		"{cdfscope}", cdf+"/.default",
		"{resource}", res,
		"{scope}", res+"/.default",
		"{api}", api,
		"{profile}", profile,
		"{name}", orDefault(c.Profile, "NAME"),
		"{p}", c.profileFlag(),
		"{login}", "cdflogin login"+c.profileFlag(),
		"{flow}", flowName(c.Flow),
		"{credential}", credentialName(c.Flow),
		"{codelife}", life,
	)
}

// clusterOf returns "westeurope-1" for https://westeurope-1.cognitedata.com.
func clusterOf(cdfURL string) string {
	u, err := url.Parse(cdfURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if c, ok := strings.CutSuffix(host, ".cognitedata.com"); ok && c != "" && !strings.Contains(c, ".") {
		return c
	}
	return ""
}

// String is the explanation as text for a terminal, several lines:
//
//	AADSTS7000218: The app is treated as confidential (public client flows off)
//	Cause: …
//	Fix:   …
//	Try:   cdflogin login --flow browser
//	Entra: AADSTS7000218: The request body must contain …
//	Correlation ID: … (2026-11-28 10:00:00Z)
//	Trace ID: …
func (x Explanation) String() string {
	if x.Title == "" && x.Cause == "" && x.Fix == "" {
		return ""
	}
	var b strings.Builder
	if x.Code > 0 {
		b.WriteString("AADSTS" + strconv.Itoa(x.Code) + ": ")
	}
	b.WriteString(x.Title)
	b.WriteString("\n")
	if x.Cause != "" {
		b.WriteString(wrap("Cause: ", x.Cause))
	}
	if x.Fix != "" {
		b.WriteString(wrap("Fix:   ", x.Fix))
	}
	switch {
	case x.Try != "":
		b.WriteString("Try:   " + x.Try + "\n")
	case x.Suggest != "":
		b.WriteString("Try:   cdflogin login --flow " + x.Suggest + "\n")
	}
	if x.Known && x.Entra != "" {
		b.WriteString(wrap("Entra: ", x.Entra))
	}
	if x.CorrelationID != "" {
		b.WriteString("Correlation ID: " + x.CorrelationID)
		if x.Timestamp != "" {
			b.WriteString(" (" + x.Timestamp + ")")
		}
		b.WriteString("\n")
	}
	if x.TraceID != "" {
		b.WriteString("Trace ID: " + x.TraceID + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// wrapWidth is the width String wraps at.
const wrapWidth = 100

// wrap writes label and text, wrapping at wrapWidth with a hanging indent.
func wrap(label, text string) string {
	return textwrap.Hanging(label, strings.Fields(text), wrapWidth)
}

// ExplainedError is an Entra error with its explanation: commands return
// it and the root prints Error() as the one-line message and Details()
// under it.
type ExplainedError struct {
	Err *Error
	Explanation
	// Cause is the error Err was parsed from (MSAL's), kept for errors.Is
	// and errors.As; may be nil.
	Cause error
}

// Error is the one-line message.
func (e *ExplainedError) Error() string {
	if e.Err == nil {
		return "entra id error"
	}
	return e.Err.Error()
}

// Details is the multi-line explanation (cmdutil.Detailer).
func (e *ExplainedError) Details() string { return e.Explanation.String() }

// Unwrap returns the Entra error and the original cause.
func (e *ExplainedError) Unwrap() []error {
	out := []error{}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if e.Cause != nil && e.Cause != error(e.Err) {
		out = append(out, e.Cause)
	}
	return out
}

// Wrap returns err as an *ExplainedError when it carries an Entra error
// answer (see Parse), and err unchanged otherwise (nil stays nil). An
// *ExplainedError already in err's chain is returned as is.
func Wrap(err error, c Context) error {
	if err == nil {
		return nil
	}
	var xe *ExplainedError
	if errors.As(err, &xe) {
		return err
	}
	e, ok := Parse(err)
	if !ok {
		return err
	}
	return &ExplainedError{Err: e, Explanation: Explain(e, c), Cause: err}
}

// NeedsInteraction reports whether the error can only be resolved by a
// person signing in again (expired or revoked refresh token, MFA, consent,
// Conditional Access…), as opposed to a configuration or network problem.
func NeedsInteraction(e *Error) bool {
	if e == nil {
		return false
	}
	switch e.Code {
	case "invalid_grant", "interaction_required", "consent_required", "login_required":
		return true
	}
	switch e.Suberror {
	case "basic_action", "additional_action", "message_only", "consent_required", "user_password_expired", "bad_token", "token_expired", "protection_policy_required":
		return true
	}
	return false
}

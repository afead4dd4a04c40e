package ui

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

// defaultExplain explains a sign-in error of profile p: Entra's answers
// through the aadsts catalogue (with the profile's values in the fix),
// failures to reach Entra ID through nethint (the same classification
// and fix as the command line, naming the profile's ca_file and the
// command that sets it).
func defaultExplain(err error, c aadsts.Context, p profiles.Profile) (aadsts.Explanation, bool) {
	if e, ok := aadsts.Parse(err); ok {
		return aadsts.Explain(e, c), true
	}
	if a, ok := networkAdvice(err, p); ok {
		return aadsts.Explanation{Title: a.Title(), Cause: networkCause(a), Fix: a.FixText()}, true
	}
	return aadsts.Explanation{}, false
}

// networkAdvice is nethint's advice for a failure of a sign-in or refresh
// of profile p to reach Entra ID, for the same target as the command line
// gives it: the profile's name and ca_file, and its authority's host when
// err names none. An answer from something in Entra's place
// (*flows.AnswerError) is not one: its message says what to check.
func networkAdvice(err error, p profiles.Profile) (nethint.Advice, bool) {
	var answer *flows.AnswerError
	if errors.As(err, &answer) {
		return nethint.Advice{}, false
	}
	return nethint.Explain(err, nethint.Target{Service: nethint.Entra, Profile: p.Name, CAFile: p.CAFile,
		Host: hostOf(p.AuthorityURL()), Unreachable: errors.Is(err, flows.ErrNetwork)})
}

// hostOf is the host[:port] of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// networkCause is the advice's cause, or, when it has none, the host
// it failed to reach.
func networkCause(a nethint.Advice) string {
	if a.Cause != "" || a.Host == "" {
		return a.Cause
	}
	return "No connection to " + a.Host + "."
}

// tuiAdviceRules turn the command line's advice, which the catalogues
// give, into this program's keys: the person is here, not at a prompt.
// {signin} is what signs in again on the page ("press r"), {edit} what
// edits the profile ("press e").
var tuiAdviceRules = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\(cdflogin login --flow (\w+)\)`), "({flow} and choose the $1 flow)"},
	{regexp.MustCompile(`cdflogin login --flow (\w+)`), "{flow} and choose the $1 flow"},
	{regexp.MustCompile(`[Uu]se --flow device`), "{flow} and choose the device code flow"},
	{regexp.MustCompile(`pick another port with --redirect-port N \(cdflogin profile edit\)`), "{edit} to give the profile another redirect port N"},
	{regexp.MustCompile(`Sign in again: cdflogin login`), "Sign in again ({signin})"},
	{regexp.MustCompile(`[Rr]un cdflogin login again`), "Sign in again ({signin})"},
	{regexp.MustCompile(`[Rr]un: cdflogin login -p \S+`), "sign in again ({signin})"},
	{regexp.MustCompile(`Run: cdflogin profile edit \S+ --ca-file /path/to/ca\.pem`), "Set the profile's CA file: {edit}."},
	{regexp.MustCompile(`cdflogin token refreshes it; scripts should ask for a new token shortly before expiry`), "this program refreshes it before it expires (r refreshes it now)"},
	{regexp.MustCompile(`Get a new token: cdflogin login \(or cdflogin token, which refreshes\)`), "Get a new token: r refreshes it, or {signin}"},
	{regexp.MustCompile(`\(cdflogin inspect shows the mapping\)`), "(the CDF access tab shows the mapping)"},
	{regexp.MustCompile(`\(use cdflogin token, which caches\)`), "(cdflogin token caches tokens for scripts)"},
}

// adviceKeys say how a page does what the command line's advice does:
// sign in again, edit the profile, choose another flow.
type adviceKeys struct{ signIn, edit, flow string }

var (
	// errorPageKeys are the Error page's.
	errorPageKeys = adviceKeys{signIn: "press r", edit: "press e", flow: "press f"}
	// tokenPageKeys are the Token page's.
	tokenPageKeys = adviceKeys{signIn: "press enter", edit: "esc, then e on the profile", flow: "press enter"}
	// browserPageKeys are the Browser page's.
	browserPageKeys = adviceKeys{signIn: "press esc, then enter", edit: "esc twice, then e on the profile", flow: "press esc"}
)

// tuiAdvice rewrites the command line's advice in s as this program's keys.
func tuiAdvice(s string, k adviceKeys) string {
	for _, r := range tuiAdviceRules {
		with := strings.NewReplacer("{signin}", k.signIn, "{edit}", k.edit, "{flow}", k.flow).Replace(r.with)
		s = r.re.ReplaceAllString(s, with)
	}
	return s
}

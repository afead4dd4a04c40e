package ui

import (
	"regexp"
	"strings"
	"sync"
)

// tuiAdviceRules turn the command line's advice, which the catalogues
// give, into this program's keys: the person is here, not at a prompt.
// {signin} is what signs in again on the page ("press r"), {edit} what
// edits the profile ("press e").
// They are compiled on first use, not at start: every cdflogin process
// (a warm `cdflogin token` too) would otherwise pay for them.
var tuiAdviceRules = sync.OnceValue(func() []adviceRule {
	return []adviceRule{
		{regexp.MustCompile(`\(cdflogin login(?: -p \S+)? --flow (\w+)\)`), "({flow} and choose the $1 flow)"},
		{regexp.MustCompile(`(?:sign in with )?cdflogin login(?: -p \S+)? --flow (\w+)`), "{flow} and choose the $1 flow"},
		{regexp.MustCompile(`\(cdflogin profile edit \S+ --flow (\w+)\)`), "({edit} and choose the $1 flow)"},
		{regexp.MustCompile(`[Uu]se --flow device`), "{flow} and choose the device code flow"},
		{regexp.MustCompile(`pick another port with --redirect-port N \(cdflogin profile edit\)`), "{edit} to give the profile another redirect port N"},
		{regexp.MustCompile(`Sign in again: cdflogin login(?: -p \S+)?`), "Sign in again ({signin})"},
		{regexp.MustCompile(`[Rr]un cdflogin login(?: -p \S+)? again`), "Sign in again ({signin})"},
		{regexp.MustCompile(`[Rr]un: cdflogin login(?: -p \S+)?`), "sign in again ({signin})"},
		{regexp.MustCompile(`Run: cdflogin profile edit \S+ --ca-file /path/to/ca\.pem`), "Set the profile's CA file: {edit}."},
		{regexp.MustCompile(`cdflogin token(?: -p \S+)? refreshes it; scripts should ask for a new token shortly before expiry`), "this program refreshes it before it expires (r refreshes it now)"},
		{regexp.MustCompile(`Get a new token: cdflogin login(?: -p \S+)? \(or cdflogin token(?: -p \S+)?, which refreshes\)`), "Get a new token: r refreshes it, or {signin}"},
		{regexp.MustCompile(`\(cdflogin inspect(?: -p \S+)? shows the mapping\)`), "(the CDF access tab shows the mapping)"},
		{regexp.MustCompile(`\(use cdflogin token(?: -p \S+)?, which caches\)`), "(cdflogin token caches tokens for scripts)"},
		// Whatever else names a sign-in command: this program's key.
		{regexp.MustCompile(`cdflogin login(?: -p \S+)?`), "a new sign-in ({signin})"},
	}
})

// adviceRule rewrites what re matches to with.
type adviceRule struct {
	re   *regexp.Regexp
	with string
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
	for _, r := range tuiAdviceRules() {
		with := strings.NewReplacer("{signin}", k.signIn, "{edit}", k.edit, "{flow}", k.flow).Replace(r.with)
		s = r.re.ReplaceAllString(s, with)
	}
	return s
}

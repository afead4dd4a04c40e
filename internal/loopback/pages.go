package loopback

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/htmlesc"
)

// page is what the browser is shown. Only values cdflogin controls or has
// validated (an AADSTS number, an OAuth error value of [A-Za-z0-9_.-], the
// catalogue's explanation) are put in; they are escaped anyway.
// Entra's own description never is.
type page struct {
	Title   string
	Heading string
	Lines   []string
	Detail  string // e.g. "AADSTS65004 · access_denied"
	Problem string // the explanation's title, e.g. "Consent declined"
	Fix     string // the one-line fix
	Next    string // what to do now, in words
	OK      bool
}

// pageStyle is the pages' only style sheet, allowed by its hash in
// pageCSP: the pages run no script and load nothing.
const pageStyle = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:36rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
@media (max-width:40rem){main{margin:0;border-radius:0;box-shadow:none;min-height:100vh;padding:1.5rem}}
h1{font-size:1.4rem;margin:0 0 1rem}
h1.ok{color:#1a7f37}h1.fail{color:#b42318}
p{line-height:1.5;overflow-wrap:anywhere}
code{background:#eef0f3;padding:.1rem .35rem;border-radius:4px}
.next{font-weight:600}`

// pageCSP allows the hashed style sheet and nothing else: no script, no
// form, no frame; the empty data: icon stops the browser asking for
// /favicon.ico.
var pageCSP = func() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src data:; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// html is the page's HTML document. It is written by hand, not with
// html/template (see internal/htmlesc for why); pages_test.go holds it to
// the template it replaced, byte for byte.
func (p page) html() []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>`)
	b.WriteString(htmlesc.Text(p.Title))
	b.WriteString(` · cdflogin</title>
<link rel="icon" href="data:,">
<style>` + pageStyle + `</style>
</head>
<body>
<main>
<h1 class="`)
	if p.OK {
		b.WriteString("ok")
	} else {
		b.WriteString("fail")
	}
	b.WriteString(`">` + htmlesc.Text(p.Heading) + "</h1>\n")
	for _, l := range p.Lines {
		b.WriteString("<p>" + htmlesc.Text(l) + "</p>\n")
	}
	if p.Detail != "" || p.Problem != "" {
		b.WriteString(`<p id="error">`)
		if p.Detail != "" {
			b.WriteString("<code>" + htmlesc.Text(p.Detail) + "</code> ")
		}
		b.WriteString(htmlesc.Text(p.Problem) + "</p>\n")
	}
	if p.Fix != "" {
		b.WriteString(`<p id="fix">Fix: ` + htmlesc.Text(p.Fix) + "</p>\n")
	}
	if p.Next != "" {
		b.WriteString(`<p class="next" id="next">` + htmlesc.Text(p.Next) + "</p>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes()
}

func writePage(w http.ResponseWriter, status int, p page) {
	body := p.html()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func pageSuccess() page {
	return page{
		Title:   "Sign-in received",
		Heading: "Sign-in received",
		Lines:   []string{"cdflogin received Microsoft Entra ID's answer and finishes the sign-in in the terminal."},
		Next:    "You can close this tab and return to the terminal.",
		OK:      true,
	}
}

// pageFailure names Entra's error and gives the catalogue's fix, filled
// in with xctx (the profile's app, tenant and redirect URI).
func pageFailure(e *aadsts.Error, xctx aadsts.Context) page {
	p := page{
		Title:   "Sign-in failed",
		Heading: "Sign-in failed",
		Lines:   []string{"Microsoft Entra ID answered with an error instead of signing you in:"},
		Next:    "Close this tab and return to the terminal: cdflogin explains the error there. Then sign in again.",
	}
	if e == nil {
		return p
	}
	if n := e.AADSTS(); n > 0 {
		p.Detail = "AADSTS" + strconv.Itoa(n)
	}
	if e.Code != "" {
		if p.Detail != "" {
			p.Detail += " · "
		}
		p.Detail += e.Code
	}
	xctx.Flow = aadsts.FlowBrowser
	x := aadsts.Explain(e, xctx)
	p.Problem, p.Fix = x.Title, x.Fix
	return p
}

func pageAlreadyDone() page {
	return page{
		Title:   "Already done",
		Heading: "This sign-in is already done",
		Lines:   []string{"cdflogin already received an answer for this sign-in; this one changes nothing."},
		Next:    "You can close this tab and return to the terminal.",
		OK:      true,
	}
}

func pageBadState() page {
	return page{
		Title:   "Not this sign-in",
		Heading: "This answer does not belong to the current sign-in",
		Lines: []string{
			"The answer's state does not match the sign-in cdflogin started, so it was ignored.",
		},
		Next: "If you started the sign-in again, use the newest browser tab, or run the login command again.",
	}
}

// pageWrongIssuer is shown for an answer from another authorization
// server (RFC 9207). The issuers are not shown: the answer's is outside
// text, and the terminal names both.
func pageWrongIssuer() page {
	return page{
		Title:   "Answer refused",
		Heading: "This answer names another sign-in server",
		Lines: []string{
			"The answer does not come from the sign-in server cdflogin sent you to (its iss differs), so it was refused and nothing was signed in.",
			"The terminal says more. Sign in again from a tab cdflogin opens.",
		},
	}
}

func pageWaiting() page {
	return page{
		Title:   "Waiting for sign-in",
		Heading: "cdflogin is waiting for Microsoft Entra ID",
		Lines:   []string{"This address receives the answer of the sign-in page."},
		Next:    "Finish signing in in the tab cdflogin opened, or open the URL shown in the terminal.",
	}
}

func pageNotFound() page {
	return page{
		Title:   "Not found",
		Heading: "Not found",
		Lines:   []string{"cdflogin only answers the sign-in redirect here."},
	}
}

func pageWrongHost(port int) page {
	return page{
		Title:   "Wrong address",
		Heading: "Wrong address",
		Lines:   []string{"cdflogin only answers on http://localhost:" + strconv.Itoa(port) + "."},
	}
}

package loopback

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
)

// page is what the browser is shown. Only values cdflogin controls or has
// validated (an AADSTS number, an OAuth error value of [A-Za-z0-9_.-]) are
// put in; html/template escapes them anyway.
type page struct {
	Title   string
	Heading string
	Lines   []string
	Detail  string // e.g. "AADSTS65004 · access_denied"
	OK      bool
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · cdflogin</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:36rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1rem;color:{{if .OK}}#1a7f37{{else}}#b42318{{end}}}
p{line-height:1.5}
code{background:#eef0f3;padding:.1rem .35rem;border-radius:4px}
</style>
</head>
<body>
<main>
<h1>{{.Heading}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Detail}}<p><code>{{.Detail}}</code></p>
{{end}}</main>
</body>
</html>
`))

func writePage(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, p); err != nil {
		http.Error(w, "cdflogin: could not render the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func pageSuccess() page {
	return page{
		Title:   "Sign-in received",
		Heading: "Sign-in received",
		Lines:   []string{"cdflogin received Microsoft Entra ID's answer and finishes the sign-in in the terminal.", "You can close this tab."},
		OK:      true,
	}
}

func pageFailure(e *aadsts.Error) page {
	detail := ""
	if e != nil {
		if n := e.AADSTS(); n > 0 {
			detail = "AADSTS" + strconv.Itoa(n)
		}
		if e.Code != "" {
			if detail != "" {
				detail += " · "
			}
			detail += e.Code
		}
	}
	return page{
		Title:   "Sign-in failed",
		Heading: "Sign-in failed",
		Lines: []string{
			"Microsoft Entra ID answered with an error instead of signing you in.",
			"Return to the terminal: cdflogin explains the error and how to fix it.",
		},
		Detail: detail,
	}
}

func pageAlreadyDone() page {
	return page{
		Title:   "Already done",
		Heading: "This sign-in is already done",
		Lines:   []string{"cdflogin already received an answer for this sign-in. You can close this tab and return to the terminal."},
		OK:      true,
	}
}

func pageBadState() page {
	return page{
		Title:   "Not this sign-in",
		Heading: "This answer does not belong to the current sign-in",
		Lines: []string{
			"The answer's state does not match the sign-in cdflogin started, so it was ignored.",
			"If you started the sign-in again, use the newest browser tab, or run the login command again.",
		},
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
		Lines:   []string{"This address receives the answer of the sign-in page. Finish signing in in the tab cdflogin opened, or open the URL shown in the terminal."},
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

package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// pageData feeds the HTML pages. Every value is escaped (htmlesc.go).
type pageData struct {
	Title       string
	Tenant      string
	Domain      string
	AppName     string
	Username    string
	Ctx         string
	Action      string
	Code        string
	LoginHint   string
	Error       string
	AADSTS      int
	Message     string
	CDFURL      string
	Users       []User
	Fields      []field
	Permissions []string
	// FormTarget is the redirect URI the page's form (or the redirect
	// after it) may send the browser to; it goes into the page's
	// Content-Security-Policy form-action. Empty: the page's forms stay on
	// the sandbox.
	FormTarget string
}

type field struct{ Name, Value string }

// pageStyle is the one style sheet of the pages, inline and allowed by its
// hash in the Content-Security-Policy (no 'unsafe-inline').
const pageStyle = `*{box-sizing:border-box}
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;color:#1b1b1b;margin:0;line-height:1.4}
main{max-width:440px;margin:48px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
@media (max-width:480px){main{margin:0;padding:24px 20px;box-shadow:none;min-height:100vh}}
h1{font-size:1.5em;font-weight:600;margin:.3em 0 .6em}
.err{color:#a80000}.muted{color:#595959;font-size:.9em}
label{display:block;margin:12px 0 4px}
label.choice{display:flex;gap:10px;align-items:flex-start;margin:14px 0}
label.choice input{margin:4px 0 0}
input[type=email],input[type=text]{width:100%;padding:6px 2px;font-size:1.1em;border:0;border-bottom:1px solid #666}
button{padding:8px 20px;margin:16px 8px 0 0;font-size:1em;border:1px solid #8a8a8a;background:#e6e6e6;color:#1b1b1b}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
code,.acct{overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.875rem;color:#595959}
ul{padding-left:1.2em}`

// formPostScript submits Entra's response_mode=form_post page, allowed by
// its hash.
const formPostScript = `document.forms[0].submit();`

// pageWriter builds a page's HTML. The pages are written by hand, not with
// html/template (htmlesc.go says why); pages_internal_test.go holds them to
// the templates they replaced, byte for byte.
type pageWriter struct{ strings.Builder }

func (w *pageWriter) raw(s ...string) {
	for _, x := range s {
		w.WriteString(x)
	}
}

// text writes s escaped for a text node or a quoted attribute value.
func (w *pageWriter) text(s string) { w.WriteString(escapeText(s)) }

// url writes s escaped as the whole value of a quoted URL attribute.
func (w *pageWriter) url(s string) { w.WriteString(escapeURL(s)) }

func (w *pageWriter) top(d pageData) {
	w.raw(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>`)
	w.text(d.Title)
	w.raw(` – cdflogin sandbox</title>
<style>` + pageStyle + `</style>
</head><body><main><p class="muted">cdflogin sandbox · not Microsoft</p><h1>`)
	w.text(d.Title)
	w.raw(`</h1>`)
}

func (w *pageWriter) bottom() { w.raw(`</main></body></html>`) }

// errorLine is the alert paragraph of the sign-in and device-code pages,
// when there is an error to show.
func (w *pageWriter) errorLine(d pageData) {
	if d.Error != "" {
		w.raw(`<p class="err" role="alert" id="error">`)
		w.text(d.Error)
		w.raw(`</p>`)
	}
}

// renderHTML returns the named page, and false for a name no page has.
func renderHTML(name string, d pageData) (string, bool) {
	var w pageWriter
	switch name {
	case "signin":
		w.top(d)
		w.raw("\n<p>to continue to <b>")
		w.text(d.AppName)
		w.raw("</b> (")
		w.text(d.Tenant)
		w.raw(")</p>\n")
		w.errorLine(d)
		w.raw("\n<form method=\"post\" action=\"")
		w.url(d.Action)
		w.raw(`" id="signin">
<input type="hidden" name="ctx" value="`)
		w.text(d.Ctx)
		w.raw(`">
<label for="username">Email or username</label>
<input type="email" id="username" name="username" value="`)
		w.text(d.LoginHint)
		w.raw(`" placeholder="someone@`)
		w.text(d.Domain)
		w.raw(`" autocomplete="username" required autofocus>
<p class="muted">Sandbox accounts (no password): `)
		for i, u := range d.Users {
			if i > 0 {
				w.raw(", ")
			}
			w.raw(`<span class="acct">`)
			w.text(u.Username)
			w.raw(`</span>`)
		}
		w.raw(`.</p>
<p class="muted">Signing in lets the app access the Cognite API as you (user_impersonation, IDENTITY).</p>
<button type="submit" name="action" value="signin" id="next" class="primary">Sign in</button><button type="submit" name="action" value="cancel" id="cancel" formnovalidate>Cancel</button>
</form>`)
		w.bottom()
	case "consent":
		w.top(d)
		w.raw("\n<p class=\"acct\">")
		w.text(d.Username)
		w.raw("</p>\n<p><b>")
		w.text(d.AppName)
		w.raw(`</b><br><span class="muted">unverified · sandbox app</span></p>
<p>This app would like to:</p>
<ul id="permissions">`)
		for _, perm := range d.Permissions {
			w.raw("<li>")
			w.text(perm)
			w.raw("</li>\n")
		}
		w.raw(`</ul>
<p class="muted">Accepting these permissions means that you allow this app to use your data as specified in its terms of service and privacy statement. You can change these permissions at any time.</p>
<form method="post" action="`)
		w.url(d.Action)
		w.raw(`" id="consent">
<input type="hidden" name="ctx" value="`)
		w.text(d.Ctx)
		w.raw(`">
<button type="submit" name="action" value="accept" id="accept" class="primary">Accept</button><button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>`)
		w.bottom()
	case "formpost":
		w.raw(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="POST" name="hiddenform" action="`)
		w.url(d.Action)
		w.raw("\">\n")
		for _, f := range d.Fields {
			w.raw(`<input type="hidden" name="`)
			w.text(f.Name)
			w.raw(`" value="`)
			w.text(f.Value)
			w.raw("\">\n")
		}
		w.raw(`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form><script>` + formPostScript + `</script></body></html>`)
	case "error":
		w.top(d)
		w.raw(`
<p>Sorry, but we're having trouble signing you in.</p>
<p class="err" id="error">AADSTS`)
		w.text(strconv.Itoa(d.AADSTS))
		w.raw(": ")
		w.text(d.Error)
		w.raw("</p>\n<pre>")
		w.text(d.Message)
		w.raw("</pre>")
		w.bottom()
	case "devicecode":
		w.top(d)
		w.raw("\n<p>Enter the code displayed on your app or device.</p>\n")
		w.errorLine(d)
		w.raw(`
<form method="post" action="/devicelogin" id="devicecode">
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" value="`)
		w.text(d.Code)
		w.raw(`" placeholder="Code" autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus>
<button type="submit" id="next" class="primary">Next</button></form>`)
		w.bottom()
	case "deviceconfirm":
		w.top(d)
		w.raw("\n<p>Only continue if you got this code from <b>")
		w.text(d.AppName)
		w.raw(`</b> on a device or app you trust.</p>
<form method="post" action="/devicelogin/confirm" id="deviceconfirm">
<input type="hidden" name="otc" value="`)
		w.text(d.Code)
		w.raw("\">\n")
		for _, u := range d.Users {
			w.raw(`<label class="choice"><input type="radio" name="username" value="`)
			w.text(u.Username)
			w.raw(`" required><span>`)
			w.text(u.Name)
			w.raw(`<br><span class="muted acct">`)
			w.text(u.Username)
			w.raw("</span></span></label>\n")
		}
		w.raw(`
<button type="submit" name="action" value="approve" id="approve" class="primary">Continue</button><button type="submit" name="action" value="decline" id="decline" formnovalidate>Cancel</button>
</form>`)
		w.bottom()
	case "message":
		w.top(d)
		w.raw(`<p id="message">`)
		w.text(d.Message)
		w.raw(`</p>`)
		w.bottom()
	case "home":
		w.top(d)
		w.raw("\n<p>Tenant <b>")
		w.text(d.Tenant)
		w.raw("</b>, authority <code>")
		w.text(d.Message)
		w.raw("</code>, CDF at <code>")
		w.text(d.CDFURL)
		w.raw("</code>.</p>\n<p><a href=\"")
		w.url(d.Action)
		w.raw("\">Device code sign-in page</a></p>\n<p>Users:</p><ul>")
		for _, u := range d.Users {
			w.raw("<li>")
			w.text(u.Name)
			w.raw(` <span class="acct">&lt;`)
			w.text(u.Username)
			w.raw("&gt;</span></li>")
		}
		w.raw("</ul>")
		w.bottom()
	default:
		return "", false
	}
	return w.String(), true
}

// cspHash is a Content-Security-Policy hash source for an inline element's
// text.
func cspHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pageCSP is the Content-Security-Policy of a page: nothing but the hashed
// style (and, on the form_post page, the hashed script); forms may go to
// the sandbox itself (pages with a form of their own) and to target's
// origin.
func pageCSP(name, target string) string {
	csp := "default-src 'none'; style-src " + cspHash(pageStyle) + "; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
	var action []string
	switch name {
	case "signin", "consent", "devicecode", "deviceconfirm":
		action = append(action, "'self'")
	}
	if o := cspOrigin(target); o != "" {
		action = append(action, o)
	}
	if name == "formpost" {
		csp += "; script-src " + cspHash(formPostScript)
	}
	if len(action) == 0 {
		return csp + "; form-action 'none'"
	}
	return csp + "; form-action " + strings.Join(action, " ")
}

// cspOrigin is the scheme://host[:port] of a redirect URI as a CSP source,
// or "" when it is not a plain http(s) URL.
func cspOrigin(target string) string {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	for _, r := range u.Host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]", r)) {
			return ""
		}
	}
	return u.Scheme + "://" + u.Host
}

func (s *Sandbox) renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", pageCSP(name, d.FormTarget))
	page, ok := renderHTML(name, d)
	if !ok {
		s.logf("sandbox: render %s: no such page", name)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, page)
}

// favicon is the sandbox's 16×16 icon (a browser asks for /favicon.ico on
// every page; without one its console shows a failed request).
var favicon = sync.OnceValue(func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	blue, white := color.RGBA{0x00, 0x67, 0xb8, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}
	for y := range 16 {
		for x := range 16 {
			c := blue
			if x >= 5 && x <= 10 && y >= 5 && y <= 10 {
				c = white
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // cannot fail on an in-memory RGBA image
	return b.Bytes()
})

func handleFavicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(favicon())
}

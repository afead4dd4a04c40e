package sandbox

import (
	"html/template"
	"net/http"
	"sync"
)

// pageData feeds the HTML pages. Everything is escaped by html/template.
type pageData struct {
	Title     string
	Tenant    string
	AppName   string
	Ctx       string
	Action    string
	Code      string
	LoginHint string
	Error     string
	AADSTS    int
	Message   string
	CDFURL    string
	Users     []User
	Fields    []field
}

type field struct{ Name, Value string }

const pageLayout = `{{define "top"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – cdflogin sandbox</title>
<style>body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}main{max-width:440px;margin:48px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.4em;font-weight:600}.err{color:#a80000}.muted{color:#666;font-size:.9em}label{display:block;margin:6px 0}button{padding:6px 18px;margin:12px 8px 0 0}input[type=text]{width:100%;padding:6px;font-size:1.1em}</style>
</head><body><main><p class="muted">cdflogin sandbox · not Microsoft</p><h1>{{.Title}}</h1>{{end}}
{{define "bottom"}}</main></body></html>{{end}}

{{define "signin"}}{{template "top" .}}
<p>to continue to <b>{{.AppName}}</b> ({{.Tenant}})</p>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}" id="signin">
<input type="hidden" name="ctx" value="{{.Ctx}}">
{{range .Users}}<label><input type="radio" name="username" value="{{.Username}}" required{{if eq .Username $.LoginHint}} checked{{end}}> {{.Name}} &lt;{{.Username}}&gt;</label>
{{end}}
<p class="muted">Signing in lets the app access the Cognite API as you (user_impersonation, IDENTITY).</p>
<button type="submit" name="action" value="signin">Sign in</button><button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>{{template "bottom" .}}{{end}}

{{define "formpost"}}<!DOCTYPE html><html><head><meta charset="utf-8"><title>Working...</title></head>
<body onload="document.forms[0].submit()"><form method="POST" name="hiddenform" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form></body></html>{{end}}

{{define "error"}}{{template "top" .}}
<p>Sorry, but we're having trouble signing you in.</p>
<p class="err" id="error">AADSTS{{.AADSTS}}: {{.Error}}</p>
<pre class="muted">{{.Message}}</pre>{{template "bottom" .}}{{end}}

{{define "devicecode"}}{{template "top" .}}
<p>Enter the code displayed on your app or device.</p>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/devicelogin" id="devicecode">
<input type="text" name="otc" value="{{.Code}}" placeholder="Code" autocomplete="off" autofocus>
<button type="submit">Next</button></form>{{template "bottom" .}}{{end}}

{{define "deviceconfirm"}}{{template "top" .}}
<p>Only continue if you got this code from <b>{{.AppName}}</b> on a device or app you trust.</p>
<form method="post" action="/devicelogin/confirm" id="deviceconfirm">
<input type="hidden" name="otc" value="{{.Code}}">
{{range .Users}}<label><input type="radio" name="username" value="{{.Username}}" required> {{.Name}} &lt;{{.Username}}&gt;</label>
{{end}}
<button type="submit" name="action" value="approve">Continue</button><button type="submit" name="action" value="decline" formnovalidate>Cancel</button>
</form>{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}<p id="message">{{.Message}}</p>{{template "bottom" .}}{{end}}

{{define "home"}}{{template "top" .}}
<p>Tenant <b>{{.Tenant}}</b>, authority <code>{{.Message}}</code>, CDF at <code>{{.CDFURL}}</code>.</p>
<p><a href="{{.Action}}">Device code sign-in page</a></p>
<p>Users:</p><ul>{{range .Users}}<li>{{.Name}} &lt;{{.Username}}&gt;</li>{{end}}</ul>{{template "bottom" .}}{{end}}
`

// pages is parsed on first use, not at the start of every cdflogin process.
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("pages").Parse(pageLayout))
})

func (s *Sandbox) renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := pages().ExecuteTemplate(w, name, d); err != nil {
		s.logf("sandbox: render %s: %v", name, err)
	}
}

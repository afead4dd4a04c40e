package sandbox

import (
	"html/template"
	"strings"
	"testing"
)

// templateLayout is the html/template the pages were written with;
// renderHTML must give the same bytes for every page and any data.
const templateLayout = `{{define "top"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – cdflogin sandbox</title>
<style>` + pageStyle + `</style>
</head><body><main><p class="muted">cdflogin sandbox · not Microsoft</p><h1>{{.Title}}</h1>{{end}}
{{define "bottom"}}</main></body></html>{{end}}

{{define "signin"}}{{template "top" .}}
<p>to continue to <b>{{.AppName}}</b> ({{.Tenant}})</p>
{{if .Error}}<p class="err" role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}" id="signin">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<label for="username">Email or username</label>
<input type="email" id="username" name="username" value="{{.LoginHint}}" placeholder="someone@{{.Domain}}" autocomplete="username" required autofocus>
<p class="muted">Sandbox accounts (no password): {{range $i, $u := .Users}}{{if $i}}, {{end}}<span class="acct">{{$u.Username}}</span>{{end}}.</p>
<p class="muted">Signing in lets the app access the Cognite API as you (user_impersonation, IDENTITY).</p>
<button type="submit" name="action" value="signin" id="next" class="primary">Sign in</button><button type="submit" name="action" value="cancel" id="cancel" formnovalidate>Cancel</button>
</form>{{template "bottom" .}}{{end}}

{{define "consent"}}{{template "top" .}}
<p class="acct">{{.Username}}</p>
<p><b>{{.AppName}}</b><br><span class="muted">unverified · sandbox app</span></p>
<p>This app would like to:</p>
<ul id="permissions">{{range .Permissions}}<li>{{.}}</li>
{{end}}</ul>
<p class="muted">Accepting these permissions means that you allow this app to use your data as specified in its terms of service and privacy statement. You can change these permissions at any time.</p>
<form method="post" action="{{.Action}}" id="consent">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<button type="submit" name="action" value="accept" id="accept" class="primary">Accept</button><button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>{{template "bottom" .}}{{end}}

{{define "formpost"}}<!DOCTYPE html><html><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="POST" name="hiddenform" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form><script>` + formPostScript + `</script></body></html>{{end}}

{{define "error"}}{{template "top" .}}
<p>Sorry, but we're having trouble signing you in.</p>
<p class="err" id="error">AADSTS{{.AADSTS}}: {{.Error}}</p>
<pre>{{.Message}}</pre>{{template "bottom" .}}{{end}}

{{define "devicecode"}}{{template "top" .}}
<p>Enter the code displayed on your app or device.</p>
{{if .Error}}<p class="err" role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/devicelogin" id="devicecode">
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" value="{{.Code}}" placeholder="Code" autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus>
<button type="submit" id="next" class="primary">Next</button></form>{{template "bottom" .}}{{end}}

{{define "deviceconfirm"}}{{template "top" .}}
<p>Only continue if you got this code from <b>{{.AppName}}</b> on a device or app you trust.</p>
<form method="post" action="/devicelogin/confirm" id="deviceconfirm">
<input type="hidden" name="otc" value="{{.Code}}">
{{range .Users}}<label class="choice"><input type="radio" name="username" value="{{.Username}}" required><span>{{.Name}}<br><span class="muted acct">{{.Username}}</span></span></label>
{{end}}
<button type="submit" name="action" value="approve" id="approve" class="primary">Continue</button><button type="submit" name="action" value="decline" id="decline" formnovalidate>Cancel</button>
</form>{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}<p id="message">{{.Message}}</p>{{template "bottom" .}}{{end}}

{{define "home"}}{{template "top" .}}
<p>Tenant <b>{{.Tenant}}</b>, authority <code>{{.Message}}</code>, CDF at <code>{{.CDFURL}}</code>.</p>
<p><a href="{{.Action}}">Device code sign-in page</a></p>
<p>Users:</p><ul>{{range .Users}}<li>{{.Name}} <span class="acct">&lt;{{.Username}}&gt;</span></li>{{end}}</ul>{{template "bottom" .}}{{end}}
`

var templatePages = template.Must(template.New("pages").Parse(templateLayout))

var pageNames = []string{"signin", "consent", "formpost", "error", "devicecode", "deviceconfirm", "message", "home"}

func checkPage(t testing.TB, name string, d pageData) {
	t.Helper()
	var want strings.Builder
	if err := templatePages.ExecuteTemplate(&want, name, d); err != nil {
		t.Fatal(err)
	}
	got, ok := renderHTML(name, d)
	if !ok || got != want.String() {
		t.Errorf("page %s with %+v:\n got %q\nwant %q", name, d, got, want.String())
	}
}

// hostilePage has text to escape in every field, and URLs html/template
// filters or normalises.
func hostilePage(s, url string, aadsts int) pageData {
	return pageData{
		Title: s, Tenant: s, Domain: s, AppName: s, Username: s, Ctx: s, Action: url, Code: s, LoginHint: s,
		Error: s, AADSTS: aadsts, Message: s, CDFURL: s, FormTarget: url,
		Users:       []User{{Username: s, Name: s}, {Username: "bob@sandbox.onmicrosoft.com", Name: "Bob"}},
		Fields:      []field{{Name: s, Value: s}, {Name: "code", Value: "0.AX+y/z="}},
		Permissions: []string{s, "Sign you in"},
	}
}

func TestPagesMatchTheTemplates(t *testing.T) {
	datas := []pageData{
		{},
		{Title: "Sign in", Ctx: "c1", Action: "/tenant/login", AppName: "cdflogin browser (sandbox)", Tenant: "sandbox",
			Domain: "sandbox.onmicrosoft.com", Users: []User{{Username: "alice@sandbox.onmicrosoft.com", Name: "Alice"}}},
		{Title: "Working...", Action: "http://localhost:53000", Fields: []field{{Name: "code", Value: "x"}, {Name: "state", Value: "s"}}},
		hostilePage(`<script>alert("x'&+")</script>`+"\x00\xff €", "javascript:alert(1)", -1),
		hostilePage("plain", "http://localhost:53000/cb?a=1&b=2 3#f", 50126),
		hostilePage("%41 100%", "/relative/ü'path", 0),
	}
	for _, name := range pageNames {
		for _, d := range datas {
			checkPage(t, name, d)
		}
	}
	if _, ok := renderHTML("nonesuch", pageData{}); ok {
		t.Error("a page name the sandbox does not have rendered")
	}
}

func FuzzPagesMatchTheTemplates(f *testing.F) {
	f.Add("Sign in", "/tenant/login", 50126)
	f.Add("<b>&'\"+\x00", "javascript:x", -7)
	f.Fuzz(func(t *testing.T, s, url string, n int) {
		d := hostilePage(s, url, n)
		for _, name := range pageNames {
			checkPage(t, name, d)
		}
	})
}

package loopback

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
)

var (
	reStyle  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	reInline = regexp.MustCompile(`(?i)<script|\son[a-z]+\s*=|\sstyle\s*=|javascript:`)
)

// everyPage asks a listener for each of its pages and returns them by name
// with the policy each was served with.
func everyPage(t *testing.T) map[string]struct{ body, csp string } {
	t.Helper()
	l := start(t, Config{})
	get := func(method, host, target string, form url.Values) (string, string) {
		body := strings.NewReader(form.Encode()) // "" for nil
		req, err := http.NewRequest(method, "http://127.0.0.1:"+strconv.Itoa(l.Port())+target, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Host = host
		resp, err := client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), resp.Header.Get("Content-Security-Policy")
	}
	out := map[string]struct{ body, csp string }{}
	add := func(name, body, csp string) { out[name] = struct{ body, csp string }{body, csp} }
	add2 := func(name string, method, host, target string, form url.Values) {
		b, c := get(method, host, target, form)
		add(name, b, c)
	}
	add2("wrong host", "GET", "evil.example:80", "/", nil)
	add2("not found", "GET", l.Addr(), "/favicon.ico", nil)
	add2("bad method", "PUT", l.Addr(), "/", nil)
	add2("waiting", "GET", l.Addr(), "/", nil)
	add2("bad state", "GET", l.Addr(), "/?code=c&state=other", nil)
	add2("failure", "POST", l.Addr(), "/", url.Values{"error": {"access_denied"}, "error_description": {"AADSTS65004: declined"}, "state": {testState}})
	add2("already done", "GET", l.Addr(), "/?code=c&state="+testState, nil)
	return out
}

// TestPagesStrictCSP: every page is served with a policy that allows its
// one style sheet by hash and nothing else (no script at all, no
// 'unsafe-inline', no form, no frame), and no page has inline script or
// style attributes.
func TestPagesStrictCSP(t *testing.T) {
	for name, p := range everyPage(t) {
		t.Run(name, func(t *testing.T) {
			if p.csp != pageCSP {
				t.Errorf("CSP = %q, want %q", p.csp, pageCSP)
			}
			for _, d := range []string{"default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "img-src data:"} {
				if !strings.Contains(p.csp, d) {
					t.Errorf("CSP %q lacks %q", p.csp, d)
				}
			}
			if strings.Contains(p.csp, "unsafe") || strings.Contains(p.csp, "script-src") {
				t.Errorf("CSP %q allows script or unsafe sources", p.csp)
			}
			if m := reInline.FindString(p.body); m != "" {
				t.Errorf("page has %q:\n%s", m, p.body)
			}
			styles := reStyle.FindAllStringSubmatch(p.body, -1)
			if len(styles) != 1 {
				t.Fatalf("%d style elements", len(styles))
			}
			sum := sha256.Sum256([]byte(styles[0][1]))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(p.csp, "style-src "+h) {
				t.Errorf("the style sheet's hash %s is not in %q", h, p.csp)
			}
			if !strings.Contains(p.body, `<link rel="icon" href="data:,">`) {
				t.Error("no empty icon: the browser would ask the listener for /favicon.ico")
			}
		})
	}
}

// TestPagesSayWhatToDoNext: the pages a person lands on tell in words what
// to do now; the error page names the AADSTS code and the fix, filled in
// with the profile's values.
func TestPagesSayWhatToDoNext(t *testing.T) {
	const clientID = "11111111-2222-4333-8444-555555555555"
	declined := url.Values{"error": {"access_denied"}, "error_subcode": {"cancel"},
		"error_description": {"AADSTS65004: User declined to consent to access the app.\r\nTrace ID: 01234567-0000-0000-0000-000000000000\r\nCorrelation ID: 89abcdef-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-28 10:00:00Z"}}
	unknown := url.Values{"error": {"server_error"},
		"error_description": {"AADSTS99999: Something new.\r\nTrace ID: 01234567-0000-0000-0000-000000000000\r\nCorrelation ID: 89abcdef-0000-0000-0000-000000000001\r\nTimestamp: 2026-11-28 10:00:00Z"}}
	tests := []struct {
		name   string
		answer url.Values
		want   []string
		not    []string
	}{
		{"success", url.Values{"code": {"c"}}, []string{"<title>Sign-in received · cdflogin</title>", "You can close this tab and return to the terminal."}, []string{`id="error"`}},
		{"declined", declined, []string{
			"<title>Sign-in failed · cdflogin</title>",
			"<code>AADSTS65004 · access_denied</code> Consent declined",
			"Fix: Sign in again and accept; or have an admin pre-consent (Microsoft Entra admin center › App registrations › (app " + clientID + ") › API permissions › Grant admin consent)",
			"Close this tab and return to the terminal",
		}, []string{"User declined", "89abcdef"}},
		{"unknown code", unknown, []string{
			"<code>AADSTS99999 · server_error</code>",
			"Fix: Look the failed sign-in up in Microsoft Entra admin center › Monitoring &amp; health › Sign-in logs (filter on correlation ID 89abcdef-0000-0000-0000-000000000001)",
			"Close this tab and return to the terminal",
		}, []string{"Something new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := start(t, Config{Explain: aadsts.Context{ClientID: clientID}})
			v := url.Values{"state": {testState}}
			for k, vs := range tt.answer {
				v[k] = vs
			}
			r := do(t, l, "GET", l.Addr(), "/?"+v.Encode(), nil)
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("the page does not say %q:\n%s", w, r.body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(r.body, n) {
					t.Errorf("the page shows %q (Entra's own text stays off the page):\n%s", n, r.body)
				}
			}
		})
	}
}

// templatePage is the html/template the pages were written with; html()
// must give the same bytes for any page.
var templatePage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · cdflogin</title>
<link rel="icon" href="data:,">
<style>` + pageStyle + `</style>
</head>
<body>
<main>
<h1 class="{{if .OK}}ok{{else}}fail{{end}}">{{.Heading}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if or .Detail .Problem}}<p id="error">{{if .Detail}}<code>{{.Detail}}</code> {{end}}{{.Problem}}</p>
{{end}}{{if .Fix}}<p id="fix">Fix: {{.Fix}}</p>
{{end}}{{if .Next}}<p class="next" id="next">{{.Next}}</p>
{{end}}</main>
</body>
</html>
`))

func checkAgainstTemplate(t testing.TB, p page) {
	t.Helper()
	var want bytes.Buffer
	if err := templatePage.Execute(&want, p); err != nil {
		t.Fatal(err)
	}
	if got := string(p.html()); got != want.String() {
		t.Errorf("page %+v:\n got %q\nwant %q", p, got, want.String())
	}
}

// Every page, and pages with hostile text in every field, are the bytes
// html/template gave.
func TestPagesMatchTheTemplate(t *testing.T) {
	hostile := `<script>alert("x'&+")</script>` + "\x00\xff"
	pages := []page{pageSuccess(), pageAlreadyDone(), pageBadState(), pageWrongIssuer(), pageWaiting(), pageNotFound(), pageWrongHost(53000),
		pageFailure(nil, aadsts.Context{}), pageFailure(&aadsts.Error{Code: "access_denied", Codes: []int{65004}}, aadsts.Context{}),
		{Title: hostile, Heading: hostile, Lines: []string{hostile, ""}, Detail: hostile, Problem: hostile, Fix: hostile, Next: hostile, OK: true},
		{Problem: "only a problem"}, {Detail: "only a detail"}, {}}
	for _, p := range pages {
		checkAgainstTemplate(t, p)
	}
}

func FuzzPageMatchesTheTemplate(f *testing.F) {
	f.Add("Sign-in failed", "AADSTS65004 · access_denied", "Consent declined", "Fix it", "Next", "line", true)
	f.Add("", "", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, title, detail, problem, fix, next, line string, ok bool) {
		checkAgainstTemplate(t, page{Title: title, Heading: title, Lines: []string{line, line}, Detail: detail, Problem: problem, Fix: fix, Next: next, OK: ok})
	})
}

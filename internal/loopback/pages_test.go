package loopback

import (
	"crypto/sha256"
	"encoding/base64"
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

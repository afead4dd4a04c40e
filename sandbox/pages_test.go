package sandbox_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// noRedirect is the sandbox client that shows redirects instead of
// following them.
func noRedirect(sb *sandbox.Sandbox) *http.Client {
	c := *sb.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

var reCtx = regexp.MustCompile(`name="ctx" value="([^"]+)"`)

// hiddenCtx is the sign-in context of a sign-in or consent page.
func hiddenCtx(t *testing.T, page string) string {
	t.Helper()
	m := reCtx.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no ctx on the page:\n%s", page)
	}
	return m[1]
}

// redirectParams are the parameters of a 302 to the redirect URI.
func redirectParams(t *testing.T, a answer, redirect string) url.Values {
	t.Helper()
	loc := a.header.Get("Location")
	if a.status != http.StatusFound || !strings.HasPrefix(loc, redirect+"?") {
		t.Fatalf("want a 302 to %s, got %d %q:\n%s", redirect, a.status, loc, a.raw)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestConsentPage: an app nobody consented to shows Entra's consent page
// after the sign-in; Cancel sends access_denied with error_subcode=cancel
// (AADSTS65004), Accept sends a code that redeems, and the user's consent
// is remembered for that user only. prompt=consent shows the page to a
// consented app too.
func TestConsentPage(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := noRedirect(sb)
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	const redirect = "http://localhost:53999"
	verifier := strings.Repeat("c", 43)
	login := sb.AuthorityURL()[len(sb.BaseURL()):] + "/login"
	signIn := func(t *testing.T, clientID, user string, extra url.Values) answer {
		t.Helper()
		u := authorizeURL(sb, clientID, redirect, scope, pkce(verifier), "")
		if extra != nil {
			u += "&" + extra.Encode()
		}
		page := request(t, c, http.MethodGet, u, nil, nil)
		if page.status != http.StatusOK {
			t.Fatalf("authorize: %d %s", page.status, page.raw)
		}
		return request(t, c, http.MethodPost, sb.BaseURL()+login, url.Values{"ctx": {hiddenCtx(t, page.raw)},
			"username": {user}, "action": {"signin"}}, nil)
	}
	consent := func(t *testing.T, page answer, action string) answer {
		t.Helper()
		return request(t, c, http.MethodPost, sb.AuthorityURL()+"/consent", url.Values{"ctx": {hiddenCtx(t, page.raw)}, "action": {action}}, nil)
	}
	isConsent := func(a answer) bool { return a.status == http.StatusOK && strings.Contains(a.raw, `id="consent"`) }

	t.Run("cancel", func(t *testing.T) {
		page := signIn(t, sandbox.NoConsentAppID, sandbox.AliceUsername, nil)
		if !isConsent(page) {
			t.Fatalf("no consent page: %d\n%s", page.status, page.raw)
		}
		for _, want := range []string{"Permissions requested", "cdflogin without consent (sandbox)", sandbox.AliceUsername,
			"Sign you in and read your profile", "Maintain access to data you have given it access to", "Access the Cognite API (" + sb.CDFURL() + ") as you"} {
			if !strings.Contains(page.raw, want) {
				t.Errorf("the consent page does not say %q", want)
			}
		}
		got := redirectParams(t, consent(t, page, "cancel"), redirect)
		if got.Get("error") != "access_denied" || got.Get("error_subcode") != "cancel" || got.Get("state") != "st-1" ||
			!strings.HasPrefix(got.Get("error_description"), "AADSTS65004: User declined to consent to access the app.") || got.Get("code") != "" {
			t.Errorf("cancel sent %v", got)
		}
	})
	t.Run("accept", func(t *testing.T) {
		page := signIn(t, sandbox.NoConsentAppID, sandbox.AliceUsername, nil)
		if !isConsent(page) {
			t.Fatalf("no consent page: %d\n%s", page.status, page.raw)
		}
		got := redirectParams(t, consent(t, page, "accept"), redirect)
		a := postToken(t, sb, url.Values{"grant_type": {"authorization_code"}, "client_id": {sandbox.NoConsentAppID},
			"code": {got.Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {scope}})
		if a.status != http.StatusOK || a.str("access_token") == "" {
			t.Fatalf("redeem after consent: %d %s", a.status, a.raw)
		}
		// A consent page cannot be answered twice.
		if again := consent(t, page, "accept"); again.status != http.StatusOK || !strings.Contains(again.raw, "AADSTS50058") {
			t.Errorf("second answer to the consent page: %d %s", again.status, again.raw)
		}
	})
	t.Run("remembered for the user who consented", func(t *testing.T) {
		if a := signIn(t, sandbox.NoConsentAppID, sandbox.AliceUsername, nil); a.status != http.StatusFound {
			t.Errorf("alice consented already, got %d:\n%s", a.status, a.raw)
		}
		if a := signIn(t, sandbox.NoConsentAppID, sandbox.BobUsername, nil); !isConsent(a) {
			t.Errorf("bob did not consent, got %d:\n%s", a.status, a.raw)
		}
	})
	t.Run("prompt=consent", func(t *testing.T) {
		if a := signIn(t, sandbox.BrowserAppID, sandbox.AliceUsername, url.Values{"prompt": {"consent"}}); !isConsent(a) {
			t.Errorf("prompt=consent: %d\n%s", a.status, a.raw)
		}
		if a := signIn(t, sandbox.BrowserAppID, sandbox.AliceUsername, nil); a.status != http.StatusFound {
			t.Errorf("consented app without prompt: %d\n%s", a.status, a.raw)
		}
	})
	t.Run("revoked consent asks again", func(t *testing.T) {
		if err := sb.RevokeConsent(sandbox.AppNoConsent); err != nil {
			t.Fatal(err)
		}
		if a := signIn(t, sandbox.NoConsentAppID, sandbox.AliceUsername, nil); !isConsent(a) {
			t.Errorf("after RevokeConsent: %d\n%s", a.status, a.raw)
		}
	})
}

var (
	reInlineStyle   = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	reInlineScript  = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	reInlineHandler = regexp.MustCompile(`(?i)\son[a-z]+\s*=|\sstyle\s*=|javascript:`)
)

func cspHashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// cspDirective returns the sources of one directive of a policy.
func cspDirective(policy, name string) []string {
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	return nil
}

// TestPagesContentSecurityPolicy fetches every page a person sees on the
// sandbox: each has a strict Content-Security-Policy that allows its
// inline style and script by hash only (no 'unsafe-inline', no inline
// event handlers or style attributes), and lets its forms go only to the
// sandbox and to the app's redirect URI.
func TestPagesContentSecurityPolicy(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := noRedirect(sb)
	scope := sb.CDFURL() + "/.default openid profile offline_access"
	const redirect = "http://localhost:53998"
	authz := func(clientID, mode string) string {
		return authorizeURL(sb, clientID, redirect, scope, pkce("v"), mode)
	}
	get := func(u string) answer { return request(t, c, http.MethodGet, u, nil, nil) }
	post := func(u string, form url.Values) answer { return request(t, c, http.MethodPost, u, form, nil) }
	login := sb.AuthorityURL() + "/login"

	signin := get(authz(sandbox.BrowserAppID, "form_post"))
	consentPage := get(authz(sandbox.NoConsentAppID, ""))
	dc := request(t, sb.HTTPClient(), http.MethodPost, sb.AuthorityURL()+"/oauth2/v2.0/devicecode",
		url.Values{"client_id": {sandbox.DeviceAppID}, "scope": {scope}}, nil)
	if dc.status != http.StatusOK {
		t.Fatalf("devicecode: %s", dc.raw)
	}
	pages := []struct {
		name       string
		a          answer
		formAction []string // the form-action sources; nil: 'none'
		script     bool
	}{
		{"home", get(sb.BaseURL() + "/"), nil, false},
		{"sign-in", signin, []string{"'self'", redirect}, false},
		{"sign-in, unknown user", post(login, url.Values{"ctx": {hiddenCtx(t, get(authz(sandbox.BrowserAppID, "")).raw)}, "username": {"nobody@example.com"}, "action": {"signin"}}),
			[]string{"'self'", redirect}, false},
		{"consent", post(login, url.Values{"ctx": {hiddenCtx(t, consentPage.raw)}, "username": {sandbox.AliceUsername}, "action": {"signin"}}),
			[]string{"'self'", redirect}, false},
		{"form_post", post(login, url.Values{"ctx": {hiddenCtx(t, signin.raw)}, "username": {sandbox.AliceUsername}, "action": {"signin"}}),
			[]string{redirect}, true},
		{"error", get(authz("00000000-0000-0000-0000-000000000000", "")), nil, false},
		{"error lookup", get(sb.BaseURL() + "/error?code=50011"), nil, false},
		{"device code", get(sb.DeviceLoginURL()), []string{"'self'"}, false},
		{"device confirm", post(sb.DeviceLoginURL(), url.Values{"otc": {dc.str("user_code")}}), []string{"'self'"}, false},
		{"device done", post(sb.DeviceLoginURL()+"/confirm", url.Values{"otc": {dc.str("user_code")}, "username": {sandbox.AliceUsername}, "action": {"approve"}}),
			nil, false},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			if ct := p.a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type %q (status %d):\n%s", ct, p.a.status, p.a.raw)
			}
			csp := p.a.header.Get("Content-Security-Policy")
			if got := cspDirective(csp, "default-src"); len(got) != 1 || got[0] != "'none'" {
				t.Errorf("default-src %v in %q", got, csp)
			}
			if strings.Contains(csp, "unsafe-") {
				t.Errorf("the policy allows unsafe sources: %q", csp)
			}
			if m := reInlineHandler.FindString(p.a.raw); m != "" {
				t.Errorf("the page has inline script or style outside elements: %q", m)
			}
			for _, m := range reInlineStyle.FindAllStringSubmatch(p.a.raw, -1) {
				if !strings.Contains(" "+strings.Join(cspDirective(csp, "style-src"), " ")+" ", " "+cspHashOf(m[1])+" ") {
					t.Errorf("the page's <style> is not allowed by style-src of %q", csp)
				}
			}
			scripts := reInlineScript.FindAllStringSubmatch(p.a.raw, -1)
			if p.script != (len(scripts) > 0) {
				t.Errorf("%d scripts on the page, want script: %v", len(scripts), p.script)
			}
			for _, m := range scripts {
				if got := cspDirective(csp, "script-src"); len(got) != 1 || got[0] != cspHashOf(m[1]) {
					t.Errorf("script-src %v does not allow exactly the page's script", got)
				}
			}
			want := p.formAction
			if want == nil {
				want = []string{"'none'"}
			}
			if got := cspDirective(csp, "form-action"); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("form-action %v, want %v", got, want)
			}
			if got := cspDirective(csp, "frame-ancestors"); len(got) != 1 || got[0] != "'none'" {
				t.Errorf("frame-ancestors %v", got)
			}
		})
	}
}

// TestFavicon: browsers ask every site for /favicon.ico; the sandbox has
// one, so their consoles show no failed request.
func TestFavicon(t *testing.T) {
	sb := start(t, sandbox.Options{})
	a := request(t, sb.HTTPClient(), http.MethodGet, sb.BaseURL()+"/favicon.ico", nil, nil)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(a.raw, "\x89PNG\r\n\x1a\n") {
		t.Errorf("favicon: %d %q %q", a.status, a.header.Get("Content-Type"), a.raw[:min(len(a.raw), 8)])
	}
}

// TestDeviceConfirmPages: each provider's device page answers Continue and
// Cancel in its own words: an unknown user, a bad code, a decline and an
// approval.
func TestDeviceConfirmPages(t *testing.T) {
	sb := start(t, sandbox.Options{})
	c := sb.HTTPClient()
	entraCode := func() string {
		_, uc := deviceStart(t, sb, sandbox.DeviceAppID, sb.CDFURL()+"/.default offline_access")
		return uc
	}
	oidcCode := func() string {
		a := request(t, c, http.MethodPost, sb.OIDCIssuer()+"/device/code",
			url.Values{"client_id": {sandbox.OIDCPublicClientID}, "scope": {"openid offline_access"}, "audience": {sandbox.OIDCAudience}}, nil)
		if a.str("user_code") == "" {
			t.Fatalf("OIDC device code: %d %s", a.status, a.raw)
		}
		return a.str("user_code")
	}
	confirm := func(page, code, username, action string) string {
		return request(t, c, http.MethodPost, page+"/confirm", url.Values{"otc": {code}, "username": {username}, "action": {action}}, nil).raw
	}
	for _, p := range []struct {
		name, page                               string
		code                                     func() string
		unknownUser, badCode, declined, approved string
	}{
		{"entra", sb.DeviceLoginURL(), entraCode, "We couldn&#39;t find an account with that username. (AADSTS50034)",
			"That code didn&#39;t work.", "You have declined to sign in", "You have signed in to the application on your device."},
		{"oidc", sb.OIDCDeviceLoginURL(), oidcCode, "There is no account nobody@example.com.",
			"That code is not valid or has expired.", "You declined the sign-in on the other device.", "The device is signed in."},
	} {
		t.Run(p.name, func(t *testing.T) {
			code := p.code()
			for _, step := range []struct{ code, user, action, want string }{
				{code, "nobody@example.com", "approve", p.unknownUser},
				{"NOPE-NOPE", sandbox.AliceUsername, "approve", p.badCode},
				{code, sandbox.AliceUsername, "maybe", p.badCode},
				{code, "", "decline", p.declined},
				{p.code(), sandbox.AliceUsername, "approve", p.approved},
			} {
				if page := confirm(p.page, step.code, step.user, step.action); !strings.Contains(page, step.want) {
					t.Errorf("%s %s as %q: want %q on the page:\n%s", step.action, step.code, step.user, step.want, page)
				}
			}
		})
	}
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// The browser double: what a person in a browser does on the sandbox's
// pages, over HTTP. The client must trust the sandbox CA (HTTPClient);
// the loopback redirect is plain http and is reached with the same client.

// SignInError is a sign-in the sandbox refused with an error page (e.g.
// AADSTS50011), which a browser would show instead of redirecting.
type SignInError struct {
	Status int
	Code   string // e.g. "AADSTS50011"
	Text   string // the page's error line
}

func (e *SignInError) Error() string {
	return fmt.Sprintf("sandbox sign-in page error (HTTP %d): %s", e.Status, e.Text)
}

// SignInAs opens authorizeURL, enters username on the sign-in page and
// submits it, accepts the consent page if the sandbox shows one (an app
// nobody consented to yet), then delivers the answer to the redirect URI
// (following the 302 for response_mode=query, posting the form for
// form_post), exactly as a browser would. It returns the loopback's HTTP
// status.
func SignInAs(ctx context.Context, client *http.Client, authorizeURL, username string) (int, error) {
	return signIn(ctx, client, authorizeURL, url.Values{"username": {username}, "action": {"signin"}})
}

// CancelSignIn opens authorizeURL and presses Cancel on the sign-in page;
// the redirect URI receives error=access_denied.
func CancelSignIn(ctx context.Context, client *http.Client, authorizeURL string) (int, error) {
	return signIn(ctx, client, authorizeURL, url.Values{"action": {"cancel"}})
}

func signIn(ctx context.Context, client *http.Client, authorizeURL string, choice url.Values) (int, error) {
	c := noRedirects(client)
	resp, body, err := do(ctx, c, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return 0, err
	}
	// A hosted UI (Cognito's) sends the browser on to its own sign-in
	// page first; follow redirects that stay on the sandbox.
	for hops := 0; resp.StatusCode == http.StatusFound && hops < 3; hops++ {
		next, perr := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if perr != nil || next.Host != resp.Request.URL.Host {
			break
		}
		authorizeURL = next.String()
		if resp, body, err = do(ctx, c, http.MethodGet, authorizeURL, nil); err != nil {
			return 0, err
		}
	}
	if resp.StatusCode == http.StatusFound {
		// An error sent straight to the redirect URI (e.g. bad scope).
		return deliver(ctx, c, resp, body)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="signin"`) {
		return 0, pageError(resp.StatusCode, body)
	}
	form, err := parseForm(authorizeURL, body, "signin")
	if err != nil {
		return 0, err
	}
	for k, v := range choice {
		form.values[k] = v
	}
	resp, body, err = do(ctx, c, http.MethodPost, form.action, form.values)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(body, `id="error"`) && strings.Contains(body, `id="signin"`) {
		return 0, pageError(resp.StatusCode, body)
	}
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusOK {
		return 0, pageError(resp.StatusCode, body)
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(body, `id="error"`) && !strings.Contains(body, "<form") {
		return 0, pageError(resp.StatusCode, body) // an error page (an expired sign-in)
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(body, `id="consent"`) {
		consent, err := parseForm(form.action, body, "consent")
		if err != nil {
			return 0, err
		}
		consent.values.Set("action", "accept")
		if resp, body, err = do(ctx, c, http.MethodPost, consent.action, consent.values); err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusOK {
			return 0, pageError(resp.StatusCode, body)
		}
	}
	return deliver(ctx, c, resp, body)
}

// deliver sends the authorize answer to the redirect URI: a 302 is
// followed with GET, a form_post page is submitted with POST.
func deliver(ctx context.Context, c *http.Client, resp *http.Response, body string) (int, error) {
	if resp.StatusCode == http.StatusFound {
		loc := resp.Header.Get("Location")
		if loc == "" {
			return 0, errors.New("sandbox sign-in: redirect without Location")
		}
		r, _, err := do(ctx, c, http.MethodGet, loc, nil)
		if err != nil {
			return 0, fmt.Errorf("sandbox sign-in: deliver to redirect URI: %w", err)
		}
		return r.StatusCode, nil
	}
	form, err := parseForm(resp.Request.URL.String(), body, "")
	if err != nil {
		return 0, err
	}
	r, _, err := do(ctx, c, http.MethodPost, form.action, form.values)
	if err != nil {
		return 0, fmt.Errorf("sandbox sign-in: post to redirect URI: %w", err)
	}
	return r.StatusCode, nil
}

// ApproveDeviceCodeHTTP approves userCode as username through the
// verification page (verificationURL as the device code answer gave it).
func ApproveDeviceCodeHTTP(ctx context.Context, client *http.Client, verificationURL, userCode, username string) error {
	return deviceDecision(ctx, client, verificationURL, userCode, url.Values{"username": {username}, "action": {"approve"}})
}

// DeclineDeviceCodeHTTP declines userCode through the verification page.
func DeclineDeviceCodeHTTP(ctx context.Context, client *http.Client, verificationURL, userCode string) error {
	return deviceDecision(ctx, client, verificationURL, userCode, url.Values{"action": {"decline"}})
}

func deviceDecision(ctx context.Context, client *http.Client, verificationURL, userCode string, choice url.Values) error {
	c := noRedirects(client)
	resp, body, err := do(ctx, c, http.MethodGet, verificationURL, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return pageError(resp.StatusCode, body)
	}
	form, err := parseForm(verificationURL, body, "devicecode")
	if err != nil {
		return err
	}
	form.values.Set("otc", userCode)
	resp, body, err = do(ctx, c, http.MethodPost, form.action, form.values)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="deviceconfirm"`) {
		return pageError(resp.StatusCode, body)
	}
	form, err = parseForm(form.action, body, "deviceconfirm")
	if err != nil {
		return err
	}
	for k, v := range choice {
		form.values[k] = v
	}
	resp, body, err = do(ctx, c, http.MethodPost, form.action, form.values)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="error"`) {
		return pageError(resp.StatusCode, body)
	}
	return nil
}

func noRedirects(client *http.Client) *http.Client {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func do(ctx context.Context, c *http.Client, method, target string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox browser: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox browser: %s %s: %w", method, redactURL(target), err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, "", fmt.Errorf("sandbox browser: read %s: %w", redactURL(target), err)
	}
	return resp, string(b), nil
}

// redactURL drops the query (it may carry a code).
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// lazyRegexp compiles expr on first use, not at the start of every cdflogin
// process (the sandbox package is linked into all of them).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

var (
	reForm   = lazyRegexp(`(?is)<form\b([^>]*)>(.*?)</form>`)
	reAttr   = lazyRegexp(`(?is)\b(action|id|name|value|type)="([^"]*)"`)
	reInput  = lazyRegexp(`(?is)<input\b([^>]*)>`)
	reErrMsg = lazyRegexp(`(?is)id="error">(.*?)</p>`)
	reAADSTS = lazyRegexp(`AADSTS\d+`)
)

type htmlForm struct {
	action string
	values url.Values
}

// parseForm reads the form with the given id (any form when id is empty)
// and its hidden inputs from one of the sandbox's own pages.
func parseForm(base, page, id string) (htmlForm, error) {
	for _, m := range reForm().FindAllStringSubmatch(page, -1) {
		attrs := attrMap(m[1])
		if id != "" && attrs["id"] != id {
			continue
		}
		baseURL, err := url.Parse(base)
		if err != nil {
			return htmlForm{}, fmt.Errorf("sandbox browser: %w", err)
		}
		action, err := baseURL.Parse(attrs["action"])
		if err != nil {
			return htmlForm{}, fmt.Errorf("sandbox browser: form action: %w", err)
		}
		vals := url.Values{}
		for _, in := range reInput().FindAllStringSubmatch(m[2], -1) {
			a := attrMap(in[1])
			if strings.EqualFold(a["type"], "hidden") && a["name"] != "" {
				vals.Set(a["name"], a["value"])
			}
		}
		return htmlForm{action: action.String(), values: vals}, nil
	}
	return htmlForm{}, fmt.Errorf("sandbox browser: no %q form on the page", id)
}

func attrMap(s string) map[string]string {
	out := map[string]string{}
	for _, a := range reAttr().FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return out
}

func pageError(status int, page string) error {
	e := &SignInError{Status: status, Text: "unexpected page"}
	if m := reErrMsg().FindStringSubmatch(page); m != nil {
		e.Text = html.UnescapeString(strings.TrimSpace(m[1]))
	}
	e.Code = reAADSTS().FindString(e.Text)
	return e
}

// SignInAs is the package-level SignInAs with a client that trusts this
// sandbox.
func (s *Sandbox) SignInAs(ctx context.Context, authorizeURL, username string) (int, error) {
	return SignInAs(ctx, s.HTTPClient(), authorizeURL, username)
}

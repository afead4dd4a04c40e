package insight

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/nethint"
)

// Doctor asks Entra about the app registration before any sign-in, with
// the requests a sign-in starts with, and nobody has to finish them:
//
//   - browser profiles: a GET of the sign-in (authorize) URL, as the
//     browser would make it, without credentials or cookies. Entra answers
//     the sign-in page when the app, its tenant, the redirect URI and the
//     scopes are right; otherwise an error page, served with HTTP 200 or
//     400, with the AADSTS code it would show the person (700016 unknown
//     app, 50011 redirect URI not registered, 500113 none registered, 90002
//     unknown tenant …), or it sends the error to the redirect URI (invalid
//     scope, unknown API).
//   - device profiles: a device-code request, which Entra answers with a
//     code (never shown, it just expires) or an error (700016, 90002, 50059,
//     70011 …).
//
// What these cannot see is said plainly: whether the redirect URI is
// registered as Mobile and desktop rather than Web, or public client flows
// are on, shows only when a signed-in code is redeemed (AADSTS7000218).

// maxProbeBody bounds how much of a probe's answer is read.
const maxProbeBody = 1 << 20

// noRedirects is hc that returns a redirect instead of following it: the
// authorize endpoint's answers go to http://localhost, where nobody must
// receive them.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// authorizeURL is the sign-in URL a browser sign-in of the profile opens
// (client, redirect URI, scopes with the OpenID ones, PKCE), with a state
// and challenge of its own that no listener waits for.
func (dr *doctor) authorizeURL(cfg *claims.OIDCConfig) (string, error) {
	p := dr.p
	endpoint := cfg.AuthorizationEndpoint
	if endpoint == "" {
		endpoint = strings.TrimRight(p.AuthorityURL(), "/") + "/oauth2/v2.0/authorize"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("the authority's authorization endpoint %q: %w", endpoint, err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	sum := sha256.Sum256([]byte(base64.RawURLEncoding.EncodeToString(b)))
	scopes := append(p.ScopeList(), "openid", "profile", "offline_access")
	q := url.Values{
		"client_id":             {p.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {p.RedirectURI()},
		"response_mode":         {"query"},
		"scope":                 {strings.Join(scopes, " ")},
		"state":                 {"cdflogin-doctor"},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if p.LoginHint != "" {
		q.Set("login_hint", p.LoginHint)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// authorize GETs the sign-in URL and reports what Entra would show.
func (dr *doctor) authorize(ctx context.Context, hc *http.Client, cfg *claims.OIDCConfig) {
	p := dr.p
	target, err := dr.authorizeURL(cfg)
	if err != nil {
		dr.add(Check{ID: CheckAuthorize, Status: StatusFail, Message: err.Error()})
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		dr.add(Check{ID: CheckAuthorize, Status: StatusFail, Message: err.Error()})
		return
	}
	req.Header.Set("Accept", "text/html")
	resp, err := noRedirects(hc).Do(req)
	if err != nil {
		c := Check{ID: CheckAuthorize, Status: StatusFail, Message: "sign-in page: " + withoutURL(err).Error()}
		dr.explainNetwork(&c, err, nethint.Entra, !errors.Is(err, context.Canceled))
		dr.add(c)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))

	switch {
	case resp.StatusCode/100 == 3:
		loc, _ := resp.Location()
		if loc != nil && sameRedirect(loc, p.RedirectURI()) {
			if ae := aadsts.FromRedirect(loc.Query()); ae != nil {
				// Entra sent an error straight back to the redirect URI.
				dr.refused(CheckAuthorize, "Entra sends "+codeOf(ae)+" back to the redirect URI before anyone signs in", ae)
				return
			}
		}
		// On to a sign-in page elsewhere (a federated IdP): the request
		// was accepted.
		dr.authorizeOK()
	case resp.StatusCode/100 == 2:
		// An error page served with 200 states the error: Entra's names a
		// service exception in its configuration, and any shows
		// "AADSTSnnnn: …"; the sign-in page does neither.
		if !bytes.Contains(body, []byte(`"strServiceExceptionMessage":"AADSTS`)) && !errorStatement().Match(body) {
			dr.authorizeOK()
			return
		}
		if ae, ok := aadsts.ParseBody(body, resp.StatusCode); ok && ae.AADSTS() > 0 {
			// An error page served with 200.
			ae.Source = aadsts.SourceRedirect
			dr.refused(CheckAuthorize, "Entra's sign-in page shows "+codeOf(ae)+" instead of the sign-in", ae)
			return
		}
		dr.authorizeOK()
	default:
		c := Check{ID: CheckAuthorize, Status: StatusFail, Message: fmt.Sprintf("the sign-in URL answered HTTP %d", resp.StatusCode)}
		if ae, ok := aadsts.ParseBody(body, resp.StatusCode); ok {
			ae.Source = aadsts.SourceRedirect
			dr.refused(CheckAuthorize, "Entra's sign-in page shows "+codeOf(ae)+" instead of the sign-in", ae)
			return
		}
		c.Fix = "Entra ID's sign-in page did not answer as expected; check the profile's authority (" + p.AuthorityURL() + ") and any proxy"
		dr.add(c)
	}
}

func (dr *doctor) authorizeOK() {
	p := dr.p
	dr.add(Check{ID: CheckAuthorize, Status: StatusOK,
		Message: fmt.Sprintf("Entra shows the sign-in page for client %s with redirect URI %s: the app, its tenant, the redirect URI and the scopes are accepted", p.ClientID, p.RedirectURI()),
		Fix:     "Whether " + p.RedirectURI() + " is registered under Mobile and desktop applications (not Web) shows only when the code is redeemed: if login then fails with AADSTS7000218, move it there (App registrations › app › Authentication)"})
}

// refused reports Entra's refusal of a request made before any sign-in,
// explained as a sign-in would be.
func (dr *doctor) refused(id, msg string, ae *aadsts.Error) {
	c := Check{ID: id, Status: StatusFail, Message: msg}
	dr.explainEntra(&c, ae)
	dr.registration = true
	dr.add(c)
}

// sameRedirect reports whether loc is at the redirect URI (scheme, host
// and path; any port, as Entra matches localhost).
func sameRedirect(loc *url.URL, redirect string) bool {
	r, err := url.Parse(redirect)
	if err != nil {
		return false
	}
	return strings.EqualFold(loc.Scheme, r.Scheme) && strings.EqualFold(loc.Hostname(), r.Hostname()) &&
		strings.TrimRight(loc.Path, "/") == strings.TrimRight(r.Path, "/")
}

// deviceCode asks Entra for a device code. Nobody needs to finish it (it
// just expires), so no sign-in is started that a person must complete.
func (dr *doctor) deviceCode(ctx context.Context, hc *http.Client, cfg *claims.OIDCConfig) {
	p := dr.p
	endpoint := cfg.DeviceAuthorizationEndpoint
	if endpoint == "" {
		endpoint = strings.TrimSuffix(cfg.TokenEndpoint, "/token") + "/devicecode"
	}
	scopes := append(p.ScopeList(), "offline_access")
	form := url.Values{"client_id": {p.ClientID}, "scope": {strings.Join(scopes, " ")}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		dr.add(Check{ID: CheckDeviceCode, Status: StatusFail, Message: err.Error()})
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		c := Check{ID: CheckDeviceCode, Status: StatusFail, Message: "device-code request: " + err.Error()}
		dr.explainNetwork(&c, err, nethint.Entra, !errors.Is(err, context.Canceled))
		dr.add(c)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	if resp.StatusCode/100 == 2 {
		dr.add(Check{ID: CheckDeviceCode, Status: StatusOK,
			Message: "Entra hands out device codes to client " + p.ClientID + " (the code was not shown and simply expires)",
			Fix:     "Entra tells whether \"Allow public client flows\" is on only after someone signs in; if login then fails with AADSTS7000218: App registrations › app › Authentication › Allow public client flows › Yes"})
		return
	}
	if ae, ok := aadsts.ParseBody(body, resp.StatusCode); ok {
		ae.Source = aadsts.SourceDeviceCode
		dr.refused(CheckDeviceCode, "Entra refuses a device code with "+codeOf(ae), ae)
		return
	}
	dr.add(Check{ID: CheckDeviceCode, Status: StatusFail, Message: fmt.Sprintf("the device-code endpoint answered %d", resp.StatusCode)})
}

// errorStatement is how an error page states Entra's error: the code, a
// colon and its sentence ("AADSTS700016: Application …").
var errorStatement = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`AADSTS\d{4,9}: \S`) })

// codeOf names Entra's answer in a check's line: "AADSTS700016
// (unauthorized_client)"; the details quote the rest.
func codeOf(ae *aadsts.Error) string {
	s := ""
	if n := ae.AADSTS(); n > 0 {
		s = fmt.Sprintf("AADSTS%d", n)
	}
	if ae.Code != "" {
		if s != "" {
			return s + " (" + ae.Code + ")"
		}
		return ae.Code
	}
	return orDefault(s, "an error")
}

// withoutURL is the HTTP client's error without the request's method and
// URL, which the check names already.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

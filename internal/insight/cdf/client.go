package cdf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/cognite-tools/cdflogin/internal/insight/jsonlimit"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// Client calls CDF on one base URL with one bearer token.
type Client struct {
	baseURL string
	http    *http.Client
	token   string
	// UserAgent is sent with every request when set.
	UserAgent string
}

// New returns a Client for baseURL (e.g. https://westeurope-1.cognitedata.com)
// that sends token as the bearer. A nil hc means http.DefaultClient.
func New(baseURL string, hc *http.Client, token string) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), http: hc, token: token}
}

// BaseURL is the CDF URL the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// Error is a CDF error answer (or a failed request).
type Error struct {
	Method    string
	Path      string // e.g. /api/v1/token/inspect
	Status    int    // HTTP status; 0 when no answer came
	Message   string // CDF's error message
	RequestID string // X-Request-Id, for Cognite support
	// Project is the project of the call, when it has one.
	Project string
	// NotJSON names what came instead of CDF's JSON error ("an HTML
	// page"), when the answer was not from CDF's API but, most likely,
	// from a proxy or load balancer in between. The body itself is never
	// kept.
	NotJSON string
	Err     error // transport error, when Status is 0

	// unreachable: the request was sent and no complete answer came
	// (Err is the HTTP client's error, or the failed read of the body).
	unreachable bool
	host        string // the CDF host of the request, for the advice
}

// Error is one line: method, path, status, CDF's message and the request ID.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CDF %s %s: ", e.Method, e.Path)
	if e.Status == 0 {
		b.WriteString(withoutRequest(e.Err).Error())
		return b.String()
	}
	if e.NotJSON != "" {
		fmt.Fprintf(&b, "CDF answered %d %s with %s (a proxy or load balancer?)", e.Status, http.StatusText(e.Status), e.NotJSON)
		if e.RequestID != "" {
			b.WriteString(" (request ID " + textsafe.Line(e.RequestID) + ")")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" && !strings.EqualFold(e.Message, http.StatusText(e.Status)) {
		b.WriteString(": " + textsafe.Line(e.Message))
	}
	if e.RequestID != "" {
		b.WriteString(" (request ID " + textsafe.Line(e.RequestID) + ")")
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Unreachable reports whether the request failed on the way: it was sent
// but no complete answer came (DNS, connection, TLS, proxy, timeout, a
// cut answer). Explain such errors with nethint.
func (e *Error) Unreachable() bool { return e.Status == 0 && e.unreachable }

// Details says what to do about the error (shown under the error line).
func (e *Error) Details() string { return e.DetailsFor("") }

// DetailsFor is Details for a command run with profile: the commands it
// names carry -p profile.
func (e *Error) DetailsFor(profile string) string {
	p := ""
	if profile != "" {
		p = " -p " + profile
	}
	switch {
	case e.NotJSON != "":
		return "The answer most likely came not from CDF's API but from something in between (a corporate proxy, load balancer or gateway). " +
			"Retry in a minute; if it persists, check the proxy (HTTPS_PROXY, NO_PROXY) and the profile's cluster/cdf_url, " +
			"and give the request ID (if any) to Cognite support."
	case e.Status == http.StatusUnauthorized:
		return "CDF did not accept the token. Usual causes: the token is for another cluster (its aud is not this CDF URL), " +
			"it has expired, it is from a tenant the project does not trust, or a user token lacks the IDENTITY/user_impersonation scope.\n" +
			"Run: cdflogin claims" + p + " (shows aud, tid, scp and exp with findings) and cdflogin doctor" + p + "."
	case e.Status == http.StatusForbidden && e.Project != "":
		return fmt.Sprintf("The token is valid but has no access to project %q: none of its groups is the source ID of a CDF group there "+
			"with the needed capability.\nRun: cdflogin inspect%s (shows the projects the token reaches and the group mapping).", e.Project, p)
	case e.Status == http.StatusForbidden:
		return "The token is valid but lacks the capability this call needs.\nRun: cdflogin inspect" + p + " (shows the capabilities of the token)."
	case e.Status == http.StatusNotFound && e.Project != "":
		return fmt.Sprintf("Project %q was not found on this cluster: check the profile's project and cluster.", e.Project)
	case e.Status == 0 && errors.Is(e.Err, context.Canceled):
		return ""
	case e.Status == 0:
		if a, ok := nethint.Explain(e.Err, nethint.Target{Service: nethint.CDF, Host: e.host, Unreachable: e.Unreachable()}); ok {
			return a.String()
		}
		return "Check the profile's cluster and cdf_url."
	}
	return ""
}

// IsStatus reports whether err is a CDF *Error with the given status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// DecodeError reads CDF's error body {"error":{"code":N,"message":"…"}}
// and returns the message (and a request ID when the body carries one).
func DecodeError(body []byte) (message, requestID string) {
	if jsonlimit.Check("CDF's error answer", body, maxNesting, maxBody) != nil {
		return "", ""
	}
	var w struct {
		Error *struct {
			Code      int    `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"requestId"`
		} `json:"error"`
		RequestID string `json:"requestId"`
	}
	if json.Unmarshal(body, &w) != nil || w.Error == nil {
		return "", ""
	}
	id := w.Error.RequestID
	if id == "" {
		id = w.RequestID
	}
	return w.Error.Message, id
}

func (c *Client) get(ctx context.Context, path, project string, query url.Values) ([]byte, error) {
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	fail := func(status int, msg, id string, err error) *Error {
		return &Error{Method: http.MethodGet, Path: path, Status: status, Message: msg, RequestID: id, Project: project, Err: err}
	}
	failNotJSON := func(status int, kind, id string) error {
		return &Error{Method: http.MethodGet, Path: path, Status: status, RequestID: id, Project: project, NotJSON: kind}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fail(0, "", "", fmt.Errorf("bad CDF URL %q: %w", c.baseURL, err))
	}
	unreachable := func(err error, id string) error {
		e := fail(0, "", id, err)
		e.unreachable, e.host = !errors.Is(err, context.Canceled), req.URL.Host
		return e
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, unreachable(err, "")
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, unreachable(fmt.Errorf("read answer: %w", err), resp.Header.Get("X-Request-Id"))
	}
	if resp.StatusCode/100 != 2 {
		msg, id := DecodeError(body)
		if h := resp.Header.Get("X-Request-Id"); h != "" {
			id = h
		}
		if msg == "" {
			if kind := notJSONKind(resp.Header.Get("Content-Type"), body); kind != "" {
				return nil, failNotJSON(resp.StatusCode, kind, id)
			}
			msg = snippet(body)
		}
		return nil, fail(resp.StatusCode, msg, id, nil)
	}
	return body, nil
}

// withoutRequest is the HTTP client's error without the method and URL
// it puts in front (the error line names them already; the URL holds no
// secret, the bearer is in a header). Err keeps the *url.Error, whose
// URL names the host for the advice.
func withoutRequest(err error) error {
	if ue, ok := err.(*url.Error); ok && ue.Err != nil {
		return ue.Err
	}
	return err
}

// notJSONKind names an error body that is markup rather than CDF's JSON
// ("an HTML page", "an XML document"), judged by its content type or its
// first non-blank byte; "" for anything else (JSON, plain text, an
// empty body).
func notJSONKind(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimLeftFunc(body, func(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' })
	switch {
	case len(trimmed) == 0:
		return ""
	case mt == "text/html" || mt == "application/xhtml+xml":
		return "an HTML page"
	case mt == "text/xml" || mt == "application/xml":
		return "an XML document"
	case len(trimmed) > 0 && trimmed[0] == '<':
		if isXML(trimmed) {
			return "an XML document"
		}
		return "an HTML page"
	}
	return ""
}

// isXML reports whether markup starts like an XML document rather than
// HTML.
func isXML(b []byte) bool {
	return bytes.HasPrefix(b, []byte("<?xml")) && !bytes.Contains(bytes.ToLower(b[:min(len(b), 512)]), []byte("<html"))
}

// snippet is a short, single-line excerpt of a plain-text error body
// (e.g. a gateway's "upstream request timeout"), without control
// characters.
func snippet(body []byte) string {
	s := textsafe.Line(string(body))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}

// InspectToken calls GET /api/v1/token/inspect: the subject, the projects
// the token reaches with their group IDs, and its capabilities.
func (c *Client) InspectToken(ctx context.Context) (*TokenInspection, error) {
	body, err := c.get(ctx, "/api/v1/token/inspect", "", nil)
	if err != nil {
		return nil, err
	}
	return DecodeInspection(body)
}

// GroupList is the groups of a project as far as the token may see them.
type GroupList struct {
	Items []Group
	// All is true when every group of the project was listed (?all=true);
	// false when only the token's own groups could be.
	All bool
	// AllError is why the full list could not be had (the 403), when All
	// was asked for and refused.
	AllError error
}

// Groups lists the project's groups: all of them when all is true and the
// token may (groups:list with scope all), else the token's own groups.
// A 403 on ?all=true falls back to the own groups.
func (c *Client) Groups(ctx context.Context, project string, all bool) (*GroupList, error) {
	path := "/api/v1/projects/" + url.PathEscape(project) + "/groups"
	if all {
		body, err := c.get(ctx, path, project, url.Values{"all": {"true"}})
		if err == nil {
			items, err := DecodeGroups(body)
			if err != nil {
				return nil, err
			}
			return &GroupList{Items: items, All: true}, nil
		}
		if !IsStatus(err, http.StatusForbidden) {
			return nil, err
		}
		own, err2 := c.Groups(ctx, project, false)
		if err2 != nil {
			return nil, err2
		}
		own.AllError = err
		return own, nil
	}
	body, err := c.get(ctx, path, project, nil)
	if err != nil {
		return nil, err
	}
	items, err := DecodeGroups(body)
	if err != nil {
		return nil, err
	}
	return &GroupList{Items: items}, nil
}

// Project calls GET /api/v1/projects/{project}.
func (c *Client) Project(ctx context.Context, project string) (*Project, error) {
	body, err := c.get(ctx, "/api/v1/projects/"+url.PathEscape(project), project, nil)
	if err != nil {
		return nil, err
	}
	return DecodeProject(body)
}

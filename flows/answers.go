package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// answerInfo is what cdflogin may repeat about an HTTP answer: never the
// body, never the query (which can carry codes).
type answerInfo struct {
	URL         string // scheme://host/path
	Status      int
	ContentType string
}

// answerLog remembers the last HTTP answer an MSAL client received, so
// that an answer MSAL cannot decode can be described without its body.
// MSAL makes one request at a time per operation, so the last answer is
// the one that failed to decode.
type answerLog struct {
	mu   sync.Mutex
	last answerInfo
	seen bool
	// discovery is what the last OpenID configuration said about the
	// issuer (read as MSAL fetched it, so no request of its own).
	discovery    issuerMetadata
	hasDiscovery bool
}

// issuerMetadata is the part of an OpenID configuration RFC 9207 needs.
type issuerMetadata struct {
	Issuer string `json:"issuer"`
	// IssParameter: the server names itself (iss) in every answer to the
	// redirect URI.
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`
}

// maxDiscovery bounds how much of an OpenID configuration is read.
const maxDiscovery = 1 << 20

// noteDiscovery reads the issuer metadata of a discovery answer and puts
// the body back, unread, for MSAL.
func (l *answerLog) noteDiscovery(resp *http.Response) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscovery))
	resp.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(b), resp.Body), Closer: resp.Body}
	var md issuerMetadata
	if err != nil || json.Unmarshal(b, &md) != nil {
		return
	}
	l.mu.Lock()
	l.discovery, l.hasDiscovery = md, true
	l.mu.Unlock()
}

type readCloser struct {
	io.Reader
	io.Closer
}

// issuerMetadata returns what the OpenID configuration MSAL fetched said
// about the issuer, if MSAL fetched one through this log's client.
func (l *answerLog) issuerMetadata() (issuerMetadata, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.discovery, l.hasDiscovery
}

func (l *answerLog) record(req *http.Request, resp *http.Response) {
	info := answerInfo{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	if req.URL != nil {
		u := *req.URL
		u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment, u.User = "", false, "", "", nil
		info.URL = u.String()
	}
	l.mu.Lock()
	l.last, l.seen = info, true
	l.mu.Unlock()
}

// lastAnswer returns the last answer recorded, if any. A nil log has none.
func (l *answerLog) lastAnswer() (answerInfo, bool) {
	if l == nil {
		return answerInfo{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last, l.seen
}

// recordingTransport notes every answer in log and passes it on untouched.
type recordingTransport struct {
	base http.RoundTripper
	log  *answerLog
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp != nil {
		t.log.record(req, resp)
		if resp.StatusCode == http.StatusOK && req.URL != nil && strings.HasSuffix(req.URL.Path, "/.well-known/openid-configuration") {
			t.log.noteDiscovery(resp)
		}
	}
	return resp, err
}

// recording returns a copy of c whose answers are noted in a new log.
func recording(c *http.Client) (*http.Client, *answerLog) {
	log := &answerLog{}
	out := *c
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = recordingTransport{base: base, log: log}
	return &out, log
}

// AnswerError is an answer at Entra ID's address that is not what the
// protocol expects (an HTML page from a proxy or captive portal, truncated
// or invalid JSON), typically with HTTP 200. It says what was wrong, the
// status, the content type and the URL without its query — never the
// body, which can hold tokens. errors.Is(err, ErrNetwork) holds for it:
// like a network failure, the cached token stays usable and a retry may
// succeed once whatever answered in Entra's place is out of the way.
type AnswerError struct {
	Op          string
	Expected    string // "a token response", "its OpenID configuration", …
	Problem     string // "an HTML page", "invalid JSON at byte 12", …
	URL         string // without query; empty when unknown
	Status      int    // 0 when unknown
	ContentType string // as sent; empty when none or unknown
}

func (e *AnswerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: Entra ID answered with something that is not %s: %s", e.Op, e.Expected, e.Problem)
	var meta []string
	if e.Status != 0 {
		meta = append(meta, fmt.Sprintf("HTTP %d", e.Status))
	}
	if e.ContentType != "" {
		meta = append(meta, "Content-Type "+e.ContentType)
	} else if e.Status != 0 {
		meta = append(meta, "no Content-Type")
	}
	if len(meta) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(meta, ", "))
	}
	if e.URL != "" {
		fmt.Fprintf(&b, " from %s", e.URL)
	}
	b.WriteString("; a proxy, firewall or captive portal may be answering in its place: check HTTPS_PROXY/NO_PROXY and the profile's authority, then try again")
	return b.String()
}

// Unwrap returns ErrNetwork. The MSAL error is deliberately not kept: its
// text holds the whole body.
func (e *AnswerError) Unwrap() error { return ErrNetwork }

// invalidJSON reports whether err is MSAL's "the answer did not decode"
// error, and returns the decoder's own error (without MSAL's text, which
// holds the body).
func invalidJSON(err error) (cause error, ok bool) {
	var ije msalerrors.InvalidJsonErr
	var pije *msalerrors.InvalidJsonErr
	switch {
	case errors.As(err, &ije):
		return errors.Unwrap(ije.Err), true
	case errors.As(err, &pije) && pije != nil:
		return errors.Unwrap(pije.Err), true
	}
	return nil, false
}

// answerError describes an undecodable answer from what the log saw and
// the decoder's error, leaving the body out.
func answerError(op string, cause error, log *answerLog) *AnswerError {
	e := &AnswerError{Op: op, Expected: "the expected answer"}
	info, ok := log.lastAnswer()
	if ok {
		e.URL, e.Status = info.URL, info.Status
		e.ContentType = sanitizeContentType(info.ContentType)
		e.Expected = expectedAnswer(info.URL)
	}
	e.Problem = decodeProblem(cause, e.ContentType)
	return e
}

// expectedAnswer names what the endpoint at url should have sent.
func expectedAnswer(url string) string {
	switch {
	case strings.Contains(url, "/.well-known/openid-configuration"):
		return "its OpenID configuration"
	case strings.Contains(url, "/discovery/instance"):
		return "an instance discovery answer"
	case strings.HasSuffix(url, "/devicecode"):
		return "a device code answer"
	case strings.HasSuffix(url, "/token"):
		return "a token response"
	case strings.Contains(url, "/userrealm/"):
		return "a user realm answer"
	}
	return "the expected answer"
}

// decodeProblem says what was wrong with the body from the decoder's
// error: its kind and position only, never a character of the body.
func decodeProblem(cause error, contentType string) string {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case mediaType == "text/html" || mediaType == "application/xhtml+xml":
		return "an HTML page"
	case errors.As(cause, &syn):
		if strings.Contains(syn.Error(), "'<'") && syn.Offset <= 16 {
			return "an HTML or XML page"
		}
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.Is(cause, io.ErrUnexpectedEOF):
		return "JSON that breaks off (a truncated answer)"
	case errors.Is(cause, io.EOF):
		return "an empty or truncated answer"
	case errors.As(cause, &typ):
		return "JSON of the wrong shape"
	}
	return "an answer that is not valid JSON"
}

// sanitizeContentType keeps a Content-Type header short and printable.
func sanitizeContentType(s string) string {
	const maxLen = 100
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxLen {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || r > 0x7e {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

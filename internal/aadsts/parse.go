package aadsts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// Sources of an Error: where in the sign-in Entra's answer was seen.
const (
	SourceToken      = "token"      // POST …/token (code redemption, refresh, client credentials)
	SourceDeviceCode = "devicecode" // POST …/devicecode
	SourcePoll       = "poll"       // device-code poll of …/token
	SourceRedirect   = "redirect"   // the browser's redirect to the loopback listener
	SourceDiscovery  = "discovery"  // authority / OpenID metadata lookup
)

// maxBody bounds how much of an answer is decoded.
const maxBody = 64 << 10

// maxText bounds the length of texts copied from an answer.
const maxText = 1024

// The patterns are compiled on first use, not at process start: most runs
// (a warm `cdflogin token`) never parse an error, and compiling the counted
// repetitions below costs more than the rest of the package's start-up.
var (
	aadstsRe  = lazyRegexp(`AADSTS(\d{1,9})`)
	statusRe  = lazyRegexp(`reply status code was (\d{3})`)
	callURLRe = lazyRegexp(`http call\(([^)\s]*)\)`)
	// jwtRe matches things shaped like JWTs (access, ID or refresh tokens in
	// JWT form, client assertions) so that they never reach a message.
	jwtRe = lazyRegexp(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*`)
	// errorValueRe is the shape of an OAuth "error" value.
	errorValueRe = lazyRegexp(`^[A-Za-z0-9_.-]{1,64}$`)
)

// lazyRegexp returns a function that compiles expr once, on its first call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// wireError is the JSON error answer of Entra's v2.0 endpoints.
type wireError struct {
	Error         string          `json:"error"`
	Description   string          `json:"error_description"`
	Codes         []json.Number   `json:"error_codes"`
	Timestamp     string          `json:"timestamp"`
	TraceID       string          `json:"trace_id"`
	CorrelationID string          `json:"correlation_id"`
	Suberror      string          `json:"suberror"`
	ErrorURI      string          `json:"error_uri"`
	Claims        json.RawMessage `json:"claims"`
}

// Parse finds Entra's error answer in an error returned by MSAL: the body
// of an errors.CallErr, the JSON MSAL copied into the message after the
// first line (the device-code poll, whose body MSAL has already read), or
// else an AADSTSnnnn number in the text. It reports false when err carries
// none of these.
func Parse(err error) (*Error, bool) {
	if err == nil {
		return nil, false
	}
	var ae *Error
	if errors.As(err, &ae) && ae != nil {
		return ae, true
	}
	text := err.Error()
	status := 0
	source := ""
	var ce msalerrors.CallErr
	var pce *msalerrors.CallErr
	switch {
	case errors.As(err, &ce):
		status, source = callInfo(&ce)
	case errors.As(err, &pce) && pce != nil:
		status, source = callInfo(pce)
	}
	if status == 0 {
		if m := statusRe().FindStringSubmatch(text); m != nil {
			status, _ = strconv.Atoi(m[1])
		}
	}
	if source == "" {
		if m := callURLRe().FindStringSubmatch(text); m != nil {
			source = sourceFromURL(m[1])
		}
	}
	if source == "" {
		source = SourceToken
	}

	// 1. JSON after the first line of the message (always present when the
	// answer had a body, whether or not the body is still readable).
	if e, ok := parseEmbeddedJSON(text, status); ok {
		e.Source = source
		return e, true
	}
	// 2. The response body, if MSAL left it unread.
	if body := callBody(err); len(body) > 0 {
		if e, ok := ParseBody(body, status); ok {
			e.Source = source
			return e, true
		}
	}
	// 3. An AADSTS number anywhere in the text.
	if m := aadstsRe().FindStringSubmatch(text); m != nil {
		n, convErr := strconv.Atoi(m[1])
		if convErr == nil && n > 0 {
			return &Error{
				Description: clean(firstLine(text[strings.Index(text, m[0]):])),
				Codes:       []int{n},
				HTTPStatus:  status,
				Source:      source,
			}, true
		}
	}
	return nil, false
}

// callInfo returns the HTTP status and the source of a CallErr.
func callInfo(ce *msalerrors.CallErr) (int, string) {
	status, source := 0, ""
	if ce.Resp != nil {
		status = ce.Resp.StatusCode
	}
	if ce.Req != nil && ce.Req.URL != nil {
		source = sourceFromURL(ce.Req.URL.String())
	}
	return status, source
}

// callBody reads the body of a CallErr in err's chain when it is still
// readable, and puts it back so that others may read it too.
func callBody(err error) []byte {
	var ce msalerrors.CallErr
	var resp = func() *msalerrors.CallErr {
		if errors.As(err, &ce) {
			return &ce
		}
		var p *msalerrors.CallErr
		if errors.As(err, &p) {
			return p
		}
		return nil
	}()
	if resp == nil || resp.Resp == nil || resp.Resp.Body == nil {
		return nil
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Resp.Body, maxBody))
	resp.Resp.Body = io.NopCloser(bytes.NewReader(body))
	if readErr != nil {
		return nil
	}
	return body
}

// sourceFromURL guesses the source from the endpoint MSAL called.
func sourceFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.ToLower(u.Path)
	switch {
	case strings.HasSuffix(p, "/devicecode"):
		return SourceDeviceCode
	case strings.Contains(p, "openid-configuration"), strings.Contains(p, "/discovery/"):
		return SourceDiscovery
	case strings.HasSuffix(p, "/token"):
		return SourceToken
	}
	return ""
}

// parseEmbeddedJSON decodes the first JSON object that starts a line of
// text (MSAL writes "http call(…) error: reply status code was N:\n{…}").
func parseEmbeddedJSON(text string, status int) (*Error, bool) {
	if len(text) > 4*maxBody {
		text = text[:4*maxBody]
	}
	for i := 0; i < 8; i++ {
		nl := strings.IndexByte(text, '\n')
		if nl < 0 {
			return nil, false
		}
		text = text[nl+1:]
		trimmed := strings.TrimLeft(text, " \t\r")
		if !strings.HasPrefix(trimmed, "{") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.UseNumber()
		var w wireError
		if err := dec.Decode(&w); err != nil {
			continue
		}
		if e, ok := fromWire(&w, status); ok {
			return e, true
		}
	}
	return nil, false
}

// ParseBody decodes Entra's JSON error answer with its HTTP status. It
// reports false when body is not such an answer. When the body is not JSON
// but mentions an AADSTS number (an HTML error page), that number is kept.
func ParseBody(body []byte, status int) (*Error, bool) {
	if len(body) > maxBody {
		body = body[:maxBody]
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var w wireError
	if err := dec.Decode(&w); err == nil {
		if e, ok := fromWire(&w, status); ok {
			e.Source = SourceToken
			return e, true
		}
		return nil, false
	}
	if m := aadstsRe().FindSubmatchIndex(body); m != nil {
		if n, err := strconv.Atoi(string(body[m[2]:m[3]])); err == nil && n > 0 {
			e := &Error{Codes: []int{n}, HTTPStatus: status, Source: SourceToken, Description: pageMessage(body[m[0]:])}
			fillIDsFromDescription(e, string(body))
			return e, true
		}
	}
	return nil, false
}

// pageMessage is Entra's message on an error page, from "AADSTSnnnn: …" to
// the end of its sentence: the page shows it as text and repeats it in a
// JSON string of its script, so it ends at a quote, a tag or a line break;
// the JSON string escapes (\u0027 for ') are undone.
func pageMessage(b []byte) string {
	end := len(b)
	if i := bytes.IndexAny(b, "\"<\r\n"); i >= 0 {
		end = i
	}
	if end > maxText {
		end = maxText
	}
	msg := string(b[:end])
	msg = strings.NewReplacer(`\u0027`, "'", `\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\/`, "/", "&#39;", "'", "&#x27;", "'", "&quot;", `"`, "&amp;", "&").Replace(msg)
	return clean(msg)
}

// fromWire turns a decoded answer into an Error; it needs at least an
// "error" value or an AADSTS number.
func fromWire(w *wireError, status int) (*Error, bool) {
	e := &Error{
		Code:          cleanErrorValue(w.Error),
		Description:   clean(w.Description),
		Suberror:      cleanErrorValue(w.Suberror),
		CorrelationID: clean(w.CorrelationID),
		TraceID:       clean(w.TraceID),
		Timestamp:     clean(w.Timestamp),
		HTTPStatus:    status,
	}
	for _, c := range w.Codes {
		if n, err := strconv.Atoi(c.String()); err == nil && n > 0 {
			e.Codes = append(e.Codes, n)
		}
	}
	if len(e.Codes) == 0 {
		if n := codeInText(e.Description); n > 0 {
			e.Codes = []int{n}
		}
	}
	fillIDsFromDescription(e, w.Description)
	if e.Code == "" && len(e.Codes) == 0 {
		return nil, false
	}
	return e, true
}

// FromRedirect reads an error answer from the query or form of the
// redirect to the loopback listener (error, error_description, error_uri,
// state…). It returns nil when the answer carries no "error".
func FromRedirect(v url.Values) *Error {
	code := v.Get("error")
	if code == "" {
		return nil
	}
	desc := v.Get("error_description")
	e := &Error{
		Code:        cleanErrorValue(code),
		Description: clean(desc),
		Source:      SourceRedirect,
	}
	if e.Code == "" {
		e.Code = "invalid_response"
	}
	if n := codeInText(desc); n > 0 {
		e.Codes = []int{n}
	} else if uri := v.Get("error_uri"); uri != "" {
		// https://login.microsoftonline.com/error?code=50011
		if u, err := url.Parse(uri); err == nil {
			if n, err := strconv.Atoi(u.Query().Get("code")); err == nil && n > 0 && n < 1e9 {
				e.Codes = []int{n}
			}
		}
	}
	fillIDsFromDescription(e, desc)
	return e
}

// codeInText returns the first AADSTS number in s, or 0.
func codeInText(s string) int {
	if m := aadstsRe().FindStringSubmatch(s); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

var (
	traceRe       = lazyRegexp(`Trace ID: ([0-9A-Fa-f-]{8,64})`)
	correlationRe = lazyRegexp(`Correlation ID: ([0-9A-Fa-f-]{8,64})`)
	timestampRe   = lazyRegexp(`Timestamp: ([0-9T:. Z+-]{10,40})`)
)

// fillIDsFromDescription takes trace and correlation IDs from the
// description's trailing lines when the answer had no separate fields.
func fillIDsFromDescription(e *Error, desc string) {
	if e.TraceID == "" {
		if m := traceRe().FindStringSubmatch(desc); m != nil {
			e.TraceID = m[1]
		}
	}
	if e.CorrelationID == "" {
		if m := correlationRe().FindStringSubmatch(desc); m != nil {
			e.CorrelationID = m[1]
		}
	}
	if e.Timestamp == "" {
		if m := timestampRe().FindStringSubmatch(desc); m != nil {
			e.Timestamp = strings.TrimSpace(m[1])
		}
	}
}

// cleanErrorValue keeps an OAuth error value only when it has the shape of
// one.
func cleanErrorValue(s string) string {
	s = strings.TrimSpace(s)
	// A token-shaped value (the start of a JWT) is never an OAuth error
	// value; dropping it keeps tokens out of the one-line message.
	if errorValueRe().MatchString(s) && !jwtRe().MatchString(s) {
		return s
	}
	return ""
}

// clean makes outside text safe to print: token-shaped strings are
// redacted, control characters and bidirectional marks made harmless by
// textsafe (line breaks kept, as the description's ID lines follow them),
// and the length bounded.
func clean(s string) string {
	s = jwtRe().ReplaceAllString(s, "[redacted]")
	s = textsafe.Block(s)
	if len(s) > maxText {
		cut := maxText
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// firstLine returns s up to its first line break.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// resourceRes find the resource (API) an answer names: 500011 "The
// resource principal named X was not found", 650057 "Resource value from
// request: X.", the sandbox's "(resource X)".
var resourceRes = []func() *regexp.Regexp{
	lazyRegexp(`resource principal named (https?://[^\s'"]+?)\.?(?:\s|$)`),
	lazyRegexp(`Resource value from request: (https?://[^\s'"]+?)\.?(?:\s|$)`),
	lazyRegexp(`\(resource (https?://[^\s'")]+)\)`),
}

// Resource is the API the answer says the request was for (e.g.
// https://graph.microsoft.com), or "" when it names none.
func (e *Error) Resource() string {
	for _, re := range resourceRes {
		if m := re().FindStringSubmatch(e.Description); m != nil {
			return strings.TrimRight(m[1], "/")
		}
	}
	return ""
}

// Summary is Entra's own description without its Trace ID / Correlation
// ID / Timestamp lines.
func (e *Error) Summary() string {
	return firstLine(e.Description)
}

// Error is one line: the AADSTS number, the error value and Entra's first
// line of description. It never contains tokens or secrets.
func (e *Error) Error() string {
	if e.Local {
		return "cdflogin: " + orDefault(e.Description, e.Code) + " (no answer from Entra ID)"
	}
	var b strings.Builder
	b.WriteString("entra id")
	if e.Source != "" {
		fmt.Fprintf(&b, " (%s)", e.Source)
	}
	b.WriteString(": ")
	desc := e.Summary()
	n := e.AADSTS()
	if n > 0 && !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d", n)) {
		fmt.Fprintf(&b, "AADSTS%d ", n)
	}
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString("error")
	}
	if desc != "" {
		b.WriteString(": ")
		b.WriteString(desc)
	}
	return b.String()
}

package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"unicode"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
)

func TestLoginRequiredReason(t *testing.T) {
	tests := []struct {
		e      aadsts.Error
		want   bool
		substr string
	}{
		{aadsts.Error{Code: "invalid_grant", Codes: []int{700082}}, true, "700082"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{50173}}, true, "revoked"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{70008}}, true, "inactivity"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{65001}, Suberror: "consent_required"}, true, "consent"},
		{aadsts.Error{Code: "invalid_grant", Suberror: "consent_required"}, true, "consent"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{50076}}, true, "multi-factor"},
		{aadsts.Error{Code: "interaction_required", Codes: []int{53003}}, true, "Conditional Access"},
		{aadsts.Error{Code: "interaction_required", Codes: []int{530003}}, true, "Conditional Access"},
		{aadsts.Error{Code: "interaction_required"}, true, "interactive"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{9002313}}, true, "9002313"},
		{aadsts.Error{Code: "invalid_client", Codes: []int{7000218}}, false, ""},
		{aadsts.Error{Code: "unauthorized_client", Codes: []int{700016}}, false, ""},
		{aadsts.Error{Code: "temporarily_unavailable"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.e.Code, tt.e.Codes), func(t *testing.T) {
			reason, ok := loginRequiredReason(&tt.e)
			if ok != tt.want || !strings.Contains(reason, tt.substr) {
				t.Fatalf("loginRequiredReason = %q, %v", reason, ok)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	dnsErr := &url.Error{Op: "Post", URL: "https://login.example/t/oauth2/v2.0/token", Err: &net.DNSError{Err: "no such host", Name: "login.example"}}
	tests := []struct {
		name      string
		err       error
		network   bool
		entra     bool
		cancelled bool
	}{
		{name: "dns", err: fmt.Errorf("msal: %w", dnsErr), network: true},
		{name: "connection refused text", err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), network: true},
		{name: "entra answer", err: &aadsts.Error{Code: "invalid_client", Codes: []int{7000215}}, entra: true},
		{name: "cancelled", err: fmt.Errorf("poll: %w", context.Canceled), cancelled: true},
		{name: "other", err: errors.New("something odd")},
		// An *fs.PathError satisfies net.Error; it is still a local problem.
		{name: "cache folder in the way", err: fmt.Errorf("msal: %w", &tokencache.FolderError{Dir: "/x/cache", Problem: "cannot be created",
			Err: &fs.PathError{Op: "mkdir", Path: "/x", Err: syscall.ENOTDIR}})},
		{name: "cache file not writable", err: fmt.Errorf("write the token cache: %w", &fs.PathError{Op: "open", Path: "/x/cache/dev.msal.json", Err: syscall.EACCES})},
		{name: "undecodable answer", err: msalerrors.InvalidJsonErr{Err: fmt.Errorf("json decode error: %w\nraw message was: %s", io.ErrUnexpectedEOF, `{"access_token":"eyJ0eXAi`)}, network: true},
		{name: "undecodable answer wrapped", err: fmt.Errorf("unable to resolve an endpoint: %w", msalerrors.InvalidJsonErr{Err: fmt.Errorf("json decode error: %w\njson message bytes were: %s", io.EOF, `{"token_endpoint":`)}), network: true},
		{name: "404 page that mentions EOF", err: msalerrors.CallErr{
			Req:  &http.Request{Method: "POST", URL: &url.URL{Scheme: "https", Host: "login.example", Path: "/t/oauth2/v2.0/token"}},
			Resp: &http.Response{StatusCode: 404},
			Err:  errors.New("http call(https://login.example/t/oauth2/v2.0/token)(POST) error: reply status code was 404:\n<html>unexpected EOF, tls: x509: secret-body</html>")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify("op", tt.err, nil)
			var ee *EntraError
			if errors.Is(got, ErrNetwork) != tt.network || errors.As(got, &ee) != tt.entra || errors.Is(got, context.Canceled) != tt.cancelled {
				t.Fatalf("classify = %v (%T)", got, got)
			}
			if !strings.HasPrefix(got.Error(), "op: ") {
				t.Errorf("message %q does not start with the operation", got.Error())
			}
			for _, body := range []string{"eyJ0eXAi", `{"token_endpoint"`, "secret-body", "<html>"} {
				if strings.Contains(got.Error(), body) {
					t.Errorf("message %q carries the answer's body", got.Error())
				}
			}
		})
	}
	if classify("op", nil, nil) != nil {
		t.Error("classify(nil) != nil")
	}
}

// MSAL errors without a better reading keep MSAL's words up to the body
// it appends.
func TestWithoutBody(t *testing.T) {
	tests := []struct{ in, want string }{
		{"json decode error: unexpected EOF\nraw message was: {\"access_token\":\"eyJ", "json decode error: unexpected EOF"},
		{"unable to resolve an endpoint: json decode error: EOF\njson message bytes were: {\"a\":", "unable to resolve an endpoint: json decode error: EOF"},
		{"http call(https://h/p)(POST) error: reply status code was 418:\n<teapot/>", "http call(https://h/p)(POST) error: reply status code was 418"},
		{"no account found", "no account found"},
		{"server response error:\n dial tcp: refused", "server response error:\n dial tcp: refused"},
	}
	for _, tt := range tests {
		if got := withoutBody(tt.in); got != tt.want {
			t.Errorf("withoutBody(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	err := classify("op", errors.New("odd\nraw message was: token-material"), nil)
	if strings.Contains(err.Error(), "token-material") || err.Error() != "op: odd" {
		t.Errorf("classify kept the body: %q", err)
	}
}

// What an undecodable answer was, from the decoder's error and the
// content type, never from the body's characters.
func TestDecodeProblem(t *testing.T) {
	var syn *json.SyntaxError
	if err := json.Unmarshal([]byte("<html>"), &map[string]any{}); !errors.As(err, &syn) {
		t.Fatalf("no syntax error: %v", err)
	}
	var late *json.SyntaxError
	if err := json.Unmarshal([]byte(`{"a":1 "b"}`), &map[string]any{}); !errors.As(err, &late) {
		t.Fatalf("no syntax error: %v", err)
	}
	var typ *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{"a":"secret"}`), &struct{ A int }{}); !errors.As(err, &typ) {
		t.Fatalf("no type error: %v", err)
	}
	tests := []struct {
		cause       error
		contentType string
		want        string
	}{
		{syn, "", "an HTML or XML page"},
		{late, "text/html; charset=utf-8", "an HTML page"},
		{late, "application/json", "invalid JSON at byte 8"},
		{io.ErrUnexpectedEOF, "application/json", "JSON that breaks off (a truncated answer)"},
		{io.EOF, "", "an empty or truncated answer"},
		{typ, "application/json", "JSON of the wrong shape"},
		{errors.New("other"), "", "an answer that is not valid JSON"},
		{nil, "", "an answer that is not valid JSON"},
	}
	for _, tt := range tests {
		if got := decodeProblem(tt.cause, tt.contentType); got != tt.want {
			t.Errorf("decodeProblem(%v, %q) = %q, want %q", tt.cause, tt.contentType, got, tt.want)
		}
	}
}

func TestSanitizeContentType(t *testing.T) {
	if got := sanitizeContentType("text/html\x1b[31m; charset=utf-8"); got != "text/html[31m; charset=utf-8" {
		t.Errorf("control characters kept: %q", got)
	}
	if got := sanitizeContentType(strings.Repeat("a", 500)); len(got) > 110 {
		t.Errorf("not shortened: %d bytes", len(got))
	}
}

// FuzzWithoutBody: whatever MSAL's message, nothing after a body marker
// survives, and the result is a prefix of the message.
func FuzzWithoutBody(f *testing.F) {
	f.Add("json decode error: unexpected EOF\nraw message was: {\"access_token\":\"eyJ")
	f.Add("unable to resolve an endpoint: json decode error: EOF\njson message bytes were: {")
	f.Add("http call(https://h/p)(POST) error: reply status code was 400:\n{\"error\":\"x\"}")
	f.Add("reply status code was :\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, msg string) {
		got := withoutBody(msg)
		if !strings.HasPrefix(strings.TrimLeftFunc(msg, unicode.IsSpace), got) {
			t.Fatalf("withoutBody(%q) = %q is not a prefix", msg, got)
		}
		for _, m := range bodyMarkers {
			if strings.Contains(got, m) {
				t.Fatalf("withoutBody(%q) = %q keeps %q", msg, got, m)
			}
		}
	})
}

// FuzzAnswerText: a Content-Type header and URL from whoever answered are
// printed short and without control characters.
func FuzzAnswerText(f *testing.F) {
	f.Add("text/html; charset=utf-8", "https://login.example/t/oauth2/v2.0/token")
	f.Add("application/json\x1b[2J", "https://h/.well-known/openid-configuration")
	f.Add("\xff\xfe", "")
	f.Fuzz(func(t *testing.T, contentType, url string) {
		ct := sanitizeContentType(contentType)
		if len(ct) > 110 {
			t.Fatalf("%d bytes", len(ct))
		}
		for _, r := range ct {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in %q", ct)
			}
		}
		e := &AnswerError{Op: "op", Expected: expectedAnswer(url), Problem: decodeProblem(nil, ct), ContentType: ct, Status: 200}
		if msg := e.Error(); !strings.HasPrefix(msg, "op: ") || strings.Contains(msg, "\n") {
			t.Fatalf("message %q", msg)
		}
	})
}

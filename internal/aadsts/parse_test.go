package aadsts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// Real-shaped answers, as Microsoft's error-code reference
// (learn.microsoft.com/entra/identity-platform/reference-error-codes) shows them.
const (
	body7000218  = `{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\r\nTrace ID: 0a1b2c3d-1111-2222-3333-444455556666\r\nCorrelation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff\r\nTimestamp: 2026-11-28 10:00:00Z","error_codes":[7000218],"timestamp":"2026-11-28 10:00:00Z","trace_id":"0a1b2c3d-1111-2222-3333-444455556666","correlation_id":"9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff","error_uri":"https://login.microsoftonline.com/error?code=7000218"}`
	body700082   = `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-01T00:00:00Z and was inactive for 90.00:00:00.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[700082],"timestamp":"2026-11-28 10:00:00Z","trace_id":"11111111-2222-3333-4444-555555555555","correlation_id":"66666666-7777-8888-9999-000000000000","suberror":"bad_token"}`
	body50076    = `{"error":"invalid_grant","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'abc'.","error_codes":[50076],"suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"x\"]}}}"}`
	bodyDeclined = `{"error":"authorization_declined","error_description":"AADSTS70000: The user declined the authorization.","error_codes":[70000]}`
	bodyExpired  = `{"error":"expired_token","error_description":"AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.","error_codes":[70020]}`
	bodyNoNumber = `{"error":"bad_verification_code","error_description":"The device code is not valid."}`
)

func callErr(method, rawURL string, status int, body string, readBody bool) error {
	req, _ := http.NewRequest(method, rawURL, nil)
	resp := &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}
	if readBody {
		_, _ = io.ReadAll(resp.Body)
	}
	return msalerrors.CallErr{
		Req:  req,
		Resp: resp,
		Err:  fmt.Errorf("http call(%s)(%s) error: reply status code was %d:\n%s", rawURL, method, status, body),
	}
}

func TestParse(t *testing.T) {
	tokenURL := "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
	tests := []struct {
		name       string
		err        error
		wantOK     bool
		code       string
		codes      []int
		status     int
		source     string
		suberror   string
		corr       string
		summaryHas string
	}{
		{"nil", nil, false, "", nil, 0, "", "", "", ""},
		{"plain error", errors.New("dial tcp: connection refused"), false, "", nil, 0, "", "", "", ""},
		{"CallErr with body", callErr("POST", tokenURL, 401, body7000218, false), true, "invalid_client", []int{7000218}, 401, SourceToken, "", "9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff", "AADSTS7000218: The request body"},
		{"poll error body already read", callErr("POST", tokenURL, 400, bodyDeclined, true), true, "authorization_declined", []int{70000}, 400, SourceToken, "", "", "declined"},
		{"wrapped CallErr", fmt.Errorf("acquiring token: %w", callErr("POST", tokenURL, 400, body700082, true)), true, "invalid_grant", []int{700082}, 400, SourceToken, "bad_token", "66666666-7777-8888-9999-000000000000", "expired due to inactivity"},
		{"pointer CallErr", func() error {
			ce := callErr("POST", tokenURL, 400, body50076, false).(msalerrors.CallErr)
			return &ce
		}(), true, "invalid_grant", []int{50076}, 400, SourceToken, "basic_action", "", "multi-factor"},
		{"devicecode endpoint", callErr("POST", "https://login.microsoftonline.com/t1/oauth2/v2.0/devicecode", 400, `{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.","error_codes":[700016]}`, true), true, "unauthorized_client", []int{700016}, 400, SourceDeviceCode, "", "", "AADSTS700016"},
		{"text only (wrapping lost the type)", fmt.Errorf("login failed: %v", callErr("POST", tokenURL, 400, bodyExpired, true)), true, "expired_token", []int{70020}, 400, SourceToken, "", "", "expired"},
		{"no AADSTS number", errors.New("http call(https://h/t/oauth2/v2.0/token)(POST) error: reply status code was 400:\n" + bodyNoNumber), true, "bad_verification_code", nil, 400, SourceToken, "", "", "not valid"},
		{"discovery, free text", errors.New("unable to resolve an endpoint: http call(https://login.microsoftonline.com/nope/v2.0/.well-known/openid-configuration)(GET) error: reply status code was 400:\n{\"error\":\"invalid_tenant\",\"error_description\":\"AADSTS90002: Tenant 'nope' not found.\",\"error_codes\":[90002]}"), true, "invalid_tenant", []int{90002}, 400, SourceDiscovery, "", "", "Tenant 'nope'"},
		{"number in free text", errors.New("something: AADSTS53003: Access has been blocked by Conditional Access policies.\nmore"), true, "", []int{53003}, 0, SourceToken, "", "", "AADSTS53003: Access has been blocked"},
		{"body not JSON, no number", errors.New("http call(https://h/t/token)(POST) error: reply status code was 502:\n<html>bad gateway</html>"), false, "", nil, 0, "", "", "", ""},
		{"already an *Error", fmt.Errorf("x: %w", &Error{Code: "access_denied", Codes: []int{65004}, Source: SourceRedirect}), true, "access_denied", []int{65004}, 0, SourceRedirect, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := Parse(tt.err)
			if ok != tt.wantOK {
				t.Fatalf("Parse ok = %v, want %v (e=%+v)", ok, tt.wantOK, e)
			}
			if !ok {
				if e != nil {
					t.Fatalf("Parse returned %+v with ok=false", e)
				}
				return
			}
			if e.Code != tt.code {
				t.Errorf("Code = %q, want %q", e.Code, tt.code)
			}
			if !reflect.DeepEqual(e.Codes, tt.codes) {
				t.Errorf("Codes = %v, want %v", e.Codes, tt.codes)
			}
			if e.HTTPStatus != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", e.HTTPStatus, tt.status)
			}
			if e.Source != tt.source {
				t.Errorf("Source = %q, want %q", e.Source, tt.source)
			}
			if e.Suberror != tt.suberror {
				t.Errorf("Suberror = %q, want %q", e.Suberror, tt.suberror)
			}
			if e.CorrelationID != tt.corr {
				t.Errorf("CorrelationID = %q, want %q", e.CorrelationID, tt.corr)
			}
			if !strings.Contains(e.Summary(), tt.summaryHas) {
				t.Errorf("Summary = %q, want it to contain %q", e.Summary(), tt.summaryHas)
			}
			if strings.ContainsAny(e.Error(), "\r\n") {
				t.Errorf("Error() is not one line: %q", e.Error())
			}
		})
	}
}

func TestParseLeavesBodyReadable(t *testing.T) {
	// The body is only consulted when the message has no JSON; make the
	// message carry none so that Parse must read the body.
	req, _ := http.NewRequest("POST", "https://h/t/oauth2/v2.0/token", nil)
	resp := &http.Response{StatusCode: 401, Body: io.NopCloser(strings.NewReader(body7000218))}
	err := msalerrors.CallErr{Req: req, Resp: resp, Err: errors.New("http call failed")}
	e, ok := Parse(err)
	if !ok || e.AADSTS() != 7000218 || e.HTTPStatus != 401 {
		t.Fatalf("Parse = %+v, %v", e, ok)
	}
	rest, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(rest, []byte(body7000218)) {
		t.Fatalf("body after Parse = %q, want it intact", rest)
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		wantOK bool
		code   string
		codes  []int
		trace  string
	}{
		{"7000218", body7000218, 401, true, "invalid_client", []int{7000218}, "0a1b2c3d-1111-2222-3333-444455556666"},
		{"no fields but description ids", `{"error":"invalid_request","error_description":"AADSTS9002313: Invalid request. Request is malformed or invalid.\r\nTrace ID: abcdef01-0000-0000-0000-000000000000\r\nCorrelation ID: 12345678-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-28 10:00:00Z"}`, 400, true, "invalid_request", []int{9002313}, "abcdef01-0000-0000-0000-000000000000"},
		{"empty object", `{}`, 400, false, "", nil, ""},
		{"JSON array", `[1,2]`, 400, false, "", nil, ""},
		{"HTML page with number", `<html><body>AADSTS50011: The redirect URI 'http://localhost:53000' does not match</body></html>`, 400, true, "", []int{50011}, ""},
		{"garbage", "\x00\x01not json", 500, false, "", nil, ""},
		{"bad error value dropped", `{"error":"<script>alert(1)</script>","error_codes":[50020]}`, 400, true, "", []int{50020}, ""},
		{"negative and huge codes ignored", `{"error":"x","error_codes":[-1, 99999999999999999999]}`, 400, true, "x", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := ParseBody([]byte(tt.body), tt.status)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.wantOK, e)
			}
			if !ok {
				return
			}
			if e.Code != tt.code || !reflect.DeepEqual(e.Codes, tt.codes) || e.TraceID != tt.trace || e.HTTPStatus != tt.status {
				t.Fatalf("got code=%q codes=%v trace=%q status=%d; want %q %v %q %d", e.Code, e.Codes, e.TraceID, e.HTTPStatus, tt.code, tt.codes, tt.trace, tt.status)
			}
		})
	}
}

func TestFromRedirect(t *testing.T) {
	tests := []struct {
		name  string
		query string
		nil_  bool
		code  string
		codes []int
		corr  string
	}{
		{"no error", "code=abc&state=s", true, "", nil, ""},
		{"consent declined", "error=access_denied&error_description=AADSTS65004%3a+User+declined+to+consent+to+access+the+app.%0d%0aTrace+ID%3a+aaaaaaaa-0000-0000-0000-000000000000%0d%0aCorrelation+ID%3a+bbbbbbbb-0000-0000-0000-000000000000&state=s", false, "access_denied", []int{65004}, "bbbbbbbb-0000-0000-0000-000000000000"},
		{"number from error_uri", "error=invalid_request&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D50011", false, "invalid_request", []int{50011}, ""},
		{"no description", "error=server_error", false, "server_error", nil, ""},
		{"hostile error value", "error=%3Cscript%3E&error_description=x", false, "invalid_response", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			e := FromRedirect(v)
			if tt.nil_ {
				if e != nil {
					t.Fatalf("want nil, got %+v", e)
				}
				return
			}
			if e == nil {
				t.Fatal("got nil")
			}
			if e.Code != tt.code || !reflect.DeepEqual(e.Codes, tt.codes) || e.CorrelationID != tt.corr || e.Source != SourceRedirect {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestErrorOneLineNoTokens(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	e, ok := ParseBody([]byte(`{"error":"invalid_grant","error_description":"AADSTS9002313: bad token `+jwt+`\r\nTrace ID: x","error_codes":[9002313]}`), 400)
	if !ok {
		t.Fatal("not parsed")
	}
	line := e.Error()
	if strings.Contains(line, jwt) || strings.Contains(e.Description, "eyJhbGci") {
		t.Fatalf("token leaked: %q", line)
	}
	if strings.ContainsAny(line, "\r\n") {
		t.Fatalf("not one line: %q", line)
	}
	want := "entra id (token): invalid_grant: AADSTS9002313: bad token [redacted]"
	if line != want {
		t.Fatalf("Error() = %q, want %q", line, want)
	}
	e2 := &Error{Code: "access_denied", Codes: []int{65004}, Source: SourceRedirect}
	if got, want := e2.Error(), "entra id (redirect): AADSTS65004 access_denied"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestCleanDropsControls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\x1b[31mred\x1b[0m", "a\ufffd[31mred\ufffd[0m"},
		{"evil\u202egnp.exe", "evil\ufffdgnp.exe"},
		{"x\u2066y\u2069z", "x\ufffdy\ufffdz"},
		{"line1\r\nline2", "line1\nline2"},
		{"forged\rline", "forged line"},
		{"osc52\x1b]52;c;aGk=\x07", "osc52\ufffd]52;c;aGk=\ufffd"},
		{"  padded  ", "padded"},
		{strings.Repeat("é", 600), strings.Repeat("é", 512) + "…"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPatternsCompile compiles every lazily compiled pattern, which the
// package no longer does when it starts.
func TestPatternsCompile(t *testing.T) {
	for name, re := range map[string]func() *regexp.Regexp{
		"aadsts": aadstsRe, "status": statusRe, "callURL": callURLRe, "jwt": jwtRe,
		"errorValue": errorValueRe, "trace": traceRe, "correlation": correlationRe, "timestamp": timestampRe,
	} {
		first := re()
		if first == nil || re() != first {
			t.Errorf("%s: not one compiled pattern", name)
		}
	}
}

// TestParseBodyErrorPage: Entra's sign-in error page (what a GET of the
// authorize URL answers for an unknown app or redirect URI) gives the code
// and Entra's sentence, from the page's text or the JSON string of its
// script, with the escapes undone and nothing unsafe kept.
func TestParseBodyErrorPage(t *testing.T) {
	tests := []struct {
		name, body string
		code       int
		desc       string
	}{
		{"text of the page", `<p class="err">AADSTS50011: The redirect URI &#39;http://localhost:53000&#39; does not match.</p>`, 50011,
			"AADSTS50011: The redirect URI 'http://localhost:53000' does not match."},
		{"script JSON", `<script>$Config={"iErrorCode":700016,"strServiceExceptionMessage":"AADSTS700016: Application with identifier \u0027abc\u0027 was not found in the directory \u0027contoso\u0027.","x":1};</script>`, 700016,
			"AADSTS700016: Application with identifier 'abc' was not found in the directory 'contoso'."},
		{"escape sequences", "<p>AADSTS90002: Tenant \x1b]52;c;aGk=\x07x not found</p>", 90002, "AADSTS90002: Tenant \ufffd]52;c;aGk=\ufffdx not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := ParseBody([]byte(tt.body), 400)
			if !ok || e.AADSTS() != tt.code || e.Description != tt.desc {
				t.Fatalf("got %+v, %v; want code %d, description %q", e, ok, tt.code, tt.desc)
			}
		})
	}
}

func TestResource(t *testing.T) {
	tests := []struct{ desc, want string }{
		{"AADSTS500011: The resource principal named https://graph.microsoft.com was not found in the tenant named contoso. This can happen …", "https://graph.microsoft.com"},
		{"AADSTS500011: The resource principal named https://westeurope-1.cognitedata.com/ was not found in the tenant named x.", "https://westeurope-1.cognitedata.com"},
		{"AADSTS650057: Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: 1. Resource value from request: https://api.example. Resource app ID: 2.", "https://api.example"},
		{"AADSTS65001: The user or administrator has not consented to use the application with ID 'x' named 'y'. (resource https://127.0.0.1:8443)", "https://127.0.0.1:8443"},
		{"AADSTS65001: The user or administrator has not consented to use the application.", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (&Error{Description: tt.desc}).Resource(); got != tt.want {
			t.Errorf("Resource(%q) = %q, want %q", tt.desc, got, tt.want)
		}
	}
}

package aadsts

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// checkError holds for every *Error the parsers return.
func checkError(t *testing.T, e *Error) {
	t.Helper()
	line := e.Error()
	if strings.ContainsAny(line, "\r\n") {
		t.Fatalf("Error() not one line: %q", line)
	}
	if e.Code != "" && !errorValueRe().MatchString(e.Code) {
		t.Fatalf("unsanitised error value %q", e.Code)
	}
	for _, n := range e.Codes {
		if n <= 0 {
			t.Fatalf("non-positive code %d", n)
		}
	}
	if !textsafe.Safe(line) || textsafe.Block(e.Description) != e.Description {
		t.Fatalf("unsafe text kept: %q / %q", line, e.Description)
	}
	if jwtRe().MatchString(e.Description) || jwtRe().MatchString(line) {
		t.Fatalf("token-shaped text kept: %q", e.Description)
	}
	if utf8.ValidString(e.Description) && len(e.Description) > maxText+len("…") {
		t.Fatalf("description too long: %d", len(e.Description))
	}
	// Explanations never panic and never leave placeholders.
	x := Explain(e, fullCtx)
	if placeholderRe.MatchString(x.Fix) || placeholderRe.MatchString(x.Cause) {
		t.Fatalf("placeholder left: %+v", x)
	}
	_ = x.String()
}

func FuzzParseBody(f *testing.F) {
	for _, s := range []string{body7000218, body700082, body50076, bodyDeclined, bodyExpired, bodyNoNumber, `{}`, `<html>AADSTS50011</html>`, `{"error_codes":["1"]}`} {
		f.Add([]byte(s), 400)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		e, ok := ParseBody(body, status)
		if ok != (e != nil) {
			t.Fatalf("ok=%v e=%v", ok, e)
		}
		if ok {
			checkError(t, e)
			if e.HTTPStatus != status {
				t.Fatalf("status %d, want %d", e.HTTPStatus, status)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"http call(https://h/t/oauth2/v2.0/token)(POST) error: reply status code was 400:\n" + body700082,
		"http call(https://h/t/oauth2/v2.0/devicecode)(POST) error: reply status code was 400:\n" + bodyDeclined,
		"failed: AADSTS53003: blocked\nx",
		"unable to resolve: http call(https://h/t/v2.0/.well-known/openid-configuration)(GET) error: reply status code was 400:\n{\"error\":\"invalid_tenant\",\"error_codes\":[90002]}",
		"no newline",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, ok := Parse(errors.New(text))
		if ok != (e != nil) {
			t.Fatalf("ok=%v e=%v", ok, e)
		}
		if ok {
			checkError(t, e)
		}
	})
}

func FuzzFromRedirect(f *testing.F) {
	for _, s := range []string{
		"error=access_denied&error_description=AADSTS65004%3a+User+declined&state=s",
		"error=invalid_request&error_uri=https%3A%2F%2Flogin.microsoftonline.com%2Ferror%3Fcode%3D50011",
		"code=abc&state=s",
		"error=%3Cscript%3E",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		e := FromRedirect(v)
		if (e == nil) != (v.Get("error") == "") {
			t.Fatalf("FromRedirect(%v) = %v", v, e)
		}
		if e != nil {
			checkError(t, e)
			if e.Source != SourceRedirect {
				t.Fatalf("Source %q", e.Source)
			}
		}
	})
}

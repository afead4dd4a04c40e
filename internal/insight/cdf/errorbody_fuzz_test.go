package cdf

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzErrorBody: any error answer (content type and body) is classified
// without panicking; markup is only ever named, never quoted, and the
// one-line excerpt of anything else is short and free of control
// characters.
func FuzzErrorBody(f *testing.F) {
	f.Add("text/html; charset=utf-8", []byte("<html><body>Bad gateway</body></html>"))
	f.Add("", []byte("\ufeff <!DOCTYPE html><p>x</p>"))
	f.Add("text/plain", []byte("upstream request timeout\x1b[31m\r\n"))
	f.Add("application/json", []byte(`{"error":{"code":500,"message":"x"}}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		kind := notJSONKind(contentType, body)
		switch kind {
		case "", "an HTML page", "an XML document":
		default:
			t.Fatalf("unknown kind %q", kind)
		}
		if kind != "" {
			e := &Error{Method: "GET", Path: "/p", Status: 502, NotJSON: kind, RequestID: "r"}
			if strings.ContainsAny(e.Error(), "<>") {
				t.Fatalf("markup in the message: %q", e.Error())
			}
			if len(bytes.TrimSpace(body)) == 0 {
				t.Fatalf("an empty body named %q", kind)
			}
			return
		}
		s := snippet(body)
		if n := utf8.RuneCountInString(s); n > 161 {
			t.Fatalf("excerpt of %d runes", n)
		}
		for _, r := range s {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, s)
			}
		}
	})
}

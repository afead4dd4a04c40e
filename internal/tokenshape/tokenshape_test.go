package tokenshape

import (
	"errors"
	"strings"
	"testing"
)

func TestBearerAndJWT(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
	tests := []struct {
		token         string
		bearer, isJWT bool
	}{
		{jwt, true, true},
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.", true, true}, // unsigned
		{"opaque~token+/==", true, false},
		{"0.AXEA-refresh_token", true, false},
		{"x'`id>PWNED`.", false, false}, // issue 16, item 1
		{"a b", false, false},
		{"tok\x1b]52;c;aGk=\x07", false, false},
		{"", false, false},
		{"===", false, false},
		{"a=b", false, false},
		{"a.b.c.d.e", true, false},
		{"e30.e30.sig=", true, false},
		{strings.Repeat("a", MaxLen+1), false, false},
	}
	for _, tt := range tests {
		err := Bearer("access token", tt.token)
		if (err == nil) != tt.bearer {
			t.Errorf("Bearer(%.40q) = %v, want ok=%v", tt.token, err, tt.bearer)
		}
		if err != nil && (!errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "PWNED")) {
			t.Errorf("error %v: must wrap ErrMalformed and never quote the token", err)
		}
		if err := JWT("ID token", tt.token); (err == nil) != tt.isJWT {
			t.Errorf("JWT(%.40q) = %v, want ok=%v", tt.token, err, tt.isJWT)
		}
	}
}

// FuzzTokenShape: what Bearer accepts is inert everywhere cdflogin puts it:
// only b64token characters, so no quote, space, $, backtick, control or
// non-ASCII byte.
func FuzzTokenShape(f *testing.F) {
	f.Add("eyJ0eXAi.eyJzdWIi.sig")
	f.Add("x'`id>PWNED`.")
	f.Fuzz(func(t *testing.T, s string) {
		if Bearer("token", s) != nil {
			return
		}
		if strings.IndexFunc(s, func(r rune) bool {
			return !(r < 0x7f && b64tokenChar(byte(r)) || r == '=')
		}) >= 0 {
			t.Fatalf("accepted %q", s)
		}
		if i := strings.IndexByte(s, '='); i >= 0 && strings.Trim(s[i:], "=") != "" {
			t.Fatalf("accepted %q with = inside", s)
		}
	})
}

// Package tokenshape checks that a token from a server looks like one
// before cdflogin prints, caches or exports it: an access or refresh
// token must be an RFC 6750 b64token (so it is inert in a shell, a .env
// file, an HTTP header and a terminal), an ID token a JWT (three base64url
// parts). A token endpoint that answers with anything else is refused.
package tokenshape

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLen bounds a token: Entra's largest (200 groups) are under 16 KB.
const MaxLen = 64 << 10

// ErrMalformed is wrapped by every refusal.
var ErrMalformed = errors.New("not a well-formed token")

// b64tokenChar reports whether c may appear in an RFC 6750 b64token
// (before its trailing '=' padding).
func b64tokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// Bearer checks s against RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" /
// "." / "_" / "~" / "+" / "/" ) *"=". what names the token in the error,
// which never quotes it.
func Bearer(what, s string) error {
	if s == "" {
		return fmt.Errorf("%w: the %s is empty", ErrMalformed, what)
	}
	if len(s) > MaxLen {
		return fmt.Errorf("%w: the %s is %d bytes long (at most %d)", ErrMalformed, what, len(s), MaxLen)
	}
	body := strings.TrimRight(s, "=")
	if body == "" {
		return fmt.Errorf("%w: the %s is only padding", ErrMalformed, what)
	}
	for i := 0; i < len(body); i++ {
		if !b64tokenChar(body[i]) {
			return fmt.Errorf("%w: the %s has a character a bearer token cannot have (byte %d of %d is %s; RFC 6750 allows letters, digits, - . _ ~ + / and trailing =)", ErrMalformed, what, i+1, len(s), describe(body[i]))
		}
	}
	return nil
}

// describe names a byte without printing a control character.
func describe(c byte) string {
	if c >= 0x21 && c < 0x7f {
		return fmt.Sprintf("%q", string(c))
	}
	return fmt.Sprintf("0x%02x", c)
}

// JWT checks that s has the compact JWS shape: three dot-separated
// base64url parts, the first two non-empty, no padding.
func JWT(what, s string) error {
	if err := Bearer(what, s); err != nil {
		return err
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("%w: the %s is not a JWT (header.payload.signature)", ErrMalformed, what)
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("%w: the %s is not a JWT (its parts must be base64url)", ErrMalformed, what)
			}
		}
	}
	return nil
}

// Package httplog traces HTTP exchanges for --verbose and --debug-log with
// every secret, code, assertion and token redacted.
package httplog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces a secret value in a trace; the value's length is kept
// so that a trace still tells an empty field from a filled one.
func Redacted(value string) string {
	if value == "" {
		return ""
	}
	return fmt.Sprintf("REDACTED(%d)", len(value))
}

// secretFields are form fields, query parameters and JSON fields whose
// value is never traced.
var secretFields = map[string]bool{
	"client_secret":    true,
	"client_assertion": true,
	"assertion":        true,
	"code":             true,
	"code_verifier":    true,
	"refresh_token":    true,
	"access_token":     true,
	"id_token":         true,
	"device_code":      true,
	"password":         true,
	"secret":           true, // MSAL's serialized cache
}

// IsSecretField reports whether a form, query or JSON field holds a secret.
func IsSecretField(name string) bool { return secretFields[strings.ToLower(name)] }

// secretHeaders are never traced with their value.
var secretHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"X-Ms-Refresh-Token":  true,
}

// RedactHeader returns the header as trace lines ("Name: value"), sorted,
// with credential headers redacted. An Authorization header keeps its
// scheme ("Bearer REDACTED(1234)").
func RedactHeader(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var lines []string
	for _, name := range names {
		canon := http.CanonicalHeaderKey(name)
		for _, v := range h[name] {
			if secretHeaders[canon] {
				if scheme, rest, ok := strings.Cut(v, " "); ok && (canon == "Authorization" || canon == "Proxy-Authorization") {
					v = scheme + " " + Redacted(rest)
				} else {
					v = Redacted(v)
				}
			} else {
				v = RedactText(v)
			}
			lines = append(lines, canon+": "+v)
		}
	}
	return lines
}

// RedactURL returns the URL as text with secret query parameters and any
// user info redacted.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted(c.User.String()))
	}
	if c.RawQuery != "" {
		c.RawQuery = RedactForm(c.RawQuery)
	}
	if c.Fragment != "" {
		c.Fragment = RedactForm(c.Fragment)
		c.RawFragment = ""
	}
	return c.String()
}

// RedactForm redacts the secret fields of an application/x-www-form-urlencoded
// text. Field order is kept. Text that is not a valid form goes through
// RedactText.
func RedactForm(s string) string {
	parts := strings.Split(s, "&")
	for i, part := range parts {
		name, value, hasValue := strings.Cut(part, "=")
		key, err := url.QueryUnescape(name)
		if err != nil {
			return RedactText(s)
		}
		if !hasValue {
			continue
		}
		if IsSecretField(key) {
			plain, err := url.QueryUnescape(value)
			if err != nil {
				plain = value
			}
			parts[i] = name + "=" + url.QueryEscape(Redacted(plain))
			continue
		}
		parts[i] = name + "=" + RedactText(value)
	}
	return strings.Join(parts, "&")
}

// RedactJSON redacts the secret fields of a JSON document at any depth and
// any JWT-shaped string. Text that is not JSON goes through RedactText.
func RedactJSON(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return RedactText(string(b))
	}
	v = redactValue("", v)
	out, err := json.Marshal(v)
	if err != nil {
		return RedactText(string(b))
	}
	return string(out)
}

func redactValue(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = redactValue(k, e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = redactValue(key, e)
		}
		return x
	case string:
		if IsSecretField(key) {
			return Redacted(x)
		}
		return RedactText(x)
	default:
		return v
	}
}

// The patterns are compiled on first use: every cdflogin process links
// this package, few trace anything.
var (
	// jwtPattern matches a JWS/JWE compact serialisation (header.payload.sig).
	jwtPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*`)
	})
	// fieldPattern matches secret fields written as name=value, name: value
	// or "name":"value" in free text (error pages, odd content types).
	fieldPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)("?\b(?:client_secret|client_assertion|assertion|code_verifier|refresh_token|access_token|id_token|device_code|password|code|secret)"?\s*[=:]\s*"?)([^"&\s,;}]+)`)
	})
)

// RedactText redacts JWT-shaped strings and secret fields written as
// name=value or "name":"value" in free text.
func RedactText(s string) string {
	s = jwtPattern().ReplaceAllStringFunc(s, Redacted)
	return fieldPattern().ReplaceAllStringFunc(s, func(m string) string {
		sub := fieldPattern().FindStringSubmatch(m)
		return sub[1] + Redacted(sub[2])
	})
}

// RedactBody redacts a request or response body by its content type.
func RedactBody(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		return RedactForm(string(body))
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return RedactJSON(body)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return RedactJSON(body)
	}
	return RedactText(string(body))
}

// Package claims decodes Entra ID tokens (JWT header and payload, without
// verification), explains every claim a CDF user meets, checks a token
// against what a profile expects and reports the results as Findings, and
// verifies a token's signature against its issuer's published keys.
package claims

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/jsonlimit"
)

// ErrNotJWT means the text is not a JSON Web Token that can be read: an
// opaque token, an encrypted token, or something else entirely.
var ErrNotJWT = errors.New("not a readable JWT")

// DecodeError says why a token could not be decoded. It wraps ErrNotJWT.
type DecodeError struct {
	Reason string
}

// Error says the token cannot be read, and why.
func (e *DecodeError) Error() string { return "token is " + ErrNotJWT.Error() + ": " + e.Reason }

// Unwrap returns ErrNotJWT.
func (e *DecodeError) Unwrap() error { return ErrNotJWT }

// Claim is one named value of a token's header or payload, with its
// one-line meaning (empty when the claim is not in the catalogue).
type Claim struct {
	Name    string `json:"name"`
	Value   any    `json:"value"`
	Meaning string `json:"meaning,omitempty"`
	// Display is the value rendered for people (times as local time and
	// relative, arrays joined); filled by Explain only.
	Display string `json:"display,omitempty"`
}

// Token is a decoded JWT. It keeps the signed part so that its signature
// can be verified, but never prints it.
type Token struct {
	header  []Claim
	claims  []Claim
	index   map[string]int
	signing string // header.payload, for signature verification
	sig     []byte
}

// maxTokenLen bounds the input: Entra tokens are a few KiB; anything far
// beyond is not a token.
const maxTokenLen = 1 << 20

// maxNesting bounds how deeply a token's header and payload may nest:
// Entra's nest three levels at most (_claim_sources); a token nesting
// thousands deep would only make every later step slow.
const maxNesting = 32

// Decode reads a JWT's header and payload without verifying anything. A
// leading "Bearer " and surrounding white space are ignored. Opaque and
// encrypted tokens give a *DecodeError that says what they are.
func Decode(raw string) (*Token, error) {
	s := strings.TrimSpace(raw)
	if len(s) >= 6 && strings.EqualFold(s[:6], "bearer") && (len(s) == 6 || s[6] == ' ' || s[6] == '\t') {
		s = strings.TrimSpace(s[6:])
	}
	switch {
	case s == "":
		return nil, &DecodeError{Reason: "the input is empty"}
	case len(s) > maxTokenLen:
		return nil, &DecodeError{Reason: fmt.Sprintf("the input is %d bytes, far longer than any token", len(s))}
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, &DecodeError{Reason: "it has 5 parts, so it is an encrypted token (JWE); only its audience can read it"}
	case 1:
		return nil, &DecodeError{Reason: "it has no dots, so it is an opaque token (e.g. a refresh token, or a token issued for a personal Microsoft account or a Microsoft first-party API); CDF needs a JWT issued for its own audience"}
	default:
		return nil, &DecodeError{Reason: fmt.Sprintf("it has %d dot-separated parts; a JWT has 3 (header.payload.signature)", len(parts))}
	}
	hdrJSON, err := b64(parts[0])
	if err != nil {
		return nil, &DecodeError{Reason: "its header is not base64url: " + err.Error()}
	}
	payJSON, err := b64(parts[1])
	if err != nil {
		return nil, &DecodeError{Reason: "its payload is not base64url: " + err.Error()}
	}
	sig, err := b64(parts[2])
	if err != nil {
		return nil, &DecodeError{Reason: "its signature is not base64url: " + err.Error()}
	}
	if err := jsonlimit.Check("its header", hdrJSON, maxNesting, 0); err != nil {
		return nil, &DecodeError{Reason: err.Error()}
	}
	if err := jsonlimit.Check("its payload", payJSON, maxNesting, 0); err != nil {
		return nil, &DecodeError{Reason: err.Error()}
	}
	hdr, err := orderedObject(hdrJSON)
	if err != nil {
		return nil, &DecodeError{Reason: "its header is not a JSON object: " + err.Error()}
	}
	pay, err := orderedObject(payJSON)
	if err != nil {
		return nil, &DecodeError{Reason: "its payload is not a JSON object: " + err.Error()}
	}
	t := &Token{header: hdr, claims: pay, index: map[string]int{}, signing: parts[0] + "." + parts[1], sig: sig}
	for i := range t.header {
		t.header[i].Meaning = HeaderMeaning(t.header[i].Name)
	}
	for i := range t.claims {
		t.claims[i].Meaning = Meaning(t.claims[i].Name)
		t.index[t.claims[i].Name] = i
	}
	if !t.Has("tid") && (t.Has("token_use") || t.Has("client_id") || t.Has("scope")) {
		// Not an Entra token (no tenant; Cognito's or another OpenID
		// provider's claims): the claims Entra shares with them are
		// explained without Entra.
		for i := range t.claims {
			if m, ok := providerMeanings[t.claims[i].Name]; ok {
				t.claims[i].Meaning = m
			}
		}
		for i := range t.header {
			if t.header[i].Name == "alg" {
				t.header[i].Meaning = "Signing algorithm"
			}
		}
	}
	return t, nil
}

// b64 decodes base64url with or without padding (some libraries pad).
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// orderedObject decodes a JSON object keeping its keys in order. A
// repeated key keeps its first position and its last value, as most JWT
// libraries read it.
func orderedObject(data []byte) ([]Claim, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected an object")
	}
	var out []Claim
	seen := map[string]int{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := kt.(string)
		if !ok {
			return nil, errors.New("expected a key")
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		if i, dup := seen[key]; dup {
			out[i].Value = v
			continue
		}
		seen[key] = len(out)
		out = append(out, Claim{Name: key, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the object")
	}
	return out, nil
}

// Header returns the token's header fields in order, with meanings.
func (t *Token) Header() []Claim { return append([]Claim(nil), t.header...) }

// Claims returns the payload's claims in token order, with meanings.
func (t *Token) Claims() []Claim { return append([]Claim(nil), t.claims...) }

// Explain returns the claims with Display filled in: times in loc and
// relative to now, lists joined, objects as compact JSON.
func (t *Token) Explain(now time.Time, loc *time.Location) []Claim {
	out := t.Claims()
	for i := range out {
		out[i].Display = FormatValue(out[i].Name, out[i].Value, now, loc)
	}
	return out
}

// Get returns a claim's value.
func (t *Token) Get(name string) (any, bool) {
	i, ok := t.index[name]
	if !ok {
		return nil, false
	}
	return t.claims[i].Value, true
}

// Has reports whether the payload has the claim.
func (t *Token) Has(name string) bool { _, ok := t.index[name]; return ok }

// String returns a string claim, or "" when absent or not a string.
func (t *Token) String(name string) string {
	v, _ := t.Get(name)
	s, _ := v.(string)
	return s
}

// HeaderString returns a string header field, or "".
func (t *Token) HeaderString(name string) string {
	for _, h := range t.header {
		if h.Name == name {
			s, _ := h.Value.(string)
			return s
		}
	}
	return ""
}

// Strings returns a claim as a list of strings: a JSON array of strings,
// or a single space-separated string (as scp is). Other types give nil.
func (t *Token) Strings(name string) []string {
	v, ok := t.Get(name)
	if !ok {
		return nil
	}
	return StringList(v)
}

// StringList reads a claim value as a list of strings, as Token.Strings
// does: a JSON array's strings, or a space-separated string's words.
func StringList(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Time returns a NumericDate claim (seconds since 1970) as a time.
func (t *Token) Time(name string) (time.Time, bool) {
	v, ok := t.Get(name)
	if !ok {
		return time.Time{}, false
	}
	return NumericDate(v)
}

// NumericDate reads a claim value as a NumericDate (seconds since 1970,
// as a number or a string of digits), as Token.Time does.
func NumericDate(v any) (time.Time, bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return time.Time{}, false
		}
		f = n
	case float64:
		f = x
	case string: // some issuers send strings; accept digits only
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		f = float64(n)
	default:
		return time.Time{}, false
	}
	// Beyond year 9999 or before 1970 is not a token time.
	if f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
}

// Audience returns aud as a list (it may be a string or an array).
func (t *Token) Audience() []string { return t.Strings("aud") }

// Scopes returns the delegated scopes (scp).
func (t *Token) Scopes() []string {
	if !t.Has("scp") && t.Has("scope") {
		// Amazon Cognito and most OpenID providers: scope, space-separated.
		return t.Strings("scope")
	}
	return t.Strings("scp")
}

// GroupsIn returns the groups of the named claim (groups, cognito:groups,
// or a provider's own, as the profile's groups_claim says).
func (t *Token) GroupsIn(claim string) []string { return t.Strings(claim) }

// Roles returns the app roles (roles).
func (t *Token) Roles() []string { return t.Strings("roles") }

// Groups returns the group object IDs of the groups claim.
func (t *Token) Groups() []string { return t.Strings("groups") }

// TenantID returns tid.
func (t *Token) TenantID() string { return t.String("tid") }

// Issuer returns iss.
func (t *Token) Issuer() string { return t.String("iss") }

// Version returns ver ("1.0" or "2.0"), or "" when absent.
func (t *Token) Version() string { return t.String("ver") }

// ClientID returns the app that asked for the token: azp (v2) or appid (v1).
func (t *Token) ClientID() string {
	if s := t.String("azp"); s != "" {
		return s
	}
	if s := t.String("appid"); s != "" {
		return s
	}
	return t.String("client_id") // Amazon Cognito, RFC 9068
}

// Username returns the best person-readable name of the signed-in user:
// preferred_username, upn, unique_name or email; "" for app tokens.
func (t *Token) Username() string {
	for _, n := range []string{"preferred_username", "upn", "unique_name", "email", "username", "cognito:username"} {
		if s := t.String(n); s != "" {
			return s
		}
	}
	return ""
}

// Subject is who the token is for: the username, else the oid, else sub.
func (t *Token) Subject() string {
	if u := t.Username(); u != "" {
		return u
	}
	if s := t.String("oid"); s != "" {
		return s
	}
	return t.String("sub")
}

// IsApp reports whether the token is an application (client credentials)
// token rather than a user's: idtyp "app" when present, otherwise no scp
// and no user name.
func (t *Token) IsApp() bool {
	switch t.String("idtyp") {
	case "app":
		return true
	case "user":
		return false
	}
	return !t.Has("scp") && t.Username() == ""
}

// Expiry returns exp.
func (t *Token) Expiry() (time.Time, bool) { return t.Time("exp") }

// GroupsOverage reports whether Entra left the groups out because the
// subject is in too many (hasgroups, or _claim_names naming groups).
func (t *Token) GroupsOverage() bool {
	if v, ok := t.Get("hasgroups"); ok {
		if b, ok := v.(bool); ok && b {
			return true
		}
		if s, ok := v.(string); ok && strings.EqualFold(s, "true") {
			return true
		}
	}
	if v, ok := t.Get("_claim_names"); ok {
		if m, ok := v.(map[string]any); ok {
			if _, ok := m["groups"]; ok {
				return true
			}
		}
	}
	return false
}

// PayloadJSON returns the payload as indented JSON (claims in token order).
// It is safe to print: a token's payload holds no secret, only the
// signature makes the token usable, and it is not included.
func (t *Token) PayloadJSON() []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for i, c := range t.claims {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		k, _ := json.Marshal(c.Name)
		v, _ := json.Marshal(c.Value)
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

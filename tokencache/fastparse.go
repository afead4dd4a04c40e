package tokencache

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// parseFast reads a cache written the way MSAL writes it (objects of
// objects of plain strings) in one pass over data, for the warm
// `cdflogin token`, which reads the cache on every call. encoding/json
// walks the bytes again for each of Parse's levels: the document, each
// section and each entry, and checks the bytes before each walk.
//
// ok is false, and the result must not be used, for anything outside that
// shape: escapes in strings, numbers, null, arrays, nested values in an
// entry, invalid UTF-8, keys that match a field only without regard to
// case, invalid JSON. Parse then decodes data with encoding/json, so the
// answer for every input stays the one encoding/json gives; FuzzParseFast
// holds the two to that.
func parseFast(data []byte) (c *Contents, ok bool) {
	p := &fastParser{data: data}
	c = &Contents{}
	p.ws()
	if !p.consume('{') {
		return nil, false
	}
	p.ws()
	if p.consume('}') {
		return c, p.end()
	}
	for {
		key, ok := p.str()
		if !ok {
			return nil, false
		}
		p.ws()
		if !p.consume(':') {
			return nil, false
		}
		p.ws()
		// A repeated section replaces the earlier one, as in a map.
		switch string(key) {
		case "AccessToken":
			c.AccessTokens, ok = fastSection(p, accessTokenField)
		case "IdToken":
			c.IDTokens, ok = fastSection(p, idTokenField)
		case "Account":
			c.Accounts, ok = fastSection(p, accountField)
		case "RefreshToken":
			var rts []fastRefreshToken
			rts, ok = fastSection(p, refreshTokenField)
			c.RefreshTokens = nil
			for _, r := range rts {
				r.RefreshToken.HasSecret = r.secret != ""
				c.RefreshTokens = append(c.RefreshTokens, r.RefreshToken)
			}
		default:
			ok = p.skip(0)
		}
		if !ok {
			return nil, false
		}
		p.ws()
		if p.consume('}') {
			return c, p.end()
		}
		if !p.consume(',') {
			return nil, false
		}
		p.ws()
	}
}

// isPlainObject reports whether data is a JSON object of the shape
// parseFast reads (objects of strings without escapes). false says nothing:
// data may still be valid JSON.
func isPlainObject(data []byte) bool {
	p := &fastParser{data: data}
	p.ws()
	return p.peek('{') && p.skip(0) && p.end()
}

// fastParser walks data; i is the next byte.
type fastParser struct {
	data []byte
	i    int
}

func (p *fastParser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) consume(c byte) bool {
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) peek(c byte) bool { return p.i < len(p.data) && p.data[p.i] == c }

// end reports whether only white space is left.
func (p *fastParser) end() bool {
	p.ws()
	return p.i == len(p.data)
}

// str reads a string without escapes and returns its bytes (unquoted, a
// part of data). ok is false at anything else, and for invalid UTF-8
// (which encoding/json would replace).
func (p *fastParser) str() (s []byte, ok bool) {
	if !p.consume('"') {
		return nil, false
	}
	start := p.i
	ascii := true
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			s = p.data[start:p.i]
			p.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return nil, false
}

// skip passes over a value of a section cdflogin does not read: a string,
// or an object of such values.
func (p *fastParser) skip(depth int) bool {
	if p.peek('"') {
		_, ok := p.str()
		return ok
	}
	if depth > 32 || !p.consume('{') {
		return false
	}
	p.ws()
	if p.consume('}') {
		return true
	}
	for {
		if _, ok := p.str(); !ok {
			return false
		}
		p.ws()
		if !p.consume(':') {
			return false
		}
		p.ws()
		if !p.skip(depth + 1) {
			return false
		}
		p.ws()
		if p.consume('}') {
			return true
		}
		if !p.consume(',') {
			return false
		}
		p.ws()
	}
}

// fieldSetter stores one string field of an entry; raw is the value with
// its quotes. known is false for a name that is not exactly a field of T.
type fieldSetter[T any] func(v *T, name string, raw []byte) (known bool)

// fastSection reads a section: an object of entries, each an object of
// string fields. Entries come out in key order; a repeated key keeps its
// last entry, as encoding/json does with a map.
func fastSection[T any](p *fastParser, set fieldSetter[T]) ([]T, bool) {
	if !p.consume('{') {
		return nil, false
	}
	type keyed struct {
		key string
		v   T
	}
	var entries []keyed
	p.ws()
	if !p.consume('}') {
		for {
			key, ok := p.str()
			if !ok {
				return nil, false
			}
			p.ws()
			if !p.consume(':') {
				return nil, false
			}
			p.ws()
			v, ok := fastEntry(p, set)
			if !ok {
				return nil, false
			}
			entries = append(entries, keyed{string(key), v})
			p.ws()
			if p.consume('}') {
				break
			}
			if !p.consume(',') {
				return nil, false
			}
			p.ws()
		}
	}
	// Stable: of entries with one key, the last stays last.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := make([]T, 0, len(entries))
	for i, e := range entries {
		if i+1 < len(entries) && entries[i+1].key == e.key {
			continue
		}
		out = append(out, e.v)
	}
	return out, true
}

// fastEntry reads one entry: an object of string fields.
func fastEntry[T any](p *fastParser, set fieldSetter[T]) (T, bool) {
	var v T
	if !p.consume('{') {
		return v, false
	}
	p.ws()
	if p.consume('}') {
		return v, true
	}
	for {
		name, ok := p.str()
		if !ok {
			return v, false
		}
		p.ws()
		if !p.consume(':') {
			return v, false
		}
		p.ws()
		start := p.i
		if _, ok := p.str(); !ok {
			return v, false
		}
		if !set(&v, string(name), p.data[start:p.i]) && !ignorable(string(name), set) {
			return v, false
		}
		p.ws()
		if p.consume('}') {
			return v, true
		}
		if !p.consume(',') {
			return v, false
		}
		p.ws()
	}
}

// ignorable reports whether encoding/json ignores a member name that is not
// exactly one of T's fields: it does unless the name matches a field
// without regard to case (ASCII here; other names are not ignorable, to
// leave Unicode case folding to encoding/json).
func ignorable[T any](name string, set fieldSetter[T]) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return false
		}
	}
	var probe T
	lower := strings.ToLower(name)
	// A name is a field without regard to case if its lower-case form is
	// one (every field name here is lower case).
	return lower == name || !set(&probe, lower, []byte(`""`))
}

// unquote is a string value's text; raw holds no escapes.
func unquote(raw []byte) string { return string(raw[1 : len(raw)-1]) }

func accessTokenField(v *AccessToken, name string, raw []byte) bool {
	switch name {
	case "home_account_id":
		v.HomeAccountID = unquote(raw)
	case "environment":
		v.Environment = unquote(raw)
	case "realm":
		v.Realm = unquote(raw)
	case "client_id":
		v.ClientID = unquote(raw)
	case "secret":
		v.Secret = unquote(raw)
	case "target":
		v.Target = unquote(raw)
	case "token_type":
		v.TokenType = unquote(raw)
	case "keyid":
		v.KeyID = unquote(raw)
	case "ext_cache_key":
		v.ExtCacheKey = unquote(raw)
	case "expires_on":
		_ = v.ExpiresOn.UnmarshalJSON(raw)
	case "cached_at":
		_ = v.CachedAt.UnmarshalJSON(raw)
	case "refresh_on":
		_ = v.RefreshOn.UnmarshalJSON(raw)
	default:
		return false
	}
	return true
}

func idTokenField(v *IDToken, name string, raw []byte) bool {
	switch name {
	case "home_account_id":
		v.HomeAccountID = unquote(raw)
	case "environment":
		v.Environment = unquote(raw)
	case "realm":
		v.Realm = unquote(raw)
	case "client_id":
		v.ClientID = unquote(raw)
	case "secret":
		v.Secret = unquote(raw)
	default:
		return false
	}
	return true
}

func accountField(v *Account, name string, raw []byte) bool {
	switch name {
	case "home_account_id":
		v.HomeAccountID = unquote(raw)
	case "environment":
		v.Environment = unquote(raw)
	case "realm":
		v.Realm = unquote(raw)
	case "local_account_id":
		v.LocalAccountID = unquote(raw)
	case "username":
		v.Username = unquote(raw)
	case "name":
		v.Name = unquote(raw)
	default:
		return false
	}
	return true
}

// fastRefreshToken is a refresh token entry with its secret, whose presence
// sets HasSecret.
type fastRefreshToken struct {
	RefreshToken
	secret string
}

func refreshTokenField(v *fastRefreshToken, name string, raw []byte) bool {
	switch name {
	case "home_account_id":
		v.HomeAccountID = unquote(raw)
	case "environment":
		v.Environment = unquote(raw)
	case "client_id":
		v.ClientID = unquote(raw)
	case "family_id":
		v.FamilyID = unquote(raw)
	case "secret":
		v.secret = unquote(raw)
	default:
		return false
	}
	return true
}

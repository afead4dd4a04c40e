package tokencache

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// parseFast reads a cache written the way MSAL writes it in one pass over
// data, for the warm `cdflogin token`, which reads the cache on every call.
// encoding/json walks the bytes again for each of Parse's levels: the
// document, each section and each entry, and checks the bytes before each
// walk.
//
// ok is false, and the result must not be used, for anything outside that
// shape: a field cdflogin reads that is not a string without escapes, an
// entry that is not an object, keys with escapes or invalid UTF-8, a
// member name that matches a field only without regard to case, invalid
// JSON. Parse then decodes data with encoding/json, so the answer for
// every input stays the one encoding/json gives; FuzzParseFast holds the
// two to that.
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

// isPlainObject reports whether data is a JSON object nested at most 32
// deep, checked in one pass without building anything. false says nothing:
// data may still be a JSON object.
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

// skip passes over any JSON value, checked as encoding/json checks it, up
// to a nesting depth of 32.
func (p *fastParser) skip(depth int) bool {
	if p.i >= len(p.data) || depth > 32 {
		return false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		return p.skipString()
	case c == '{':
		return p.skipSequence('}', depth, func() bool {
			if !p.skipString() {
				return false
			}
			p.ws()
			if !p.consume(':') {
				return false
			}
			p.ws()
			return p.skip(depth + 1)
		})
	case c == '[':
		return p.skipSequence(']', depth, func() bool { return p.skip(depth + 1) })
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return false
}

// skipSequence passes over an object or array, whose opening byte is next,
// calling member for each member.
func (p *fastParser) skipSequence(closing byte, depth int, member func() bool) bool {
	p.i++
	p.ws()
	if p.consume(closing) {
		return true
	}
	for {
		if !member() {
			return false
		}
		p.ws()
		if p.consume(closing) {
			return true
		}
		if !p.consume(',') {
			return false
		}
		p.ws()
	}
}

// skipString passes over a string, escapes included.
func (p *fastParser) skipString() bool {
	if !p.consume('"') {
		return false
	}
	for p.i < len(p.data) {
		switch c := p.data[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return false
			}
			switch p.data[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.data) {
					return false
				}
				for _, h := range p.data[p.i+2 : p.i+6] {
					if !isHexDigit(h) {
						return false
					}
				}
				p.i += 6
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literal passes over true, false or null.
func (p *fastParser) literal(word string) bool {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

// number passes over a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastParser) number() bool {
	p.consume('-')
	switch {
	case p.consume('0'):
	case p.digits() == 0:
		return false
	}
	if p.consume('.') && p.digits() == 0 {
		return false
	}
	if p.consume('e') || p.consume('E') {
		if !p.consume('+') {
			p.consume('-')
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

// digits passes over decimal digits and returns how many there were.
func (p *fastParser) digits() int {
	start := p.i
	for p.i < len(p.data) && '0' <= p.data[p.i] && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i - start
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

// fastEntry reads one entry: an object whose members that are fields of T
// are strings without escapes; encoding/json ignores the others, whatever
// their values.
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
		switch fieldKind(string(name), set) {
		case isField:
			start := p.i
			if _, ok := p.str(); !ok {
				return v, false
			}
			set(&v, string(name), p.data[start:p.i])
		case ignored:
			if !p.skip(0) {
				return v, false
			}
		default:
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

// How encoding/json treats a member name when it decodes into a struct.
const (
	isField = iota // the name of a field
	ignored        // no field has that name in any case
	unsure         // a field has it only without regard to case, or the name is not ASCII
)

// fieldKind says how encoding/json treats a member name for T. Non-ASCII
// names are left to encoding/json, whose case folding covers Unicode.
func fieldKind[T any](name string, set fieldSetter[T]) int {
	var probe T
	if set(&probe, name, []byte(`""`)) {
		return isField
	}
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return unsure
		}
	}
	// Every field name here is lower case: a name matches one without
	// regard to case when its lower-case form is one.
	if lower := strings.ToLower(name); lower != name && set(&probe, lower, []byte(`""`)) {
		return unsure
	}
	return ignored
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

// decodeIDClaimsFast reads an ID token's payload in one pass; ok is false
// when a claim cdflogin reads is not a string without escapes, or for
// anything encoding/json might read differently, and DecodeIDToken then
// uses encoding/json. The first use of encoding/json in a process costs
// about 0.1 ms (its reflection caches), a tenth of all a warm `cdflogin
// token` does after start-up.
func decodeIDClaimsFast(payload []byte) (IDClaims, bool) {
	p := &fastParser{data: payload}
	p.ws()
	c, ok := fastEntry(p, idClaimField)
	return c, ok && p.end()
}

func idClaimField(v *IDClaims, name string, raw []byte) bool {
	switch name {
	case "name":
		v.Name = unquote(raw)
	case "preferred_username":
		v.PreferredUsername = unquote(raw)
	case "upn":
		v.UPN = unquote(raw)
	case "oid":
		v.ObjectID = unquote(raw)
	case "tid":
		v.TenantID = unquote(raw)
	default:
		return false
	}
	return true
}

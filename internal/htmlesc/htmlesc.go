// Package htmlesc escapes plain strings for HTML exactly as html/template
// does in the contexts cdflogin's pages use, without html/template.
//
// Executing any html/template (or text/template) makes
// reflect.Value.MethodByName reachable, and then the linker must keep every
// exported method of every type in the binary: 2.6 MB of cdflogin's
// 17.2 MB (docs/performance.md). The loopback and sandbox pages build
// their HTML with these functions instead; their tests hold the output to
// the html/template originals byte for byte.
package htmlesc

import (
	"strings"
	"unicode/utf8"
)

// Text escapes s for an HTML text node, an RCDATA element (title) or a
// quoted attribute value: html/template's htmlEscaper, rcdataEscaper and
// attrEscaper for a plain string.
func Text(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		var repl string
		switch r {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		}
		if repl != "" {
			if written == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[written:i])
			b.WriteString(repl)
			written = i + w
		}
		i += w
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// URL escapes s for a quoted URL attribute (href, action) whose whole
// value it is: html/template's urlFilter (a scheme other than http, https
// or mailto becomes "#ZgotmplZ"), urlNormalizer and attrEscaper.
func URL(s string) string {
	if !isSafeURL(s) {
		s = "#ZgotmplZ"
	}
	return Text(normalizeURL(s))
}

func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		return strings.EqualFold(protocol, "http") || strings.EqualFold(protocol, "https") || strings.EqualFold(protocol, "mailto")
	}
	return true
}

// normalizeURL percent-encodes the bytes of s that are neither unreserved
// nor reserved in RFC 3986, keeping valid %XX escapes.
func normalizeURL(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0,
			'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

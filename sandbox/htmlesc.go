package sandbox

import (
	"strings"
	"unicode/utf8"
)

// The sandbox's pages escape their values as html/template did, without
// html/template: executing a template makes reflect.Value.MethodByName
// reachable, and the linker then keeps every exported method of the whole
// cdflogin binary (2.6 MB of it). The client has the same two functions in
// internal/htmlesc; the sandbox shares no code with the client, so these
// are its own. pages_internal_test.go holds both the escaping and the
// pages to html/template byte for byte.

// escapeText escapes s for a text node, an RCDATA element (title) or a
// quoted attribute value: html/template's htmlEscaper, rcdataEscaper and
// attrEscaper for a plain string.
func escapeText(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		repl := ""
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
			b.WriteString(s[written:i])
			b.WriteString(repl)
			written = i + n
		}
		i += n
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// escapeURL escapes s as the whole value of a quoted URL attribute (href,
// action): html/template's urlFilter (a scheme other than http, https or
// mailto gives "#ZgotmplZ"), urlNormalizer and attrEscaper.
func escapeURL(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	const digits = "0123456789abcdef"
	hexDigit := func(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0 ||
			c == '%' && i+2 < len(s) && hexDigit(s[i+1]) && hexDigit(s[i+2])
		if keep {
			continue
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
		written = i + 1
	}
	if written > 0 {
		b.WriteString(s[written:])
		s = b.String()
	}
	return escapeText(s)
}

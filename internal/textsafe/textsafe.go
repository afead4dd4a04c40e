// Package textsafe makes text that came from outside cdflogin (claims,
// Entra's error descriptions, profile values, imported files, HTTP bodies)
// safe to show in a terminal: no control character, escape sequence,
// bidirectional override or invalid UTF-8 survives, so such text can
// never move the cursor, set the title, write the clipboard (OSC 52),
// clear the screen or forge a line.
//
// Every output path, plain and interactive, passes outside text through
// Line or Block; the fuzz target proves that nothing unsafe gets through.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Replacement stands in for a character that could not be shown safely.
const Replacement = '\uFFFD'

// Line returns s as one safe line: line breaks and tabs become spaces,
// every other control character (C0, DEL, C1 — ESC and CSI among them),
// bidirectional control, line or paragraph separator and invalid byte
// becomes U+FFFD. Printable text, including any script, is kept as is.
func Line(s string) string {
	if isSafe(s, false) {
		return s
	}
	return clean(s, false)
}

// Block is Line for text of several lines: "\n" is kept, "\r\n" becomes
// "\n", a lone "\r" (which would let a line overwrite the one before it)
// becomes a space.
func Block(s string) string {
	if isSafe(s, true) {
		return s
	}
	return clean(strings.ReplaceAll(s, "\r\n", "\n"), true)
}

// Safe reports whether s reaches a terminal unchanged through Line.
func Safe(s string) bool { return isSafe(s, false) }

func isSafe(s string, newlines bool) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == 0x7f {
				if !(newlines && b == '\n') {
					return false
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return false
		}
		i += size - 1
	}
	return true
}

func clean(s string, newlines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && newlines:
			b.WriteByte('\n')
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError:
			// An invalid byte, or U+FFFD itself: both show as U+FFFD.
			b.WriteRune(Replacement)
		case r < 0x20 || r == 0x7f || unsafeRune(r):
			b.WriteRune(Replacement)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports the non-ASCII runes that change how a terminal line
// reads: C1 controls (U+0080–U+009F; U+009B is CSI on terminals that
// take 8-bit controls), the line and paragraph separators, and the
// bidirectional marks, embeddings, overrides and isolates (the "Trojan
// Source" characters).
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain ASCII unchanged", "alice@contoso.com", "alice@contoso.com"},
		{"other scripts unchanged", "日本語のグループ名 Ålesund e\u0301", "日本語のグループ名 Ålesund e\u0301"},
		{"OSC 52 clipboard write", "\x1b]52;c;ZXZpbA==\a", "\uFFFD]52;c;ZXZpbA==\uFFFD"},
		{"OSC 0 window title", "\x1b]0;pwned\x07x", "\uFFFD]0;pwned\uFFFDx"},
		{"clear screen", "\x1b[2J\x1b[H", "\uFFFD[2J\uFFFD[H"},
		{"8-bit CSI", "evil\u009b31m", "evil\uFFFD31m"},
		{"CR forging a line", "ok\rFAIL", "ok FAIL"},
		{"newline and tab", "a\nb\tc", "a b c"},
		{"DEL and NUL", "a\x7fb\x00c", "a\uFFFDb\uFFFDc"},
		{"bidi override", "abc\u202Edcba", "abc\uFFFDdcba"},
		{"bidi isolate", "\u2066x\u2069", "\uFFFDx\uFFFD"},
		{"line separator", "a\u2028b", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if Safe(tt.in) != (tt.in == tt.want) {
				t.Errorf("Safe(%q) = %v", tt.in, Safe(tt.in))
			}
		})
	}
}

func TestBlock(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lines stay lines", "one\ntwo", "one\ntwo"},
		{"CRLF is a newline", "one\r\ntwo\r\n", "one\ntwo\n"},
		{"a lone CR cannot overwrite", "real\rfake", "real fake"},
		{"escapes go", "x\x1b[1Ay", "x\uFFFD[1Ay"},
	}
	for _, tt := range tests {
		if got := Block(tt.in); got != tt.want {
			t.Errorf("%s: Block(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzLine: whatever comes in, nothing a terminal would act on comes out,
// and safe text is returned unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;ZXZpbA==\a", "\x1b[2J", "\u009b31m", "a\rb", "\u202e", "\xff\xfe", "x\r\ny", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, out := range map[string]string{"Line": Line(s), "Block": Block(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, out)
			}
			for _, r := range out {
				if r == '\n' && name == "Block" {
					continue
				}
				if r < 0x20 || r == 0x7f || unsafeRune(r) {
					t.Fatalf("%s(%q) = %q keeps %U", name, s, out, r)
				}
			}
			if strings.ContainsRune(out, '\r') {
				t.Fatalf("%s(%q) keeps a CR", name, s)
			}
		}
		if Safe(s) && Line(s) != s {
			t.Fatalf("Line changed safe text %q", s)
		}
		if !Safe(s) && Line(s) == s {
			t.Fatalf("Safe(%q) = false but Line left it unchanged", s)
		}
	})
}

package textwrap

import (
	"strings"
	"testing"
)

func TestHanging(t *testing.T) {
	tests := []struct {
		name  string
		label string
		words []string
		width int
		want  string
	}{
		{"fits", "Fix: ", strings.Fields("run it again"), 40, "Fix: run it again\n"},
		{"wraps under the text", "Fix: ", strings.Fields("aaa bbb ccc ddd"), 13, "Fix: aaa bbb\n     ccc ddd\n"},
		{"long word alone", "Fix: ", []string{"a", strings.Repeat("x", 20), "b"}, 10, "Fix: a\n     " + strings.Repeat("x", 20) + "\n     b\n"},
		{"runes, not bytes", "Fix: ", strings.Fields("ééé ééé ééé"), 13, "Fix: ééé ééé\n     ééé\n"},
		{"no words", "Cause: ", nil, 20, "Cause: \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Hanging(tt.label, tt.words, tt.width); got != tt.want {
				t.Errorf("Hanging(%q, %q, %d) =\n%q\nwant\n%q", tt.label, tt.words, tt.width, got, tt.want)
			}
		})
	}
}

func TestKeepParentheses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"joined", "put it in (profiles.yaml: profiles.dev.ca_file), or not", 60,
			[]string{"put", "it", "in", "(profiles.yaml: profiles.dev.ca_file),", "or", "not"}},
		{"too long stays split", "(a b c)", 3, []string{"(a", "b", "c)"}},
		{"unclosed", "a (b c", 60, []string{"a", "(b", "c"}},
		{"nested opening stops", "(a (b c)", 60, []string{"(a", "(b c)"}},
		{"one word", "(ab)", 60, []string{"(ab)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeepParentheses(strings.Fields(tt.in), tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("KeepParentheses(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

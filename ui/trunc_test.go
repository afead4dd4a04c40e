package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestCellsAtMost(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"\x1b[1;38;2;90;63;192mcdflogin\x1b[m", 8},
		{"\x1b[38;5;8m·\x1b[0m x", 4},     // "·" is 2 bytes, 1 cell: an upper bound
		{"日本", 6},                         // 2 cells each, 3 bytes each
		{"\x1b[", 2},                      // no final byte: counted
		{"\x1b]8;;https://x\x07link", 19}, // OSC is not skipped: counted
		{"a\x1b[31", 5},
	} {
		if got := cellsAtMost(tc.in); got != tc.want {
			t.Errorf("cellsAtMost(%q) = %d, want %d", tc.in, got, tc.want)
		}
		if w := ansi.StringWidth(tc.in); w > cellsAtMost(tc.in) {
			t.Errorf("%q is %d cells, more than the bound %d", tc.in, w, cellsAtMost(tc.in))
		}
	}
}

func TestTruncMatchesANSI(t *testing.T) {
	styled := NewStyles(true, false)
	lines := []string{
		"", "short", strings.Repeat("x", 80), strings.Repeat("x", 81),
		styled.Title.Render("cdflogin") + styled.Muted.Render(" · ") + strings.Repeat("é", 90),
		"日本語のグループ名" + strings.Repeat("-", 70),
		styled.Bad.Render("FAIL") + " " + strings.Repeat("w", 200),
	}
	for _, s := range lines {
		for _, w := range []int{1, 5, 40, 78, 80, 118, 200} {
			if got, want := trunc(s, w), ansi.Truncate(s, w, "…"); got != want {
				t.Errorf("trunc(%q, %d) = %q, want %q", s, w, got, want)
			}
		}
	}
}

// FuzzTrunc checks trunc's shortcut against ansi.Truncate for any text.
func FuzzTrunc(f *testing.F) {
	f.Add("\x1b[1mbold\x1b[m and plain", 10)
	f.Add("日本語", 3)
	f.Add("\x1b[38;2;1;2;3", 4)
	f.Add("e\u0301\u0301x", 2)
	f.Fuzz(func(t *testing.T, s string, w int) {
		if w <= 0 || w > 500 {
			return
		}
		if got, want := trunc(s, w), ansi.Truncate(s, w, "…"); got != want {
			t.Fatalf("trunc(%q, %d) = %q, want %q", s, w, got, want)
		}
	})
}

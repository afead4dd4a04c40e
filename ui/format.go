package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// clean makes text from outside (Entra, CDF, tokens, profiles.yaml)
// safe to put on the terminal (textsafe.Line): control characters,
// including ESC that would start a terminal escape sequence, become spaces
// or "�".
func clean(s string) string { return textsafe.Line(s) }

// cleanBlock is clean for multi-line text: the lines stay lines.
func cleanBlock(s string) string { return textsafe.Block(s) }

// trunc shortens s to width cells with an ellipsis.
func trunc(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if cellsAtMost(s) <= width {
		return s // fits: ansi.Truncate would return it unchanged
	}
	return ansi.Truncate(s, width, "…")
}

// cellsAtMost is a cheap upper bound of s's width in cells: its bytes
// outside complete CSI escape sequences (colours, bold). No character is
// wider in cells than in UTF-8 bytes, and a CSI sequence is zero cells
// wide. Most screen lines fit their width, and this lets trunc skip the
// grapheme-by-grapheme measuring that dominated the cost of a frame.
func cellsAtMost(s string) int {
	n := len(s)
	for i := 0; i+1 < len(s); i++ {
		if s[i] != 0x1b || s[i+1] != '[' {
			continue
		}
		// ESC [ parameters (0x30–0x3F), intermediates (0x20–0x2F), final (0x40–0x7E).
		j := i + 2
		for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
			j++
		}
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			n -= j + 1 - i
			i = j
		}
	}
	return n
}

// clip keeps at most height lines of s, ending with an ellipsis line when
// something was cut.
func clip(s string, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= height {
		return strings.Join(lines, "\n")
	}
	lines = lines[:height]
	lines[height-1] = "…"
	return strings.Join(lines, "\n")
}

// kvWrap renders "label  value" with the label padded to lw cells and the
// value wrapped under itself (URLs whole: see para).
func kvWrap(st Styles, label, value string, lw, width, termW int) []string {
	lab := lipgloss.Width(label)
	pad := max(lw-lab, 1)
	return para(st, st.Label.Render(label)+strings.Repeat(" ", pad), lab+pad, clean(value), width, lw, termW, st.Value.Render)
}

// human renders a duration for people: "42 min", "1 h 5 min", "35 s".
func human(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		h := int(d / time.Hour)
		m := int((d % time.Hour) / time.Minute)
		if m == 0 {
			s = fmt.Sprintf("%d h", h)
		} else {
			s = fmt.Sprintf("%d h %d min", h, m)
		}
	default:
		s = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if neg {
		return s + " ago"
	}
	return s
}

// clock renders a countdown as m:ss or h:mm:ss; negative is 0:00.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Second)
	h := int(d / time.Hour)
	m := int((d % time.Hour) / time.Minute)
	s := int((d % time.Minute) / time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// hhmm renders a wall-clock time in the clock's location.
func hhmm(t time.Time) string { return t.Format("15:04:05") }

// hhmmZone is hhmm with the zone, where a time stands next to the claims'
// times (which name theirs).
func hhmmZone(t time.Time) string { return t.Format("15:04:05 MST") }

// selectedRow is a list's selected row, highlighted to the window's last
// column: the body's width w and the right margin (the frame lets a line
// take that one cell).
func selectedRow(st Styles, s string, w int) string {
	if st.Plain {
		return s
	}
	return st.Selected.Render(padRight(trunc(s, w), w+1))
}

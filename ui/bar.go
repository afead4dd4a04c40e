package ui

import (
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// bar is a static progress bar: no animation, one redraw per change. (The
// bubbles progress bar animates with springs, which the token screen's
// once-a-second redraw does not want.)
type bar struct {
	width       int
	full, empty lipgloss.Style
	plain       bool
}

func newBar(st Styles) bar {
	b := bar{width: 20, plain: st.Plain}
	if !st.Plain {
		b.full = lipgloss.NewStyle().Foreground(st.BarFull)
		b.empty = lipgloss.NewStyle().Foreground(st.BarEmpty)
	}
	return b
}

// SetWidth sets the bar's width in cells.
func (b *bar) SetWidth(w int) { b.width = max(w, 1) }

// ViewAs renders the bar filled to f (0..1).
func (b bar) ViewAs(f float64) string {
	f = min(max(f, 0), 1)
	n := int(math.Round(f * float64(b.width)))
	if b.plain {
		return "[" + strings.Repeat("#", n) + strings.Repeat("-", b.width-n) + "]"
	}
	return b.full.Render(strings.Repeat("█", n)) + b.empty.Render(strings.Repeat("░", b.width-n))
}

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
	width int
}

func newBar() bar { return bar{width: 20} }

// SetWidth sets the bar's width in cells.
func (b *bar) SetWidth(w int) { b.width = max(w, 1) }

// ViewAs renders the bar filled to f (0..1) in the styles st.
func (b bar) ViewAs(st Styles, f float64) string {
	f = min(max(f, 0), 1)
	n := int(math.Round(f * float64(b.width)))
	if st.Plain {
		return "[" + strings.Repeat("#", n) + strings.Repeat("-", b.width-n) + "]"
	}
	full := lipgloss.NewStyle().Foreground(st.BarFull)
	empty := lipgloss.NewStyle().Foreground(st.BarEmpty)
	return full.Render(strings.Repeat("█", n)) + empty.Render(strings.Repeat("░", b.width-n))
}

package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// cursor is the selected row of a list of n rows, moved by the keymap's
// moving keys (j/k, arrows, g/G, Home/End, PgUp/PgDn).
type cursor struct {
	i int
}

// move handles a moving key for a list of n rows of which page fit on
// screen; it reports whether k was a moving key.
func (c *cursor) move(keys KeyMap, k tea.KeyPressMsg, n, page int) bool {
	page = max(page, 1)
	switch {
	case key.Matches(k, keys.Up):
		c.i--
	case key.Matches(k, keys.Down):
		c.i++
	case key.Matches(k, keys.Top):
		c.i = 0
	case key.Matches(k, keys.Bottom):
		c.i = n - 1
	case key.Matches(k, keys.PageUp):
		c.i -= page
	case key.Matches(k, keys.PageDown):
		c.i += page
	default:
		return false
	}
	c.clamp(n)
	return true
}

// clamp keeps the cursor on one of n rows.
func (c *cursor) clamp(n int) { c.i = max(min(c.i, n-1), 0) }

// window is the first row to show so that the cursor is on screen, with
// height rows shown of n.
func (c cursor) window(n, height int) int {
	if height <= 0 || n <= height {
		return 0
	}
	return min(max(c.i-height+1, 0), n-height)
}

// scroller is the scroll offset of a text taller than its space, moved by
// the same keys as a cursor.
type scroller struct {
	off int
}

// move handles a moving key for a text of total lines shown height at a
// time; it reports whether k was a moving key.
func (s *scroller) move(keys KeyMap, k tea.KeyPressMsg, total, height int) bool {
	height = max(height, 1)
	last := max(total-height, 0)
	switch {
	case key.Matches(k, keys.Up):
		s.off--
	case key.Matches(k, keys.Down):
		s.off++
	case key.Matches(k, keys.Top):
		s.off = 0
	case key.Matches(k, keys.Bottom):
		s.off = last
	case key.Matches(k, keys.PageUp):
		s.off -= max(height-1, 1)
	case key.Matches(k, keys.PageDown):
		s.off += max(height-1, 1)
	default:
		return false
	}
	s.off = max(min(s.off, last), 0)
	return true
}

// view shows the lines of body from the offset, at most height of them;
// when more follow (or precede), the last (first) line says how many.
func (s scroller) view(st Styles, body string, height int) string {
	return scrollView(st, body, s.off, height)
}

// scrollView shows the lines of body from scroll on, at most height of
// them; when more follow, the last line says how many (with ↓), and when
// some are above, the first says so (with ↑).
func scrollView(st Styles, body string, scroll, height int) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if height < 1 {
		return ""
	}
	if len(lines) <= height {
		return strings.Join(lines, "\n") + "\n"
	}
	s := min(max(scroll, 0), len(lines)-height)
	end := s + height
	shown := append([]string(nil), lines[s:end]...)
	if end < len(lines) {
		shown[len(shown)-1] = st.Muted.Render(fmt.Sprintf("… %d more lines (↓ j, G end)", len(lines)-end+1))
	}
	if s > 0 && len(shown) > 1 {
		shown[0] = st.Muted.Render(fmt.Sprintf("… %d lines above (↑ k, g top)", s+1))
	}
	return strings.Join(shown, "\n") + "\n"
}

// lineCount is the number of lines of a body as scrollView counts them.
func lineCount(body string) int {
	return strings.Count(strings.TrimRight(body, "\n"), "\n") + 1
}

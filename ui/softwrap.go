package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// A frame's blocks (a URL longer than the window, the raw token) are drawn
// from column 0 in lines of exactly the window's width. The renderer
// moves the cursor from line to line, so to the terminal they are
// separate lines, and a copy with the mouse (or tmux's copy mode) would
// get the URL broken. Once a frame has been on screen for a moment,
// softwrap writes each block again as one run of text from its first
// cell: the same characters in the same cells and styles, so the
// renderer's picture of the screen stays true, but this time the
// terminal wraps the text itself and marks the lines as one. Cursor and
// attributes are saved and restored around it (DECSC/DECRC).

// softwrapDelay is how long a frame's blocks must stay in place before
// they are written again (the renderer draws a frame within 1/60 s).
const softwrapDelay = 150 * time.Millisecond

// softBlock is a block as it is on screen.
type softBlock struct {
	row   int    // 0-based screen row of its first line
	url   string // the hyperlink, if any
	sgr   string // the style of its text
	text  string // the whole text
	lines int
}

// softwrapMsg is softwrap's check, by generation.
type softwrapMsg struct{ gen int }

// softwrap tracks the blocks of the frames drawn and those written again.
type softwrap struct {
	off     bool // plain mode: nothing is drawn over
	profile colorprofile.Profile
	blocks  []softBlock // of the last frame drawn
	sent    []softBlock // last written again
	seen    []softBlock // at the time the pending check was scheduled
	pending bool
	gen     int
}

// frame records the blocks of a frame of the given window size (View
// calls it with every frame it returns).
func (s *softwrap) frame(content string, width, height int) {
	if s.off {
		return
	}
	s.blocks = s.blocks[:0]
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines) && i < height; {
		if !isLinkLine(lines[i]) {
			i++
			continue
		}
		id := blockID(lines[i])
		b := softBlock{row: i, url: linkOf(lines[i]), sgr: leadingSGR(lines[i])}
		whole := true
		var text strings.Builder
		for i < len(lines) && i < height && isLinkLine(lines[i]) && blockID(lines[i]) == id {
			plain := ansi.Strip(lines[i])
			text.WriteString(plain)
			b.lines++
			i++
			// Every line but the last fills the width, as the terminal's
			// own wrap would.
			if ansi.StringWidth(plain) != width && i < len(lines) && isLinkLine(lines[i]) && blockID(lines[i]) == id {
				whole = false
			}
		}
		b.text = text.String()
		if whole {
			s.blocks = append(s.blocks, b)
		}
	}
}

// resized forgets what was written: the renderer draws everything again.
func (s *softwrap) resized() { s.sent = nil }

// check schedules a look at the frame's blocks when they differ from
// those written (called after every update).
func (s *softwrap) check(after afterFunc) tea.Cmd {
	if s.off || s.pending || slices.Equal(s.blocks, s.sent) {
		return nil
	}
	s.pending = true
	s.gen++
	s.seen = append(s.seen[:0], s.blocks...)
	gen := s.gen
	return after(softwrapDelay, func(time.Time) tea.Msg { return softwrapMsg{gen: gen} })
}

// onTick writes the blocks again once they have stayed in place.
func (s *softwrap) onTick(msg softwrapMsg, after afterFunc) tea.Cmd {
	if msg.gen != s.gen {
		return nil
	}
	s.pending = false
	switch {
	case slices.Equal(s.blocks, s.sent):
		return nil
	case !slices.Equal(s.blocks, s.seen):
		return s.check(after) // still moving: look again later
	}
	s.sent = append(s.sent[:0], s.blocks...)
	if len(s.blocks) == 0 {
		return nil
	}
	return tea.Raw(s.sequence(s.blocks))
}

// sequence writes blocks again from their first cells, with the cursor
// and the pen saved and restored.
func (s *softwrap) sequence(blocks []softBlock) string {
	var b strings.Builder
	b.WriteString(ansi.SaveCursor)
	for _, bl := range blocks {
		b.WriteString(ansi.CursorPosition(1, bl.row+1))
		if bl.url != "" {
			b.WriteString(ansi.SetHyperlink(bl.url, "id=cdfl-"+linkID(bl.text)))
		}
		b.WriteString(s.styled(bl.sgr + bl.text + ansi.ResetStyle))
		if bl.url != "" {
			b.WriteString(ansi.ResetHyperlink())
		}
	}
	b.WriteString(ansi.RestoreCursor)
	return b.String()
}

// styled brings a styled text down to the terminal's colour profile, as
// the renderer does with the frame.
func (s *softwrap) styled(t string) string {
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: s.profile}
	_, _ = w.WriteString(t)
	return b.String()
}

// blockID is the id of a block line's marker.
func blockID(l string) string {
	rest := strings.TrimPrefix(l, linkMark)
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		return rest[:i]
	}
	return rest
}

// leadingSGR is the style sequences at the start of a block line's text
// (after its marker).
func leadingSGR(l string) string {
	if i := strings.IndexByte(l, '\a'); i >= 0 {
		l = l[i+1:]
	}
	var b strings.Builder
	for strings.HasPrefix(l, "\x1b[") {
		j := 2
		for j < len(l) && (l[j] < 0x40 || l[j] > 0x7e) {
			j++
		}
		if j >= len(l) || l[j] != 'm' {
			break
		}
		b.WriteString(l[:j+1])
		l = l[j+1:]
	}
	return b.String()
}

// String describes a block (for test failures).
func (b softBlock) String() string {
	return fmt.Sprintf("row %d, %d lines: %q", b.row, b.lines, b.text)
}

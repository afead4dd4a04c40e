package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// In plain mode (--accessible, TERM=dumb) nothing is redrawn: the output
// is a transcript, written line after line with no escape sequence at
// all, for screen readers and for terminals such as Emacs' shell mode. A
// new page is written whole under its title; after that only the lines
// that changed are written (a status, a result). Plain pages show no
// countdowns, so an idle page writes nothing.

// transcript is what plain mode has written.
type transcript struct {
	title string
	last  map[string]int // lines of the last frame written, counted
}

// next is what to write for the frame lines of the page titled title.
func (t *transcript) next(title string, lines []string) string {
	var out []string
	if title != t.title {
		t.title = title
		t.last = nil
		out = append(out, "")
	}
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
		if seen[l] > t.last[l] {
			out = append(out, l)
		}
	}
	t.last = seen
	if len(out) == 0 || (len(out) == 1 && out[0] == "") {
		return ""
	}
	// The terminal is in raw mode: a line ends with CR LF.
	return strings.Join(out, "\r\n") + "\r\n"
}

// plainLines are the frame's lines as text, without the blank lines that
// keep a full-screen frame's footer at the bottom.
func plainLines(frame string) []string {
	var out []string
	for _, l := range strings.Split(frame, "\n") {
		l = strings.TrimRight(ansi.Strip(l), " ")
		if l != "" {
			out = append(out, strings.TrimPrefix(l, " "))
		}
	}
	return out
}

// write is the command that writes a plain frame's new lines, if any.
// Typing into a field writes nothing until the field is left (the
// person knows what they typed).
func (m *app) writePlain(msg tea.Msg) tea.Cmd {
	if !m.cfg.plain() || m.tooSmall() || m.screen == scrLoading {
		return nil // (the profiles are being read: nothing to say yet)
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && m.textInput() && (k.Text != "" || k.Code == tea.KeyBackspace) {
		return nil
	}
	title := m.page.Title()
	out := m.transcript.next(title, plainLines(m.frame(title)))
	if out == "" {
		return nil
	}
	return tea.Raw(out)
}

package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Clipboard is how the program copies the device code and the sign-in
// URL (the c key). The composition root decides it from what it can
// know about the terminal; the program says "Copied" only when a copy
// could be made, and otherwise asks the person to select the text.
type Clipboard struct {
	// OSC52 is true when the terminal takes OSC 52 copies: a terminal
	// known to allow them, or tmux with set-clipboard on. (The program
	// also asks the terminal itself, with XTGETTCAP Ms.)
	OSC52 bool
	// Via names where an OSC 52 copy goes, for the status line (e.g.
	// "tmux's paste buffer and your terminal's clipboard"); empty means
	// "the clipboard".
	Via string
	// Write copies with the OS clipboard, used when OSC52 is false (nil:
	// none, e.g. over SSH, where the OS clipboard is the remote one).
	Write func(text string) error
	// NoQuery leaves out the XTGETTCAP question (tmux, which answers for
	// itself; terminals that answer it wrongly).
	NoQuery bool
}

// copiedMsg is the result of a copy through the OS clipboard.
type copiedMsg struct{ status string }

// copy copies text, named what on the status line ("the code ABCD-EFGH"),
// and returns the command that does it and the status to show now.
func (c *common) copy(text, what string) (tea.Cmd, string) {
	cb := c.cfg.Clipboard
	switch {
	case cb.OSC52 || c.osc52:
		via := cb.Via
		if via == "" {
			via = "the clipboard"
		}
		return tea.SetClipboard(text), "Copied " + what + " to " + via + " (OSC 52)."
	case cb.Write != nil:
		write := cb.Write
		return func() tea.Msg {
			if err := write(text); err != nil {
				return copiedMsg{status: "Could not copy (" + firstLine(err.Error()) + "): select " + what + " above with the mouse."}
			}
			return copiedMsg{status: "Copied " + what + " to the clipboard."}
		}, "Copying…"
	}
	return nil, "No clipboard this program can reach here: select " + what + " above with the mouse."
}

// onCapability records the terminal's answer to XTGETTCAP Ms: a terminal
// that names an Ms capability takes OSC 52 copies.
func (c *common) onCapability(msg tea.CapabilityMsg) {
	if strings.HasPrefix(msg.Content, "Ms=") {
		c.osc52 = true
	}
}

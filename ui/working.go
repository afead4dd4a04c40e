package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// loadingPage is shown while the profiles are read.
type loadingPage struct{}

// Screen names the page.
func (loadingPage) Screen() screen { return scrLoading }

// Title is the header.
func (loadingPage) Title() string { return "Profiles" }

// Update does nothing: the app moves on when the profiles are read.
func (loadingPage) Update(tea.Msg) (tea.Cmd, request) { return nil, nil }

// View is one line.
func (loadingPage) View() string { return "Loading profiles…" }

// KeyMap has no keys of its own.
func (loadingPage) KeyMap() help.KeyMap { return keyMap{} }

// SetSize has nothing to lay out.
func (loadingPage) SetSize(int, int) {}

// workingPage is the Signing in page: a sign-in that shows neither a
// device code nor a browser URL (yet), with esc to cancel.
type workingPage struct {
	*common
	profile string
	text    string // what is happening
	cancel  key.Binding
}

func newWorkingPage(c *common, profile, text string) *workingPage {
	return &workingPage{common: c, profile: profile, text: text, cancel: bind("esc", "esc", "cancel")}
}

// Screen names the page.
func (m *workingPage) Screen() screen { return scrWorking }

// Title is the header.
func (m *workingPage) Title() string { return "Signing in · " + m.profile }

// NeedsClock and Busy: the spinner runs.
func (m *workingPage) NeedsClock() bool { return true }

// Busy always: something is in progress.
func (m *workingPage) Busy() bool { return true }

// Update cancels on esc.
func (m *workingPage) Update(msg tea.Msg) (tea.Cmd, request) {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.cancel) {
		return nil, reqCancelSignIn{}
	}
	return nil, nil
}

// View is the spinner and the text.
func (m *workingPage) View() string { return spinView(m.st, m.now()) + " " + m.text }

// KeyMap is esc.
func (m *workingPage) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{m.cancel}, full: [][]key.Binding{{m.cancel}}}
}

// SetSize has nothing to lay out.
func (m *workingPage) SetSize(int, int) {}

package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
)

// errorKeys are the keys of the Error screen.
type errorKeys struct {
	Retry, OtherFlow, Edit, Back, Up, Down, Help key.Binding
}

func newErrorKeys() errorKeys {
	return errorKeys{
		Retry:     bind("r,enter", "r", "retry"),
		OtherFlow: bind("f", "f", "other flow"),
		Edit:      bind("e", "e", "edit profile"),
		Back:      bind("esc", "esc", "profiles"),
		Up:        bind("up,k", "↑/k", "scroll up"),
		Down:      bind("down,j", "↓/j", "scroll down"),
		Help:      bind("?", "?", "more keys"),
	}
}

type errorAction int

const (
	errorNone errorAction = iota
	errorRetry
	errorOtherFlow
	errorEdit
	errorBack
)

// errorView is the Error screen: what went wrong, why, the fix, and the
// ways on.
type errorView struct {
	keys          errorKeys
	st            Styles
	err           error
	ex            aadsts.Explanation
	explained     bool
	what          string // "Sign-in with device code failed"
	scroll        int
	width, height int
}

func newErrorView(st Styles, what string, err error, ex aadsts.Explanation, explained bool) errorView {
	return errorView{keys: newErrorKeys(), st: st, err: err, ex: ex, explained: explained, what: what}
}

// SetSize sets the space the screen may use.
func (m *errorView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys.
func (m errorView) Update(msg tea.Msg) (errorView, errorAction) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, errorNone
	}
	switch {
	case key.Matches(k, m.keys.Retry):
		return m, errorRetry
	case key.Matches(k, m.keys.OtherFlow):
		return m, errorOtherFlow
	case key.Matches(k, m.keys.Edit):
		return m, errorEdit
	case key.Matches(k, m.keys.Back):
		return m, errorBack
	case key.Matches(k, m.keys.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(k, m.keys.Down):
		m.scroll = min(m.scroll+1, max(strings.Count(m.text(), "\n")-m.height, 0))
	}
	return m, errorNone
}

// View renders the screen, scrolled to fit.
func (m errorView) View() string {
	return scrollView(m.st, m.text(), m.scroll, m.height)
}

// text is the whole explanation. Long texts wrap (they are sentences, not
// table cells).
func (m errorView) text() string {
	w := max(m.width, 10)
	wrap := lipgloss.NewStyle().Width(w)
	var b strings.Builder
	title := m.what
	if m.explained {
		title = clean(m.ex.Title)
		if m.ex.Code != 0 {
			title += fmt.Sprintf(" (AADSTS%d)", m.ex.Code)
		}
	}
	b.WriteString(trunc(m.st.Bad.Render(title), w) + "\n")
	if m.explained {
		if m.ex.Cause != "" {
			b.WriteString(wrap.Render(m.st.Label.Render("Why: ")+clean(m.ex.Cause)) + "\n")
		}
		if m.ex.Fix != "" {
			b.WriteString(wrap.Render(m.st.Good.Render("Fix: ")+clean(m.ex.Fix)) + "\n")
		}
		if m.ex.Suggest != "" {
			b.WriteString(wrap.Render(m.st.Label.Render("Or: ")+"sign in with the "+clean(m.ex.Suggest)+" flow (press f).") + "\n")
		}
	}
	if m.err != nil {
		b.WriteString(wrap.Render(m.st.Muted.Render(clean(firstLine(m.err.Error())))) + "\n")
	}
	return b.String()
}

// firstLine is the first line of s.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// KeyMap is the screen's help.
func (m errorView) KeyMap() keyMap {
	k := m.keys
	return keyMap{
		short: []key.Binding{k.Retry, k.OtherFlow, k.Edit, k.Back, k.Help},
		full:  [][]key.Binding{{k.Retry, k.OtherFlow}, {k.Edit, k.Back}, {k.Up, k.Down}},
	}
}

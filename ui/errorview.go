package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
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

// errorView is the Error screen: what went wrong, why, the fix, and the
// ways on.
type errorView struct {
	*common
	keys          errorKeys
	profile       profiles.Profile
	flow          profiles.Flow
	err           error
	ex            aadsts.Explanation
	explained     bool
	what          string // "Sign-in with device code failed"
	scroll        int
	width, height int
}

func newErrorView(c *common, p profiles.Profile, flow profiles.Flow, what string, err error, ex aadsts.Explanation, explained bool) *errorView {
	return &errorView{common: c, keys: newErrorKeys(), profile: p, flow: flow, err: err, ex: ex, explained: explained, what: what}
}

// Screen names the page.
func (m *errorView) Screen() screen { return scrError }

// Title is the header.
func (m *errorView) Title() string { return "Sign-in failed · " + m.profile.Name }

// SetSize sets the space the screen may use.
func (m *errorView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys: retry, another flow, editing the profile and
// going back are requests for the app.
func (m *errorView) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	switch {
	case key.Matches(k, m.keys.Retry):
		return nil, reqSignIn{p: m.profile, flow: m.flow}
	case key.Matches(k, m.keys.OtherFlow):
		return nil, reqChooseFlow{p: m.profile, want: profiles.Flow(m.ex.Suggest)}
	case key.Matches(k, m.keys.Edit):
		return nil, reqEditProfile{p: m.profile, back: scrFlow}
	case key.Matches(k, m.keys.Back):
		return nil, reqProfiles{}
	case key.Matches(k, m.keys.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(k, m.keys.Down):
		m.scroll = min(m.scroll+1, max(strings.Count(m.text(), "\n")-m.height, 0))
	}
	return nil, nil
}

// View renders the screen, scrolled to fit.
func (m *errorView) View() string {
	return scrollView(m.st, m.text(), m.scroll, m.height)
}

// text is the whole explanation. Long texts wrap (they are sentences, not
// table cells).
func (m *errorView) text() string {
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
func (m *errorView) KeyMap() help.KeyMap {
	k := m.keys
	return keyMap{
		short: []key.Binding{k.Retry, k.OtherFlow, k.Edit, k.Back, k.Help},
		full:  [][]key.Binding{{k.Retry, k.OtherFlow}, {k.Edit, k.Back}, {k.Up, k.Down}},
	}
}

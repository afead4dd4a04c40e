package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
)

// errorKeys are the keys of the Error page.
type errorKeys struct {
	KeyMap
	Retry, OtherFlow, EditProfile, Back key.Binding
}

func newErrorKeys(k KeyMap) errorKeys {
	return errorKeys{
		KeyMap:      k,
		Retry:       bind("r,enter", "r/enter", "retry"),
		OtherFlow:   k.OtherFlow,
		EditProfile: with(k.Edit, "edit profile"),
		Back:        with(k.Back, "profiles"),
	}
}

// errorView is the Error page: what went wrong, why, the fix, and the
// ways on, all of it wrapped (scrolled when taller than the window).
type errorView struct {
	*common
	keys          errorKeys
	profile       profiles.Profile
	flow          profiles.Flow
	err           error
	ex            diagnosis.Explanation
	explained     bool
	what          string // "Sign-in with device code failed"
	scroll        scroller
	width, height int
}

func newErrorView(c *common, p profiles.Profile, flow profiles.Flow, what string, err error, ex diagnosis.Explanation) *errorView {
	return &errorView{common: c, keys: newErrorKeys(c.keys), profile: p, flow: flow, err: err, ex: ex, explained: ex.Explained(), what: what}
}

// Screen names the page.
func (m *errorView) Screen() screen { return scrError }

// Title is the header.
func (m *errorView) Title() string { return "Sign-in failed · " + m.profile.Name }

// SetSize sets the space the page may use.
func (m *errorView) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys: retry, another flow, editing the profile and
// going back are requests for the app; the moving keys scroll.
func (m *errorView) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	if m.scroll.move(m.keys.KeyMap, k, lineCount(m.text()), m.height) {
		return nil, nil
	}
	switch {
	case key.Matches(k, m.keys.Retry):
		return nil, reqSignIn{p: m.profile, flow: m.flow}
	case key.Matches(k, m.keys.OtherFlow):
		return nil, reqChooseFlow{p: m.profile, want: profiles.Flow(m.ex.Suggest)}
	case key.Matches(k, m.keys.EditProfile):
		return nil, reqEditProfile{p: m.profile, back: scrFlow}
	case key.Matches(k, m.keys.Back):
		return nil, reqProfiles{}
	}
	return nil, nil
}

// View renders the page, scrolled to fit.
func (m *errorView) View() string {
	return m.scroll.view(m.st, m.text(), m.height)
}

// text is the whole explanation, wrapped: these are sentences, and the
// fix is what the person came for. The command line's advice is given as
// the page's keys (see tuiAdvice).
func (m *errorView) text() string {
	w := max(m.width, 10)
	var lines []string
	// A text may hold lines of its own (a list of codes): each is a
	// paragraph, under the lead.
	add := func(lead string, leadW int, text string, paint func(...string) string) {
		for i, l := range strings.Split(strings.TrimRight(cleanBlock(text), "\n"), "\n") {
			at := leadW // a line's own indentation is kept (list items)
			if i > 0 {
				at += len(l) - len(strings.TrimLeft(l, " "))
				lead = strings.Repeat(" ", at)
			}
			lines = append(lines, para(m.st, lead, at, tuiAdvice(clean(strings.TrimLeft(l, " ")), errorPageKeys), w, at, m.termWidth, paint)...)
		}
	}
	title := m.what
	if m.explained {
		title = m.ex.Title
		if m.ex.Code != 0 {
			title += fmt.Sprintf(" (AADSTS%d)", m.ex.Code)
		}
	}
	add("", 0, title, m.st.Bad.Render)
	if m.explained {
		if m.ex.Cause != "" {
			add(m.st.Label.Render("Why: "), 5, m.ex.Cause, nil)
		}
		if m.ex.Fix != "" {
			add(m.st.Good.Render("Fix: "), 5, m.ex.Fix, nil)
		}
		if m.ex.Suggest != "" {
			add(m.st.Label.Render("Or:  "), 5, "sign in with the "+m.ex.Suggest+" flow (press f).", nil)
		}
	}
	if m.err != nil {
		add("", 0, firstLine(m.err.Error()), m.st.Muted.Render)
	}
	return strings.Join(lines, "\n") + "\n"
}

// firstLine is the first line of s.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// KeyMap is the page's help; the moving keys only when the text scrolls.
func (m *errorView) KeyMap() help.KeyMap {
	k := m.keys
	full := [][]key.Binding{{k.Retry, k.OtherFlow}, {k.EditProfile, k.Back}}
	if lineCount(m.text()) > m.height {
		full = append(full, k.nav())
	}
	return keyMap{short: []key.Binding{k.Retry, k.OtherFlow, k.EditProfile, k.Back}, full: full}
}

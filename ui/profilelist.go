package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// profileRow is one profile with its token state.
type profileRow struct {
	Profile   profiles.Profile
	ExpiresOn time.Time // zero: no cached token
	StateErr  error     // the cache could not be read
}

// profileListKeys are the keys of the Profiles screen.
type profileListKeys struct {
	Up, Down, Choose, New, Edit, Delete, Filter, ClearFilter, Quit, Help key.Binding
	Yes, No                                                              key.Binding
}

func newProfileListKeys() profileListKeys {
	return profileListKeys{
		Up:          bind("up,k", "↑/k", "up"),
		Down:        bind("down,j", "↓/j", "down"),
		Choose:      bind("enter", "enter", "sign in"),
		New:         bind("n", "n", "new"),
		Edit:        bind("e", "e", "edit"),
		Delete:      bind("d", "d", "delete"),
		Filter:      bind("/", "/", "filter"),
		ClearFilter: bind("esc", "esc", "clear filter"),
		Quit:        bind("q", "q", "quit"),
		Help:        bind("?", "?", "more keys"),
		Yes:         bind("y", "y", "yes, delete"),
		No:          bind("n,esc", "n/esc", "no"),
	}
}

// profileList is the filterable list of profiles.
type profileList struct {
	*common
	keys      profileListKeys
	rows      []profileRow
	cursor    int // index into visible()
	filter    textinput.Model
	filtering bool
	confirm   string // name of the profile awaiting delete confirmation
	width     int
	height    int
}

func newProfileList(c *common) *profileList {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter by name, tenant, cluster…"
	return &profileList{common: c, keys: newProfileListKeys(), filter: ti}
}

// Screen names the page.
func (m *profileList) Screen() screen { return scrProfiles }

// Title is the header.
func (m *profileList) Title() string { return "Profiles" }

// TakesText reports whether the list is taking text (filter or
// confirmation), so global single-letter keys must not act.
func (m *profileList) TakesText() bool { return m.filtering || m.confirm != "" }

// SetRows replaces the rows, keeping the cursor on the same name.
func (m *profileList) SetRows(rows []profileRow) {
	cur := m.Selected()
	m.rows = rows
	m.cursor = 0
	if cur != nil {
		for i, r := range m.visible() {
			if r.Profile.Name == cur.Profile.Name {
				m.cursor = i
			}
		}
	}
}

// SetSize sets the space the list may use.
func (m *profileList) SetSize(w, h int) { m.width, m.height = w, h; m.filter.SetWidth(max(w-4, 1)) }

// Selected is the profile under the cursor, or nil.
func (m *profileList) Selected() *profileRow {
	v := m.visible()
	if m.cursor < 0 || m.cursor >= len(v) {
		return nil
	}
	r := v[m.cursor]
	return &r
}

func (m *profileList) visible() []profileRow {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	if q == "" {
		return m.rows
	}
	var out []profileRow
	for _, r := range m.rows {
		p := r.Profile
		hay := strings.ToLower(strings.Join([]string{p.Name, string(p.Flow), p.Tenant, p.Cluster, p.Project}, " "))
		if strings.Contains(hay, q) {
			out = append(out, r)
		}
	}
	return out
}

// Update handles a key; choosing, creating, editing, deleting and
// quitting are requests for the app.
func (m *profileList) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.filtering {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			return cmd, nil
		}
		return nil, nil
	}
	if m.confirm != "" {
		switch {
		case key.Matches(k, m.keys.Yes):
			name := m.confirm
			m.confirm = ""
			return nil, reqDeleteProfile{name: name}
		case key.Matches(k, m.keys.No):
			m.confirm = ""
		}
		return nil, nil
	}
	if m.filtering {
		switch k.String() {
		case "esc":
			m.filtering = false
			m.filter.SetValue("")
			m.filter.Blur()
			m.cursor = 0
			return nil, nil
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return nil, nil
		case "up", "down":
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.cursor = 0
			return cmd, nil
		}
	}
	n := len(m.visible())
	switch {
	case key.Matches(k, m.keys.Up):
		if m.cursor > 0 {
			m.cursor--
		}
	case key.Matches(k, m.keys.Down):
		if m.cursor < n-1 {
			m.cursor++
		}
	case key.Matches(k, m.keys.Filter):
		m.filtering = true
		return m.filter.Focus(), nil
	case key.Matches(k, m.keys.ClearFilter):
		m.filter.SetValue("")
		m.cursor = 0
	case key.Matches(k, m.keys.Choose):
		if n > 0 {
			return nil, reqChooseFlow{p: m.Selected().Profile}
		}
	case key.Matches(k, m.keys.New):
		return nil, reqNewProfile{}
	case key.Matches(k, m.keys.Edit):
		if n > 0 {
			return nil, reqEditProfile{p: m.Selected().Profile, back: scrProfiles}
		}
	case key.Matches(k, m.keys.Delete):
		if s := m.Selected(); s != nil {
			m.confirm = s.Profile.Name
		}
	case key.Matches(k, m.keys.Quit):
		return nil, reqQuit{}
	}
	return nil, nil
}

// tokenState renders the token column.
func (m *profileList) tokenState(r profileRow) (string, func(...string) string) {
	switch {
	case r.StateErr != nil:
		return "unknown", m.st.Warn.Render
	case r.ExpiresOn.IsZero():
		return "none", m.st.Muted.Render
	}
	left := r.ExpiresOn.Sub(m.now())
	if left <= 0 {
		return "expired", m.st.Bad.Render
	}
	return "valid " + human(left), m.st.Good.Render
}

// View renders the list.
func (m *profileList) View() string {
	var b strings.Builder
	w := m.width
	rows := m.visible()
	if m.filtering || m.filter.Value() != "" {
		b.WriteString(trunc(m.filter.View(), w) + "\n")
	}
	if len(m.rows) == 0 {
		b.WriteString(m.st.Muted.Render("No profiles yet. Press n to create one.") + "\n")
		return b.String()
	}
	if len(rows) == 0 {
		b.WriteString(m.st.Muted.Render("No profile matches the filter.") + "\n")
	}
	// Columns: name, flow, token state, then tenant and cluster/project
	// when there is room.
	nameW := 4
	for _, r := range rows {
		nameW = max(nameW, lipgloss.Width(clean(r.Profile.Name)))
	}
	nameW = min(nameW, max(w/3, 8))
	wide := w >= 70
	if wide {
		hdr := fmt.Sprintf("  %-*s  %-11s  %-16s  %s", nameW, "NAME", "FLOW", "TOKEN", "CLUSTER/PROJECT · TENANT")
		b.WriteString(trunc(m.st.Label.Render(hdr), w) + "\n")
	}
	avail := m.height - strings.Count(b.String(), "\n") - 1
	if m.confirm != "" {
		avail--
	}
	start := 0
	if avail > 0 && m.cursor >= avail {
		start = m.cursor - avail + 1
	}
	for i := start; i < len(rows) && (avail <= 0 || i < start+avail); i++ {
		r := rows[i]
		p := r.Profile
		state, paint := m.tokenState(r)
		name := trunc(clean(p.Name), nameW)
		var line string
		if wide {
			where := placeOf(p)
			if p.Tenant != "" {
				where += " · " + p.Tenant
			}
			line = fmt.Sprintf("%-*s  %-11s  %s  %s", nameW, name, clean(flowLabel(p.Flow)), paint(fmt.Sprintf("%-16s", state)), m.st.Muted.Render(clean(where)))
		} else {
			line = fmt.Sprintf("%-*s  %s", nameW, name, paint(state))
		}
		if i == m.cursor {
			line = m.st.Selected.Render("> " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(trunc(line, w) + "\n")
	}
	if m.confirm != "" {
		b.WriteString(trunc(m.st.Warn.Render(fmt.Sprintf("Delete profile %q from profiles.yaml? y/n", clean(m.confirm))), w) + "\n")
	}
	return b.String()
}

// KeyMap is the help of the current state.
func (m *profileList) KeyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.confirm != "":
		return keyMap{short: []key.Binding{k.Yes, k.No}, full: [][]key.Binding{{k.Yes, k.No}}}
	case m.filtering:
		enter := bind("enter", "enter", "keep filter")
		return keyMap{short: []key.Binding{enter, k.ClearFilter}, full: [][]key.Binding{{enter, k.ClearFilter}}}
	}
	return keyMap{
		short: []key.Binding{k.Choose, k.New, k.Edit, k.Delete, k.Filter, k.Quit, k.Help},
		full:  [][]key.Binding{{k.Up, k.Down, k.Choose}, {k.New, k.Edit, k.Delete}, {k.Filter, k.ClearFilter, k.Quit}},
	}
}

// flowLabel is a flow's short display name.
func flowLabel(f profiles.Flow) string {
	switch f {
	case profiles.FlowBrowser:
		return "browser"
	case profiles.FlowDevice:
		return "device code"
	case profiles.FlowSecret:
		return "secret"
	case profiles.FlowCertificate:
		return "certificate"
	}
	return string(f)
}

// placeOf is where a profile signs in to: cluster/project, or the CDF
// URL's host/project for a custom cdf_url.
func placeOf(p profiles.Profile) string {
	host := p.Cluster
	if p.CDFURL != "" {
		if u, err := url.Parse(p.CDFURL); err == nil && u.Host != "" {
			host = u.Host
		}
	}
	return host + "/" + p.Project
}

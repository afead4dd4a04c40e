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

// profileListKeys are the keys of the Profiles page.
type profileListKeys struct {
	KeyMap
	Choose, ClearFilter, KeepFilter key.Binding
}

func newProfileListKeys(k KeyMap) profileListKeys {
	return profileListKeys{
		KeyMap:      k,
		Choose:      with(k.Open, "sign in"),
		ClearFilter: with(k.Back, "clear filter"),
		KeepFilter:  with(k.Open, "keep filter"),
	}
}

// profileList is the filterable list of profiles. Each row is a summary:
// enter opens the profile (the Flow page shows it in full).
type profileList struct {
	*common
	keys      profileListKeys
	rows      []profileRow
	cur       cursor // index into visible()
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
	return &profileList{common: c, keys: newProfileListKeys(c.keys), filter: ti}
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
	m.cur.i = 0
	if cur != nil {
		m.Select(cur.Profile.Name)
	}
}

// Select puts the cursor on the named profile, if it is shown.
func (m *profileList) Select(name string) {
	for i, r := range m.visible() {
		if r.Profile.Name == name {
			m.cur.i = i
		}
	}
}

// SetSize sets the space the list may use.
func (m *profileList) SetSize(w, h int) { m.width, m.height = w, h; m.filter.SetWidth(max(w-4, 1)) }

// Selected is the profile under the cursor, or nil.
func (m *profileList) Selected() *profileRow {
	v := m.visible()
	if m.cur.i < 0 || m.cur.i >= len(v) {
		return nil
	}
	r := v[m.cur.i]
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
		hay := strings.ToLower(strings.Join([]string{p.Name, string(p.Flow), p.Tenant, p.Cluster, p.CDFURL, p.Project}, " "))
		if strings.Contains(hay, q) {
			out = append(out, r)
		}
	}
	return out
}

// Update handles a key; choosing, creating, editing and deleting are
// requests for the app.
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
			m.cur.i = 0
			return nil, nil
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return nil, nil
		case "up", "down", "pgup", "pgdown":
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.cur.i = 0
			return cmd, nil
		}
	}
	n := len(m.visible())
	if m.cur.move(m.keys.KeyMap, k, n, m.rowsShown()) {
		return nil, nil
	}
	switch {
	case key.Matches(k, m.keys.Filter) && len(m.rows) > 0:
		m.filtering = true
		return m.filter.Focus(), nil
	case key.Matches(k, m.keys.ClearFilter) && m.filter.Value() != "":
		m.filter.SetValue("")
		m.cur.i = 0
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
	case key.Matches(k, m.keys.Import) && m.cfg.Import != nil:
		return nil, reqImport{}
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

// header lines above the rows (filter, column names).
func (m *profileList) header() []string {
	var out []string
	if m.filtering || m.filter.Value() != "" {
		out = append(out, m.filter.View())
	}
	if m.width >= 70 && len(m.visible()) > 0 {
		out = append(out, m.st.Label.Render(fmt.Sprintf("  %-*s  %-11s  %-16s  %s", m.nameWidth(), "NAME", "FLOW", "TOKEN", "CDF PROJECT · TENANT")))
	}
	return out
}

// rowsShown is how many rows fit under the header.
func (m *profileList) rowsShown() int {
	h := m.height - len(m.header())
	if m.confirm != "" {
		h -= 2
	}
	return max(h, 1)
}

func (m *profileList) nameWidth() int {
	nameW := 4
	for _, r := range m.visible() {
		nameW = max(nameW, lipgloss.Width(clean(r.Profile.Name)))
	}
	if m.width < 70 {
		return min(nameW, max(m.width/2, 8)) // only the token state beside it
	}
	return min(nameW, max(m.width/3, 8))
}

// View renders the list.
func (m *profileList) View() string {
	var b strings.Builder
	w := m.width
	for _, l := range m.header() {
		b.WriteString(l + "\n")
	}
	if len(m.rows) == 0 {
		msg := "No profiles yet. Press n to create one."
		if m.cfg.Import != nil {
			msg = "No profiles yet. Press n to create one, or i to import a file."
		}
		b.WriteString(m.st.Muted.Render(msg) + "\n")
		return b.String()
	}
	rows := m.visible()
	if len(rows) == 0 {
		b.WriteString(m.st.Muted.Render("No profile matches the filter.") + "\n")
	}
	nameW := m.nameWidth()
	wide := w >= 70
	avail := m.rowsShown()
	start := m.cur.window(len(rows), avail)
	for i := start; i < len(rows) && i < start+avail; i++ {
		r := rows[i]
		p := r.Profile
		state, paint := m.tokenState(r)
		name := trunc(clean(p.Name), nameW)
		var line string
		if wide {
			// The tenant only when it fits whole (always in a transcript);
			// the Flow page shows everything.
			where := placeOf(p)
			if room := w - 2 - nameW - 2 - 11 - 2 - 16 - 2; p.Tenant != "" && (m.st.Plain || lipgloss.Width(where+" · "+p.Tenant) <= room) {
				where += " · " + p.Tenant
			}
			// A summary: the Flow page (enter) shows the profile in full.
			line = fmt.Sprintf("%-*s  %-11s  %s  %s", nameW, name, clean(flowLabel(p.Flow)), paint(fmt.Sprintf("%-16s", state)), m.st.Muted.Render(clean(where)))
		} else {
			line = fmt.Sprintf("%-*s  %s", nameW, name, paint(state))
		}
		switch {
		case m.st.Plain && i == m.cur.i:
			line = "> " + line // a transcript: whole, the terminal wraps it
		case m.st.Plain:
			line = "  " + line
		case i == m.cur.i:
			// The highlight runs to the last column.
			line = selectedRow(m.st, "> "+line, w)
		default:
			line = trunc("  "+line, w)
		}
		b.WriteString(line + "\n")
	}
	if m.confirm != "" {
		b.WriteString("\n" + strings.Join(para(m.st, "", 0, fmt.Sprintf("Delete profile %q from profiles.yaml, with its cached tokens and keyring secrets? y/n", clean(m.confirm)), w, 0, w, m.st.Warn.Render), "\n") + "\n")
	}
	return b.String()
}

// KeyMap is the help of the current state: only keys that do something.
func (m *profileList) KeyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.confirm != "":
		return keyMap{short: []key.Binding{k.Yes, k.No}, full: [][]key.Binding{{k.Yes, k.No}}}
	case m.filtering:
		return keyMap{short: []key.Binding{k.KeepFilter, k.ClearFilter}, full: [][]key.Binding{{k.KeepFilter, k.ClearFilter}}}
	}
	imp := k.Import
	imp.SetEnabled(m.cfg.Import != nil)
	if len(m.rows) == 0 {
		return keyMap{short: []key.Binding{k.New, imp}, full: [][]key.Binding{{k.New, imp}}}
	}
	short := []key.Binding{k.Choose, k.New, k.Edit, k.Delete, k.Filter}
	full := [][]key.Binding{append(k.nav(), k.Choose), {k.New, k.Edit, k.Delete, imp}, {k.Filter}}
	if m.filter.Value() != "" {
		short = append(short, k.ClearFilter)
		full[2] = append(full[2], k.ClearFilter)
	}
	return keyMap{short: short, full: full}
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

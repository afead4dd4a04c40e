package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/profiles"
)

// The tenant look-up of the profile form: a tenant typed as an e-mail
// address is looked up on save (its domain's OpenID discovery document
// names the tenant), shown, and used once confirmed, as `cdflogin
// profile add --email` does.

// tenantFoundMsg is the look-up's answer.
type tenantFoundMsg struct {
	page  int
	found *insight.TenantOfDomain
	err   error
}

// reqFormBack reopens the form with the values it had.
type reqFormBack struct{ save reqSaveProfile }

// needsTenantLookup reports whether the form's tenant is an e-mail
// address to look up.
func needsTenantLookup(c *common, v formValues) bool {
	return c.cfg.FindTenant != nil && strings.Contains(v.Tenant, "@")
}

// tenantPage shows the look-up, then the tenant found (y saves the
// profile with it) or why none was (esc: back to the form, nothing lost).
type tenantPage struct {
	*common
	serial        int
	save          reqSaveProfile
	given         string
	found         *insight.TenantOfDomain
	err           error
	keys          struct{ Use, Back key.Binding }
	width, height int
}

// newTenantPage starts the look-up of the form's tenant.
func newTenantPage(c *common, save reqSaveProfile) (*tenantPage, tea.Cmd) {
	m := &tenantPage{common: c, serial: c.nextSerial(), save: save, given: strings.TrimSpace(save.vals.Tenant)}
	m.keys.Use = bind("y,enter", "y/enter", "use this tenant and save")
	m.keys.Back = bind("esc,n", "esc/n", "back to the form")
	var p profiles.Profile
	save.vals.Apply(&p)
	page, find, ctx, given := m.serial, c.cfg.FindTenant, c.ctx, m.given
	return m, c.goWork(func() tea.Msg {
		found, err := find(ctx, p, given)
		return tenantFoundMsg{page: page, found: found, err: err}
	})
}

// Screen names the page.
func (m *tenantPage) Screen() screen { return scrTenant }

// Title is the header.
func (m *tenantPage) Title() string { return "Find the tenant" }

// NeedsClock: no countdown.
func (m *tenantPage) NeedsClock() bool { return false }

// Busy while the look-up runs (the spinner).
func (m *tenantPage) Busy() bool { return m.found == nil && m.err == nil }

// SetSize sets the space the page may use.
func (m *tenantPage) SetSize(w, h int) { m.width, m.height = w, h }

// Update takes the look-up's answer and the keys.
func (m *tenantPage) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case tenantFoundMsg:
		if msg.page == m.serial {
			m.found, m.err = msg.found, msg.err
			if m.found == nil && m.err == nil {
				m.err = errors.New("the look-up gave no tenant")
			}
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			return nil, reqFormBack{save: m.save}
		case m.found != nil && key.Matches(msg, m.keys.Use):
			s := m.save
			s.vals.Tenant = m.found.TenantID
			if strings.TrimSpace(s.vals.Authority) != "" {
				s.vals.Authority = m.found.Authority()
			}
			if strings.TrimSpace(s.vals.LoginHint) == "" {
				s.vals.LoginHint = m.given
			}
			return nil, s
		}
	}
	return nil, nil
}

// View says what is being looked up, then what was found.
func (m *tenantPage) View() string {
	w := m.width
	var lines []string
	text := func(s string, paint func(...string) string) {
		lines = append(lines, para(m.st, "", 0, s, w, 0, m.termWidth, paint)...)
	}
	kv := func(label, value string) { lines = append(lines, kvWrap(m.st, label, value, 10, w, m.termWidth)...) }
	switch {
	case m.err != nil:
		text("No tenant was found for "+clean(m.given)+":", m.st.Bad.Render)
		text(clean(m.err.Error()), nil)
		lines = append(lines, "")
		text("Press esc to go back to the form (nothing typed is lost) and give the Directory (tenant) ID instead.", m.st.Muted.Render)
	case m.found == nil:
		text(spinView(m.st, m.now())+" Looking up the Entra tenant of "+clean(m.given)+"…", nil)
	default:
		f := m.found
		text("The domain "+clean(f.Domain)+" belongs to this Entra tenant:", nil)
		lines = append(lines, "")
		kv("Tenant ID", f.TenantID)
		kv("Issuer", f.Issuer)
		if f.Region != "" {
			kv("Region", f.Region)
		}
		kv("Found at", f.DiscoveryURL)
		lines = append(lines, "")
		text("Use it for profile "+clean(m.profileName())+"? The profile keeps the tenant ID"+m.extra()+".", nil)
	}
	return strings.Join(lines, "\n") + "\n"
}

// profileName is the profile being saved.
func (m *tenantPage) profileName() string {
	if m.save.editing != "" {
		return m.save.editing
	}
	return strings.TrimSpace(m.save.vals.Name)
}

// extra says what else the tenant found changes.
func (m *tenantPage) extra() string {
	var parts []string
	if strings.TrimSpace(m.save.vals.Authority) != "" {
		parts = append(parts, "the authority "+m.found.Authority())
	}
	if strings.TrimSpace(m.save.vals.LoginHint) == "" {
		parts = append(parts, "the login hint "+clean(m.given))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return " and " + parts[0]
	}
	return ", " + parts[0] + " and " + parts[1]
}

// KeyMap is the page's help.
func (m *tenantPage) KeyMap() help.KeyMap {
	if m.found != nil {
		return keyMap{short: []key.Binding{m.keys.Use, m.keys.Back}, full: [][]key.Binding{{m.keys.Use, m.keys.Back}}}
	}
	return keyMap{short: []key.Binding{m.keys.Back}, full: [][]key.Binding{{m.keys.Back}}}
}

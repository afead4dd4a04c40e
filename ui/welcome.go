package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// profileIntro is the two-line explanation of a profile.
const profileIntro = "A profile is a named set of sign-in settings: the Entra tenant, the app's client ID, the CDF cluster and project, and the way to sign in. " +
	"Profiles live in profiles.yaml; secrets stay in the OS keyring or in an environment variable."

// welcomeChoice is one way to start.
type welcomeChoice struct {
	title, about string
	key          key.Binding
	req          request
}

// welcomePage is the first run: no profiles yet. It says what a profile
// is and offers three ways to start.
type welcomePage struct {
	*common
	choices []welcomeChoice
	cur     cursor
	choose  key.Binding
	width   int
	height  int
}

func newWelcomePage(c *common) *welcomePage {
	k := c.keys
	m := &welcomePage{common: c, choose: with(k.Open, "choose")}
	if c.cfg.OfferDemo {
		m.choices = append(m.choices, welcomeChoice{"Try the demo",
			"Every sign-in flow against a built-in sandbox tenant: no account needed (cdflogin demo).", with(k.Demo, "try the demo"), reqTryDemo{}})
	}
	if c.cfg.Import != nil {
		m.choices = append(m.choices, welcomeChoice{"Import a file",
			"A Cognite Toolkit .env or a Cognite SDK YAML config (client: project, base_url, credentials).", with(k.Import, "import a file"), reqImport{}})
	}
	m.choices = append(m.choices, welcomeChoice{"Create a profile",
		"Type in the tenant, the app's client ID, the CDF cluster and project.", with(k.New, "create a profile"), reqNewProfile{}})
	return m
}

// Screen names the page.
func (m *welcomePage) Screen() screen { return scrWelcome }

// Title is the header.
func (m *welcomePage) Title() string { return "Welcome" }

// SetSize sets the space the page may use.
func (m *welcomePage) SetSize(w, h int) { m.width, m.height = w, h }

// Update moves between the choices and takes one (enter, or its key).
func (m *welcomePage) Update(msg tea.Msg) (tea.Cmd, request) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	if m.cur.move(m.keys, k, len(m.choices), len(m.choices)) {
		return nil, nil
	}
	if key.Matches(k, m.choose) {
		return nil, m.choices[m.cur.i].req
	}
	for _, c := range m.choices {
		if key.Matches(k, c.key) {
			return nil, c.req
		}
	}
	return nil, nil
}

// View renders the explanation and the choices.
func (m *welcomePage) View() string {
	w := m.width
	lines := []string{m.st.Title.Render("Welcome to cdflogin."), ""}
	lines = append(lines, para(m.st, "", 0, profileIntro, w, 0, m.termWidth, nil)...)
	lines = append(lines, "", "How would you like to start?")
	for i, c := range m.choices {
		title := c.title + m.st.Muted.Render(" ("+c.key.Help().Key+")")
		if i == m.cur.i {
			lines = append(lines, selectedRow(m.st, "> "+c.title+" ("+c.key.Help().Key+")", w))
		} else {
			lines = append(lines, "  "+title)
		}
		lines = append(lines, para(m.st, "    ", 4, c.about, w, 4, m.termWidth, m.st.Muted.Render)...)
	}
	body := strings.Join(lines, "\n")
	if len(lines) > m.height {
		return scrollView(m.st, body, max(len(lines)-m.height, 0), m.height)
	}
	return body + "\n"
}

// KeyMap is the page's help.
func (m *welcomePage) KeyMap() help.KeyMap {
	short := []key.Binding{m.choose}
	full := [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Top, m.keys.Bottom, m.choose}, nil}
	for _, c := range m.choices {
		short = append(short, c.key)
		full[1] = append(full[1], c.key)
	}
	return keyMap{short: short, full: full}
}

// importPage asks for the file to import (a Toolkit .env or an SDK YAML).
type importPage struct {
	*common
	input  textinput.Model
	back   screen
	err    string
	keys   struct{ Import, Back key.Binding }
	width  int
	height int
}

// importedMsg is the result of an import.
type importedMsg struct {
	path string
	res  Imported
	err  error
}

func newImportPage(c *common, back screen) (*importPage, tea.Cmd) {
	ti := textinput.New()
	ti.Prompt = "File: "
	ti.Placeholder = ".env or cognite-sdk-config.yaml"
	m := &importPage{common: c, input: ti, back: back}
	m.keys.Import = with(c.keys.Open, "import")
	m.keys.Back = with(c.keys.Back, "back")
	return m, m.input.Focus()
}

// Screen names the page.
func (m *importPage) Screen() screen { return scrImport }

// Title is the header.
func (m *importPage) Title() string { return "Import a profile" }

// TakesText: the path is typed.
func (m *importPage) TakesText() bool { return true }

// SetSize sets the space the page may use.
func (m *importPage) SetSize(w, h int) { m.width, m.height = w, h; m.input.SetWidth(max(w-8, 10)) }

// Update takes the path; enter imports, esc goes back.
func (m *importPage) Update(msg tea.Msg) (tea.Cmd, request) {
	switch msg := msg.(type) {
	case importedMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil, nil
		}
		return nil, reqImported{path: msg.path, res: msg.res}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			if m.back == scrWelcome {
				return nil, reqWelcome{}
			}
			return nil, reqProfiles{}
		case key.Matches(msg, m.keys.Import):
			path := strings.TrimSpace(m.input.Value())
			if path == "" {
				m.err = "Type the path of the file to import first."
				return nil, nil
			}
			m.err = ""
			imp := m.cfg.Import
			return m.goWork(func() tea.Msg {
				res, err := imp(path)
				return importedMsg{path: path, res: res, err: err}
			}), nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd, nil
}

// View renders the explanation, the input and the last error.
func (m *importPage) View() string {
	w := m.width
	var lines []string
	lines = append(lines, para(m.st, "", 0, "Create a profile from a Cognite Toolkit .env (CDF_CLUSTER, CDF_PROJECT, LOGIN_FLOW, IDP_CLIENT_ID, IDP_TENANT_ID, …) or a Cognite SDK YAML config. Secrets are never copied into profiles.yaml: a secret in clear text goes to the OS keyring.", w, 0, m.termWidth, m.st.Muted.Render)...)
	lines = append(lines, "", m.input.View(), "")
	if m.err != "" {
		lines = append(lines, para(m.st, "", 0, clean(m.err), w, 0, m.termWidth, m.st.Bad.Render)...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// KeyMap is the page's help.
func (m *importPage) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{m.keys.Import, m.keys.Back}, full: [][]key.Binding{{m.keys.Import, m.keys.Back}}}
}

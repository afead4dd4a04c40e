package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cognite-tools/cdflogin/profiles"
)

// formValues are the fields of the profile form; huh writes into them.
type formValues struct {
	Name, Tenant, ClientID, Cluster, Project string
	Flow                                     profiles.Flow
	Secret                                   string // a reference, or a secret to store
	Certificate                              string
}

// profileForm is the New / Edit profile screen: a huh form with inline
// validation and a line under each field saying where its value is found.
type profileForm struct {
	*common
	form      *huh.Form
	vals      *formValues
	editing   string // name of the edited profile; "" for a new one
	back      screen // where the form returns
	validate  func(field, value string) error
	saveError string
	width     int
	height    int
}

// defaultValidate checks a field with the profiles package's validators.
func defaultValidate(field, value string) error {
	switch field {
	case "name":
		return profiles.ValidateName(value)
	case "tenant":
		return profiles.ValidateTenant(value)
	case "client_id":
		return profiles.ValidateClientID(value)
	case "cluster":
		return profiles.ValidateCluster(value)
	case "project":
		return profiles.ValidateProject(value)
	case "certificate":
		return profiles.ValidateCertificate(value)
	}
	return nil
}

// newProfileForm builds the form, prefilled from p when editing. taken
// reports names already in use; canStoreSecret tells whether a typed
// secret can be kept in the keyring.
func newProfileForm(c *common, p *profiles.Profile, back screen, taken func(string) bool, validate func(string, string) error, canStoreSecret bool) *profileForm {
	st := c.st
	v := &formValues{Flow: profiles.FlowDevice}
	editing := ""
	if p != nil {
		editing = p.Name
		v.Name, v.Tenant, v.ClientID, v.Cluster, v.Project = p.Name, p.Tenant, p.ClientID, p.Cluster, p.Project
		v.Flow, v.Certificate = p.Flow, p.Certificate
		v.Secret = p.ClientSecret // a reference, never a secret
	}
	check := func(field string) func(string) error {
		return func(s string) error { return validate(field, strings.TrimSpace(s)) }
	}
	var fields []huh.Field
	if editing == "" {
		fields = append(fields, huh.NewInput().Key("name").Title("Profile name").
			Description("A short name you will type: dev, prod, acme-test.").
			Value(&v.Name).Validate(func(s string) error {
			s = strings.TrimSpace(s)
			if err := validate("name", s); err != nil {
				return err
			}
			if taken(s) {
				return fmt.Errorf("a profile named %q exists: choose another name or edit that one", s)
			}
			return nil
		}))
	}
	var opts []huh.Option[profiles.Flow]
	for _, f := range profiles.Flows {
		opts = append(opts, huh.NewOption(describeFlow(profiles.Profile{}, f).Title, f))
	}
	secretDesc := "Certificates & secrets › Client secrets › Value (not the Secret ID). Or type env:VAR."
	if canStoreSecret {
		secretDesc += " A pasted value is kept in the OS keyring, never in profiles.yaml."
	}
	fields = append(fields,
		huh.NewSelect[profiles.Flow]().Key("flow").Title("Sign-in flow").
			Description("Device code works everywhere; browser needs a browser here; secret/certificate sign in as an app.").
			Options(opts...).Value(&v.Flow),
		huh.NewInput().Key("tenant").Title("Tenant").
			Description("Entra admin center › Overview › Tenant ID (or a domain such as contoso.onmicrosoft.com).").
			Value(&v.Tenant).Validate(check("tenant")),
		huh.NewInput().Key("client_id").Title("Application (client) ID").
			Description("App registrations › your app › Overview › Application (client) ID.").
			Value(&v.ClientID).Validate(check("client_id")),
		huh.NewInput().Key("cluster").Title("CDF cluster").
			Description("The first part of your CDF host: westeurope-1 for https://westeurope-1.cognitedata.com.").
			Value(&v.Cluster).Validate(check("cluster")),
		huh.NewInput().Key("project").Title("CDF project").
			Description("The project's URL name, as in /api/v1/projects/<project>.").
			Value(&v.Project).Validate(check("project")),
	)
	groups := []*huh.Group{
		huh.NewGroup(fields...),
		huh.NewGroup(huh.NewInput().Key("secret").Title("Client secret").Description(secretDesc).
			EchoMode(huh.EchoModePassword).Value(&v.Secret).Validate(func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return errors.New("the secret flow needs a client secret (or env:VAR naming the variable that holds it)")
			}
			if profiles.ValidateSecretRef(s) != nil && !canStoreSecret {
				return errors.New("no keyring here: type env:VAR and set that variable to the secret")
			}
			return nil
		})).WithHideFunc(func() bool { return v.Flow != profiles.FlowSecret }),
		huh.NewGroup(huh.NewInput().Key("certificate").Title("Certificate file").
			Description("PEM (certificate + key) or PFX whose public part is uploaded under Certificates & secrets › Certificates.").
			Value(&v.Certificate).Validate(check("certificate"))).
			WithHideFunc(func() bool { return v.Flow != profiles.FlowCertificate }),
	}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	theme := huh.ThemeFunc(huh.ThemeCharm)
	if st.Plain {
		theme = huh.ThemeFunc(huh.ThemeBase)
	}
	f := huh.NewForm(groups...).WithKeyMap(km).WithTheme(theme).WithShowHelp(true)
	return &profileForm{common: c, form: f, vals: v, editing: editing, back: back, validate: validate}
}

// SetSize sets the space the form may use.
func (m *profileForm) SetSize(w, h int) {
	m.width, m.height = w, h
	// Leave room under the fields for a validation message (huh adds it
	// below its viewport).
	m.form = m.form.WithWidth(w).WithHeight(max(h-3, 4))
}

// Screen names the page.
func (m *profileForm) Screen() screen { return scrForm }

// Title is the header.
func (m *profileForm) Title() string {
	if m.editing != "" {
		return "Edit profile " + m.editing
	}
	return "New profile"
}

// TakesText is always true: every key goes to the form.
func (m *profileForm) TakesText() bool { return true }

// Init starts the form.
func (m *profileForm) Init() tea.Cmd { return m.form.Init() }

// Update passes msg to the form; a submitted form is a request to save
// it, an aborted one to leave.
func (m *profileForm) Update(msg tea.Msg) (tea.Cmd, request) {
	fm, cmd := m.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.form = f
	}
	switch m.form.State {
	case huh.StateCompleted:
		return cmd, reqSaveProfile{vals: *m.vals, editing: m.editing, back: m.back}
	case huh.StateAborted:
		return cmd, reqFormCancelled{}
	}
	return cmd, nil
}

// View renders the form.
func (m *profileForm) View() string {
	s := m.form.View()
	if m.saveError != "" {
		s = m.saveError + "\n" + s
	}
	return s
}

// Apply writes the form's values into p (a secret is replaced by its
// reference by the caller first).
func (v formValues) Apply(p *profiles.Profile) {
	p.Tenant = strings.TrimSpace(v.Tenant)
	p.ClientID = strings.TrimSpace(v.ClientID)
	p.Cluster = strings.TrimSpace(v.Cluster)
	p.Project = strings.TrimSpace(v.Project)
	p.Flow = v.Flow
	switch v.Flow {
	case profiles.FlowSecret:
		p.ClientSecret = strings.TrimSpace(v.Secret)
	case profiles.FlowCertificate:
		p.Certificate = strings.TrimSpace(v.Certificate)
	}
}

// KeyMap is the form's help (huh renders its own key help; this adds esc).
func (m *profileForm) KeyMap() help.KeyMap {
	esc := bind("esc", "esc", "cancel")
	return keyMap{short: []key.Binding{esc}, full: [][]key.Binding{{esc}}}
}

package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/profiles"
)

// FieldHelp says where a profile setting's value is found, by its
// profiles.yaml key: the profile form shows it under each field, and
// `cdflogin profile add` asks with it.
func FieldHelp(field string) string {
	return fieldHelp[field]
}

var fieldHelp = map[string]string{
	"name":                 "A short name you will type: dev, prod, acme-test.",
	"flow":                 "Device code works everywhere; browser needs a browser here; secret and certificate sign in as an app.",
	"tenant":               "Entra admin center › Overview › Tenant ID (or a domain such as contoso.onmicrosoft.com).",
	"client_id":            "App registrations › your app › Overview › Application (client) ID.",
	"cdf":                  "The cluster, the first part of your CDF host (westeurope-1 for https://westeurope-1.cognitedata.com), or the whole CDF URL when it is not <cluster>.cognitedata.com.",
	"cluster":              "The first part of your CDF host: westeurope-1 for https://westeurope-1.cognitedata.com.",
	"cdf_url":              "The CDF base URL, when it is not https://<cluster>.cognitedata.com.",
	"project":              "The project's URL name, as in /api/v1/projects/<project>.",
	"client_secret":        "Certificates & secrets › Client secrets › Value (not the Secret ID), or env:VAR naming the variable that holds it.",
	"certificate":          "PEM (certificate + key) or PFX whose public part is uploaded under Certificates & secrets › Certificates.",
	"certificate_password": "Only for an encrypted key: env:VAR, or the password (kept in the OS keyring). Empty: the key is not encrypted.",
	"authority":            "Empty: https://login.microsoftonline.com/<tenant>. Set it for another cloud or a test tenant.",
	"scopes":               "Empty: <CDF URL>/.default. Separate several with spaces or commas.",
	"redirect_port":        "The browser flow's loopback port; empty: 53000. The app registration must list http://localhost:<port>.",
	"login_hint":           "The user name to pre-fill at sign-in (optional).",
	"ca_file":              "An extra trusted CA bundle (PEM), e.g. for a TLS-inspecting proxy (optional).",
	"audience":             "The API identifier an OpenID provider puts in aud (Auth0's audience parameter); the one CDF's project expects. Empty: none sent.",
	"token_url":            "Empty: the token endpoint the issuer's discovery document names. Set it only when the provider's is elsewhere.",
	"groups_claim":         "The claim holding the groups CDF links by source ID. Empty: cognito:groups for Cognito, groups for others.",
}

// formValues are the fields of the profile form; huh writes into them.
type formValues struct {
	Name, Tenant, ClientID, Project string
	// CDF is the cluster, or the whole CDF URL: one field, so a profile
	// can never have both (see Apply).
	CDF                       string
	Flow                      profiles.Flow
	Secret                    string // a reference, or a secret to store
	Certificate, CertPassword string // CertPassword: a reference, or a password to store
	More                      bool   // show the advanced settings
	Authority, Scopes         string
	RedirectPort, LoginHint   string
	CAFile                    string
	Default                   bool
	// The identity provider's settings, for an issuer in the tenant field.
	Audience, TokenURL, GroupsClaim string
}

// valuesOf are the form's values for p (nil: a new profile).
func valuesOf(p *profiles.Profile) formValues {
	v := formValues{Flow: profiles.FlowDevice}
	if p == nil {
		return v
	}
	v.Name, v.Tenant, v.ClientID, v.Project, v.Flow = p.Name, p.Tenant, p.ClientID, p.Project, p.Flow
	if !p.IsEntra() {
		// One field for both, as the CDF field: a tenant, or the issuer URL
		// of a Cognito user pool or another OpenID provider.
		v.Tenant = p.IssuerURL()
		v.Audience, v.TokenURL, v.GroupsClaim = p.Audience, p.TokenURL, p.GroupsClaimName
	}
	v.CDF = p.Cluster
	if p.CDFURL != "" {
		v.CDF = p.CDFURL // the URL is what the profile uses
	}
	v.Secret, v.Certificate, v.CertPassword = p.ClientSecret, p.Certificate, p.CertificatePassword // references, never secrets
	v.Authority, v.Scopes, v.LoginHint, v.CAFile = p.Authority, strings.Join(p.Scopes, " "), p.LoginHint, p.CAFile
	if p.RedirectPort != 0 {
		v.RedirectPort = strconv.Itoa(p.RedirectPort)
	}
	v.Default = p.Default
	return v
}

// isIssuer reports whether the tenant field holds a URL: the issuer of a
// Cognito user pool or another OpenID provider (an Entra tenant is a GUID
// or a domain, never a URL).
func isIssuer(s string) bool { return strings.Contains(s, "://") }

// issuerHelp is the line under the tenant field when it holds an issuer.
func issuerHelp(s string) string {
	if profiles.LooksLikeCognito(s) {
		return "Amazon Cognito user pool issuer (https://cognito-idp.<region>.amazonaws.com/<pool-id>): provider cognito; its discovery document is read at <issuer>/.well-known/openid-configuration. Token URL and groups claim: under More settings."
	}
	return "OpenID provider issuer: provider oidc (or cognito, if it is set so); discovery at <issuer>/.well-known/openid-configuration. Its audience, token URL and groups claim come after the project."
}

// isCDFURL reports whether the CDF field holds a URL (cdf_url) rather
// than a cluster.
func isCDFURL(s string) bool { return strings.Contains(s, "://") }

// profileForm is the New / Edit profile page: a huh form that checks each
// field as it is typed, with the settings most people never change under
// "more". Esc on a changed form asks before the changes are lost.
type profileForm struct {
	*common
	form       *huh.Form
	vals       *formValues
	initial    formValues
	editing    string // name of the edited profile; "" for a new one
	back       screen // where the form returns
	validate   func(field, value string) error
	confirming bool             // esc on a changed form: discard?
	tried      map[string]*bool // fields enter was pressed on (their problem shows even when empty)
	lines      []fieldLine      // the line under each input
	secrets    []*huh.Input
	keys       struct{ Discard, Keep, Cancel key.Binding }
	width      int
	height     int
}

// fieldLine is an input and what its line says now: its help, or the
// problem with its value.
type fieldLine struct {
	in   *huh.Input
	text func() string
}

// describe sets the line under every input to what it says now.
func (m *profileForm) describe() {
	for _, l := range m.lines {
		l.in.Description(l.text())
	}
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
	case "cdf_url":
		if value == "" {
			return errors.New("the CDF URL is missing")
		}
		return profiles.ValidateCDFURL(value)
	case "project":
		return profiles.ValidateProject(value)
	case "certificate":
		return profiles.ValidateCertificate(value)
	case "authority":
		return profiles.ValidateAuthority(value)
	case "scopes":
		return profiles.ValidateScopes(profiles.ParseScopes(value))
	case "redirect_port":
		if value == "" {
			return nil
		}
		_, err := profiles.ParseRedirectPort(value)
		return err
	case "ca_file":
		return profiles.ValidateCAFile(value)
	case "token_url":
		return profiles.ValidateTokenURL(value)
	case "groups_claim":
		return profiles.ValidateGroupsClaim(value)
	}
	return nil
}

// newProfileFormValues builds the form with the values v (valuesOf a
// profile when editing, or the values it had before the tenant look-up);
// initial is what a change is judged against, editing the edited
// profile's name. taken reports names already in use; canStoreSecret
// tells whether a typed secret can be kept in the keyring.
func newProfileFormValues(c *common, v, initial formValues, editing string, back screen, taken func(string) bool, validate func(string, string) error, canStoreSecret bool) *profileForm {
	m := &profileForm{common: c, vals: &v, initial: initial, back: back, validate: validate, tried: map[string]*bool{}, editing: editing}
	m.keys.Discard = bind("y", "y", "discard the changes")
	m.keys.Keep = bind("n,esc", "n/esc", "keep editing")
	m.keys.Cancel = with(c.keys.Back, "cancel")

	// check validates a field (trimmed). The line under each field is its
	// help, or the problem with what is typed, as it is typed (and for a
	// field left empty once enter was pressed on it): the one place a
	// field's problem is said (huh's own error line is off).
	check := func(field string) func(string) error {
		return func(s string) error { return m.check(field, s) }
	}
	describe := func(key string, value *string, validate func(string) error, help func() string) *huh.Input {
		tried := new(bool)
		m.tried[key] = tried
		in := huh.NewInput().Key(key).Value(value).Validate(validate)
		// Set on the event loop after every update (describe below), not
		// as huh's DescriptionFunc, which reads the value from a command's
		// goroutine while the form writes it.
		m.lines = append(m.lines, fieldLine{in: in, text: func() string {
			if strings.TrimSpace(*value) != "" || *tried {
				if err := validate(*value); err != nil {
					return "✗ " + err.Error()
				}
			}
			return help()
		}})
		return in
	}
	checkName := func(s string) error {
		s = strings.TrimSpace(s)
		if err := validate("name", s); err != nil {
			return err
		}
		if taken(s) {
			return fmt.Errorf("a profile named %q exists: choose another name or edit that one", s)
		}
		return nil
	}
	input := func(key, title string, value *string) *huh.Input {
		return describe(key, value, check(key), func() string {
			if key == "tenant" && isIssuer(*value) {
				return issuerHelp(*value)
			}
			return FieldHelp(key)
		}).Title(title)
	}
	tenantTitle := "Tenant"
	if editing != "" && isIssuer(initial.Tenant) {
		// A Cognito or OIDC profile: the field holds its issuer.
		tenantTitle = "Issuer"
	}
	tenantHelp := func() string {
		switch {
		case c.cfg.FindTenant == nil:
			return FieldHelp("tenant")
		case strings.Contains(v.Tenant, "@"):
			return "An e-mail address: on save, the tenant of its domain is looked up and shown for you to confirm."
		}
		return FieldHelp("tenant") + " Or your e-mail address: the tenant is found for you."
	}

	var basics []huh.Field
	if m.editing == "" {
		basics = append(basics, describe("name", &v.Name, checkName, func() string { return FieldHelp("name") }).Title("Profile name"))
	}
	var opts []huh.Option[profiles.Flow]
	for _, f := range profiles.Flows {
		opts = append(opts, huh.NewOption(describeFlow(profiles.Profile{}, f).Title, f))
	}
	basics = append(basics,
		huh.NewSelect[profiles.Flow]().Key("flow").Title("Sign-in flow").Description(FieldHelp("flow")).Options(opts...).Value(&v.Flow),
		describe("tenant", &v.Tenant, check("tenant"), func() string {
			if isIssuer(v.Tenant) {
				return issuerHelp(v.Tenant)
			}
			return tenantHelp()
		}).Title(tenantTitle),
		input("client_id", "Application (client) ID", &v.ClientID),
		input("cdf", "CDF cluster or URL", &v.CDF),
		input("project", "CDF project", &v.Project),
		huh.NewConfirm().Key("more").Title("More settings?").
			Description("Authority, scopes, redirect port, login hint, CA file, default profile: most profiles need none.").
			Affirmative("Show them").Negative("No").Value(&v.More),
	)

	secretHelp := FieldHelp("client_secret")
	if canStoreSecret {
		secretHelp += " A pasted value is kept in the OS keyring, never in profiles.yaml."
	}
	secret := describe("client_secret", &v.Secret, func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return errors.New("the secret flow needs a client secret (or env:VAR naming the variable that holds it)")
		}
		if profiles.ValidateSecretRef(s) != nil && !canStoreSecret {
			return errors.New("no keyring here: type env:VAR and set that variable to the secret")
		}
		return nil
	}, func() string {
		if s := strings.TrimSpace(v.Secret); s != "" && profiles.ValidateSecretRef(s) == nil {
			return "Reference: " + s + ". " + secretHelp
		}
		return secretHelp
	}).Title("Client secret")
	certPass := describe("certificate_password", &v.CertPassword, func(s string) error {
		s = strings.TrimSpace(s)
		if s != "" && profiles.ValidateSecretRef(s) != nil && !canStoreSecret {
			return errors.New("no keyring here: type env:VAR and set that variable to the password")
		}
		return nil
	}, func() string { return FieldHelp("certificate_password") }).Title("Certificate password")
	m.secrets = []*huh.Input{secret, certPass}

	groups := []*huh.Group{
		huh.NewGroup(basics...),
		huh.NewGroup(
			input("audience", "Audience", &v.Audience),
			input("token_url", "Token URL", &v.TokenURL),
			input("groups_claim", "Groups claim", &v.GroupsClaim),
		).Title("Identity provider").WithHideFunc(func() bool {
			// An OpenID provider's profile mostly needs its audience; a
			// Cognito profile rarely any of these: with the other settings.
			return !isIssuer(v.Tenant) || profiles.LooksLikeCognito(v.Tenant) && !v.More
		}),
		huh.NewGroup(secret).WithHideFunc(func() bool { return v.Flow != profiles.FlowSecret }),
		huh.NewGroup(input("certificate", "Certificate file", &v.Certificate), certPass).
			WithHideFunc(func() bool { return v.Flow != profiles.FlowCertificate }),
		huh.NewGroup(
			input("authority", "Authority", &v.Authority),
			input("scopes", "Scopes", &v.Scopes),
			input("redirect_port", "Redirect port (browser flow)", &v.RedirectPort),
			input("login_hint", "Login hint", &v.LoginHint),
			input("ca_file", "CA file", &v.CAFile),
			huh.NewConfirm().Key("default").Title("Default profile?").
				Description("The profile commands use without -p NAME.").Affirmative("Yes").Negative("No").Value(&v.Default),
		).Title("More settings").WithHideFunc(func() bool { return !v.More }),
	}
	km := huh.NewDefaultKeyMap()
	km.Quit.SetEnabled(false) // esc is the page's: it asks first
	theme := huh.ThemeFunc(huh.ThemeCharm)
	if c.st.Plain {
		theme = huh.ThemeFunc(huh.ThemeBase)
	}
	m.form = huh.NewForm(groups...).WithKeyMap(km).WithTheme(theme).WithShowHelp(true).WithShowErrors(false)
	m.echo()
	m.describe()
	return m
}

// check validates one field's value as typed.
func (m *profileForm) check(field, s string) error {
	s = strings.TrimSpace(s)
	if field == "cdf" {
		// One field for both: a URL is a cdf_url, anything else a cluster.
		if isCDFURL(s) {
			return m.validate("cdf_url", s)
		}
		return m.validate("cluster", s)
	}
	if field == "tenant" && isIssuer(s) {
		// The issuer of a Cognito user pool or another OpenID provider.
		return profiles.ValidateIssuer(s)
	}
	if field == "client_id" && isIssuer(m.vals.Tenant) {
		return profiles.ValidateProviderClientID(s)
	}
	if s == "" && field != "tenant" && field != "client_id" && field != "project" && field != "certificate" {
		return nil // optional
	}
	if field == "tenant" && strings.Contains(s, "@") && m.cfg.FindTenant != nil {
		// An e-mail address: its domain's tenant is looked up on save.
		_, err := insight.DomainOf(s)
		return err
	}
	return m.validate(field, s)
}

// echo shows a secret field's reference (env:VAR, keyring) in clear and
// masks anything else, which may be the secret itself.
func (m *profileForm) echo() {
	for i, in := range m.secrets {
		val := m.vals.Secret
		if i == 1 {
			val = m.vals.CertPassword
		}
		s := strings.TrimSpace(val)
		if s == "" || profiles.ValidateSecretRef(s) == nil || strings.HasPrefix(s, profiles.EnvRefPrefix) {
			in.EchoMode(huh.EchoModeNormal)
		} else {
			in.EchoMode(huh.EchoModePassword)
		}
	}
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

// SetSize sets the space the form may use.
func (m *profileForm) SetSize(w, h int) {
	m.width, m.height = w, h
	// Leave room under the fields for a validation message (huh adds it
	// below its viewport) and the discard question.
	m.form = m.form.WithWidth(w).WithHeight(max(h-3, 4))
}

// Init starts the form.
func (m *profileForm) Init() tea.Cmd { return m.form.Init() }

// changed reports whether anything was typed or chosen.
func (m *profileForm) changed() bool { return *m.vals != m.initial }

// Update passes msg to the form; a submitted form is a request to save
// it. Esc leaves an unchanged form at once and asks first on a changed
// one.
func (m *profileForm) Update(msg tea.Msg) (tea.Cmd, request) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if m.confirming {
			switch {
			case key.Matches(k, m.keys.Discard):
				return nil, reqFormCancelled{}
			case key.Matches(k, m.keys.Keep):
				m.confirming = false
			}
			return nil, nil
		}
		if key.Matches(k, m.keys.Cancel) {
			if !m.changed() {
				return nil, reqFormCancelled{}
			}
			m.confirming = true
			return nil, nil
		}
	}
	var before huh.Field
	if _, ok := msg.(tea.KeyPressMsg); ok {
		before = m.form.GetFocusedField()
	}
	fm, cmd := m.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.form = f
	}
	// A key that did not leave a field with a problem (enter on it): its
	// problem shows, even for an empty field.
	if before != nil && before.Error() != nil && m.form.GetFocusedField() == before {
		if t := m.tried[before.GetKey()]; t != nil {
			*t = true
		}
	}
	m.echo()
	m.describe()
	switch m.form.State {
	case huh.StateCompleted:
		return cmd, reqSaveProfile{vals: *m.vals, editing: m.editing, back: m.back}
	case huh.StateAborted:
		return cmd, reqFormCancelled{}
	}
	return cmd, nil
}

// View renders the form, and the discard question under it.
func (m *profileForm) View() string {
	s := m.form.View()
	if m.confirming {
		s = strings.TrimRight(s, "\n") + "\n\n" + strings.Join(para(m.st, "", 0, "Discard the changes to this profile? y: discard · n or esc: keep editing", m.width, 0, m.termWidth, m.st.Warn.Render), "\n")
	}
	return s
}

// Apply writes the form's values into p (a typed secret is replaced by
// its reference by the caller first). The CDF field sets the cluster or
// cdf_url and clears the other.
func (v formValues) Apply(p *profiles.Profile) {
	if t := strings.TrimSpace(v.Tenant); isIssuer(t) {
		// An issuer: a Cognito (by its host) or OIDC profile; an oidc
		// profile on a Cognito-looking host stays what it was.
		if p.IsEntra() || profiles.LooksLikeCognito(t) {
			p.Provider = profiles.ProviderOIDC
			if profiles.LooksLikeCognito(t) {
				p.Provider = profiles.ProviderCognito
			}
		}
		p.Issuer, p.Tenant = strings.TrimRight(t, "/"), ""
		p.Audience, p.TokenURL = strings.TrimSpace(v.Audience), strings.TrimSpace(v.TokenURL)
		p.GroupsClaimName = strings.TrimSpace(v.GroupsClaim)
	} else {
		if !p.IsEntra() {
			// Back to Entra: the other provider's settings go with it.
			p.Provider, p.Issuer, p.Audience, p.TokenURL, p.GroupsClaimName = "", "", "", "", ""
		}
		p.Tenant = t
	}
	p.ClientID = strings.TrimSpace(v.ClientID)
	if cdf := strings.TrimSpace(v.CDF); isCDFURL(cdf) {
		p.Cluster, p.CDFURL = "", strings.TrimRight(cdf, "/")
	} else {
		p.Cluster, p.CDFURL = cdf, ""
	}
	p.Project = strings.TrimSpace(v.Project)
	p.Flow = v.Flow
	switch v.Flow {
	case profiles.FlowSecret:
		p.ClientSecret = strings.TrimSpace(v.Secret)
	case profiles.FlowCertificate:
		p.Certificate = strings.TrimSpace(v.Certificate)
		p.CertificatePassword = strings.TrimSpace(v.CertPassword)
	}
	p.Authority = strings.TrimSpace(v.Authority)
	p.Scopes = profiles.ParseScopes(v.Scopes)
	p.RedirectPort, _ = strconv.Atoi(strings.TrimSpace(v.RedirectPort))
	p.LoginHint = strings.TrimSpace(v.LoginHint)
	p.CAFile = strings.TrimSpace(v.CAFile)
	p.Default = v.Default
}

// KeyMap is the form's help (huh renders its own key help; this adds
// esc, or the discard question's keys).
func (m *profileForm) KeyMap() help.KeyMap {
	if m.confirming {
		return keyMap{short: []key.Binding{m.keys.Discard, m.keys.Keep}, full: [][]key.Binding{{m.keys.Discard, m.keys.Keep}}}
	}
	return keyMap{short: []key.Binding{m.keys.Cancel}, full: [][]key.Binding{{m.keys.Cancel}}}
}

package profiles

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

// Import formats.
const (
	FormatDotenv  = "dotenv"
	FormatSDKYAML = "sdk-yaml"
	FormatPython  = "python"
)

// DefaultSecretEnv is the variable a cleartext secret is referenced by
// when no keyring is usable: the Toolkit's own.
const DefaultSecretEnv = "IDP_CLIENT_SECRET"

// ImportOptions tune an import.
type ImportOptions struct {
	// Name is the new profile's name; empty means the file's own
	// (cdflogin export) or the CDF project.
	Name string
	// Getenv resolves ${VAR} in settings that are not secrets (a Cognite
	// SDK YAML often has client_id: ${CLIENT_ID}); nil means none is set.
	Getenv func(string) string
}

// Imported is a profile read from another tool's file.
type Imported struct {
	Format  string
	Profile Profile
	// ClearSecret is a client secret found in clear text. It is never
	// put in Profile: the caller stores it in the keyring (and sets
	// ClientSecret to "keyring"), or else references SecretEnv with a
	// warning.
	ClearSecret string
	// SecretEnv is the variable to reference when ClearSecret cannot go
	// to the keyring.
	SecretEnv string
	// Notes are settings that were mapped with an assumption or left out
	// because cdflogin does not need them.
	Notes []string
}

// ImportError lists what in a file cannot be mapped to a profile. Nothing
// is guessed: the import stops.
type ImportError struct {
	Format   string
	Problems []string
}

// Error lists what could not be mapped.
func (e *ImportError) Error() string {
	return fmt.Sprintf("cannot import this %s file: %s", e.Format, strings.Join(e.Problems, "; "))
}

// DetectFormat tells a Cognite SDK YAML config from a Toolkit .env file.
func DetectFormat(data []byte) string {
	var n yaml.Node
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &n); err == nil && len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
		m := n.Content[0]
		for _, k := range []string{"client", "credentials", "cdflogin"} {
			if indexOfKey(m, k) >= 0 {
				return FormatSDKYAML
			}
		}
	}
	return FormatDotenv
}

// Import reads data in the given format ("" detects it).
func Import(data []byte, format string, opts ImportOptions) (*Imported, error) {
	if format == "" {
		format = DetectFormat(data)
	}
	var imp *Imported
	var err error
	switch format {
	case FormatDotenv:
		imp, err = ImportDotenv(data, opts)
	case FormatSDKYAML:
		imp, err = ImportSDKYAML(data, opts)
	default:
		return nil, fmt.Errorf("unknown import format %q: use dotenv or sdk-yaml", format)
	}
	if err != nil {
		return nil, err
	}
	if bad := unsafeFields(imp.Profile); len(bad) > 0 {
		return nil, &ImportError{Format: format, Problems: []string{fmt.Sprintf(
			"%s hold(s) control characters (an escape sequence, a line break or a bidirectional control) that would reach your terminal: remove them from the file", strings.Join(bad, ", "))}}
	}
	return imp, nil
}

// unsafeFields names the settings of p that hold characters a terminal
// would act on (ESC, CSI, OSC, C1, CR, bidi controls): an imported file
// is refused rather than cleaned, so that what is stored is what the file
// said.
func unsafeFields(p Profile) []string {
	var bad []string
	for field, v := range map[string]string{
		"name": p.Name, "tenant": p.Tenant, "client_id": p.ClientID, "cluster": p.Cluster, "project": p.Project,
		"authority": p.Authority, "cdf_url": p.CDFURL, "login_hint": p.LoginHint, "certificate": p.Certificate,
		"ca_file": p.CAFile, "client_secret": p.ClientSecret, "certificate_password": p.CertificatePassword,
		"scopes": strings.Join(p.Scopes, " "),
	} {
		if !textsafe.Safe(v) {
			bad = append(bad, field)
		}
	}
	sort.Strings(bad)
	return bad
}

// importer collects a profile and its problems.
type importer struct {
	out   *Imported
	probs []string
}

func (im *importer) problem(format string, a ...any) {
	im.probs = append(im.probs, fmt.Sprintf(format, a...))
}
func (im *importer) note(format string, a ...any) {
	im.out.Notes = append(im.out.Notes, fmt.Sprintf(format, a...))
}

// secret records a client secret value: a ${VAR} reference becomes
// env:VAR; anything else is clear text.
func (im *importer) secret(key, v string) {
	if v == "" {
		return
	}
	if name, ok := varRef(v); ok {
		im.out.Profile.ClientSecret = EnvRefPrefix + name
		return
	}
	if strings.HasPrefix(v, EnvRefPrefix) || v == RefKeyring {
		im.out.Profile.ClientSecret = v
		return
	}
	if strings.Contains(v, "${") {
		im.problem("%s mixes text and ${…} references: give the whole secret as one ${VAR}", key)
		return
	}
	im.out.ClearSecret = v
}

// authority maps an authority or token URL to tenant (+ authority when it
// is not the default one).
func (im *importer) authority(key, raw string, token bool) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		im.problem("%s %q is not a URL", key, raw)
		return
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if token {
		// <authority>/oauth2/v2.0/token or <authority>/oauth2/token
		p := strings.Trim(u.Path, "/")
		switch {
		case strings.HasSuffix(p, "/oauth2/v2.0/token"):
			p = strings.TrimSuffix(p, "/oauth2/v2.0/token")
		case strings.HasSuffix(p, "/oauth2/token"):
			im.note("%s is an Entra v1 token URL; cdflogin uses the v2.0 endpoint of the same tenant", key)
			p = strings.TrimSuffix(p, "/oauth2/token")
		default:
			im.problem("%s %q is not an Entra ID token URL (…/<tenant>/oauth2/v2.0/token): cdflogin signs in with Microsoft Entra ID only", key, raw)
			return
		}
		segs = strings.Split(p, "/")
	}
	if len(segs) == 0 || segs[len(segs)-1] == "" {
		im.problem("%s %q has no tenant in its path", key, raw)
		return
	}
	tenant := segs[len(segs)-1]
	p := &im.out.Profile
	if p.Tenant != "" && !strings.EqualFold(p.Tenant, tenant) {
		im.problem("%s names tenant %q but the tenant is %q: make them agree", key, tenant, p.Tenant)
		return
	}
	if p.Tenant == "" {
		p.Tenant = tenant
	}
	auth := u.Scheme + "://" + u.Host + "/" + strings.Join(segs, "/")
	if def := "https://login.microsoftonline.com/" + p.Tenant; !strings.EqualFold(auth, def) {
		if p.Authority != "" && !strings.EqualFold(p.Authority, auth) {
			im.problem("%s %q does not agree with the authority %q", key, raw, p.Authority)
			return
		}
		p.Authority = auth
	}
}

// cdfURL maps a CDF base URL to cluster (and cdf_url when it is not
// https://<cluster>.cognitedata.com).
func (im *importer) cdfURL(key, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		im.problem("%s %q is not a URL", key, raw)
		return
	}
	p := &im.out.Profile
	host := strings.ToLower(u.Host)
	if c, ok := strings.CutSuffix(host, ".cognitedata.com"); ok && !strings.Contains(c, ".") && u.Scheme == "https" && strings.Trim(u.Path, "/") == "" {
		if p.Cluster == "" {
			p.Cluster = c
		}
		if p.Cluster == c {
			return
		}
	}
	p.CDFURL = strings.TrimRight(raw, "/")
}

// scopes records scopes unless they are the default for the CDF URL.
func (im *importer) scopes(list []string) {
	p := &im.out.Profile
	if len(list) == 0 {
		return
	}
	if len(list) == 1 && strings.TrimRight(list[0], "/") == p.BaseURL()+"/.default" {
		return
	}
	p.Scopes = list
}

func (im *importer) finish(opts ImportOptions) (*Imported, error) {
	p := &im.out.Profile
	switch {
	case opts.Name != "":
		p.Name = opts.Name
	default:
		p.Name = sanitizeName(p.Project)
	}
	if p.Flow != FlowSecret {
		if im.out.ClearSecret != "" || p.ClientSecret != "" {
			im.note("the client secret is left out: the %s flow does not use one", p.Flow)
		}
		im.out.ClearSecret = ""
		p.ClientSecret = ""
	}
	if p.Flow == FlowSecret && im.out.ClearSecret == "" && p.ClientSecret == "" {
		im.problem("the client-credentials flow has no client secret: set %s (or give ${VAR})", DefaultSecretEnv)
	}
	if len(im.probs) > 0 {
		return nil, &ImportError{Format: im.out.Format, Problems: im.probs}
	}
	return im.out, nil
}

// sanitizeName makes a profile name from a project name.
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-._")
	if len(n) > 64 {
		n = n[:64]
	}
	if n == "" {
		n = "imported"
	}
	return n
}

// toolkitFlows maps LOGIN_FLOW.
var toolkitFlows = map[string]Flow{
	"interactive":        FlowBrowser,
	"device_code":        FlowDevice,
	"client_credentials": FlowSecret,
}

// dotenvKnown are the .env keys the importer reads.
var dotenvKnown = []string{
	"CDF_CLUSTER", "CDF_PROJECT", "CDF_URL", "LOGIN_FLOW", "PROVIDER", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET",
	"IDP_TENANT_ID", "IDP_TOKEN_URL", "IDP_SCOPES", "IDP_AUDIENCE", "IDP_AUTHORITY_URL", "CDF_TOKEN",
	"CDFLOGIN_REDIRECT_PORT", "CDFLOGIN_LOGIN_HINT", "CDFLOGIN_CA_FILE", "CDFLOGIN_CLIENT_SECRET",
	"IDP_DISCOVERY_URL", "CDFLOGIN_PROVIDER", "CDFLOGIN_ISSUER", "CDFLOGIN_GROUPS_CLAIM",
}

// ImportDotenv reads a Cognite Toolkit .env file.
func ImportDotenv(data []byte, opts ImportOptions) (*Imported, error) {
	im := &importer{out: &Imported{Format: FormatDotenv, SecretEnv: DefaultSecretEnv}}
	vars, probs := ParseDotenv(data)
	for _, pr := range probs {
		im.problem("line %d: %s", pr.Line, pr.Msg)
	}
	env := map[string]EnvVar{}
	var unknown []string
	for _, v := range vars {
		env[v.Key] = v
	}
	for k := range env {
		if !contains(dotenvKnown, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		im.note("not used by cdflogin: %s", strings.Join(unknown, ", "))
	}
	if len(env) == 0 {
		return nil, &ImportError{Format: FormatDotenv, Problems: append(im.probs, "no KEY=value settings found: is this a Cognite Toolkit .env file?")}
	}
	lookup := func(name string) (string, bool) {
		if v, ok := env[name]; ok {
			return v.Value, true
		}
		if opts.Getenv != nil {
			if s := opts.Getenv(name); s != "" {
				return s, true
			}
		}
		return "", false
	}
	get := func(key string) string {
		v, ok := env[key]
		if !ok || v.Quoted == '\'' {
			return v.Value
		}
		s, missing := expandRefs(v.Value, lookup)
		if len(missing) > 0 {
			im.problem("%s (line %d) refers to ${%s}, which is not set", key, v.Line, strings.Join(missing, "}, ${"))
		}
		return s
	}
	p := &im.out.Profile
	other := false
	switch prov := strings.ToLower(get("PROVIDER")); prov {
	case "", "entra_id", "entra", "azure_ad", "aad":
	case "other", "cognito", "oidc":
		// The Toolkit's "other": any OAuth provider, by token URL.
		other = true
	case "cdf":
		im.problem("PROVIDER=cdf is Cognite's own IdP session, which the Toolkit keeps itself: cdflogin signs in with Entra ID, Amazon Cognito or an OpenID provider")
	default:
		im.problem("PROVIDER=%s is not Microsoft Entra ID nor a Toolkit provider: use entra_id, or other for Amazon Cognito and any other OpenID provider", env["PROVIDER"].Value)
	}
	if _, ok := env["CDF_TOKEN"]; ok {
		im.note("CDF_TOKEN is left out: cdflogin gets its own tokens")
	}
	switch lf := strings.ToLower(get("LOGIN_FLOW")); {
	case lf == "":
		if env["IDP_CLIENT_SECRET"].Value != "" {
			p.Flow = FlowSecret
		} else {
			p.Flow = FlowBrowser
		}
		im.note("LOGIN_FLOW is not set: using the %s flow", p.Flow)
	case lf == "token":
		im.problem("LOGIN_FLOW=token uses a ready-made token: cdflogin signs in itself; set LOGIN_FLOW to interactive, device_code or client_credentials")
	default:
		f, ok := toolkitFlows[lf]
		if !ok {
			im.problem("LOGIN_FLOW=%s is not a Toolkit login flow (interactive, device_code, client_credentials)", env["LOGIN_FLOW"].Value)
		}
		p.Flow = f
	}
	p.Project = get("CDF_PROJECT")
	p.Cluster = get("CDF_CLUSTER")
	p.ClientID = get("IDP_CLIENT_ID")
	im.cdfURL("CDF_URL", get("CDF_URL"))
	if other {
		im.otherProvider(get)
	} else {
		im.entraDotenv(get)
	}
	if sv, ok := env["IDP_CLIENT_SECRET"]; ok {
		if sv.Quoted == '\'' {
			im.out.ClearSecret = sv.Value // single quotes: literal, never a reference
		} else {
			im.secret("IDP_CLIENT_SECRET", sv.Value)
		}
	}
	if s := get("CDFLOGIN_REDIRECT_PORT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			im.problem("CDFLOGIN_REDIRECT_PORT=%s is not a number", s)
		}
		p.RedirectPort = n
	}
	if ref := env["CDFLOGIN_CLIENT_SECRET"].Value; ref != "" {
		if err := ValidateSecretRef(ref); err != nil {
			im.problem("CDFLOGIN_CLIENT_SECRET: %v", err)
		} else {
			p.ClientSecret, im.out.ClearSecret = ref, ""
		}
	}
	p.LoginHint = get("CDFLOGIN_LOGIN_HINT")
	p.CAFile = get("CDFLOGIN_CA_FILE")
	return im.finish(opts)
}

// entraDotenv reads the Entra settings of a Toolkit .env.
func (im *importer) entraDotenv(get func(string) string) {
	p := &im.out.Profile
	p.Tenant = get("IDP_TENANT_ID")
	im.authority("IDP_AUTHORITY_URL", get("IDP_AUTHORITY_URL"), false)
	im.authority("IDP_TOKEN_URL", get("IDP_TOKEN_URL"), true)
	if p.Tenant == "" {
		im.problem("no tenant: set IDP_TENANT_ID (or IDP_TOKEN_URL)")
	}
	im.scopes(ParseScopes(get("IDP_SCOPES")))
	if aud := get("IDP_AUDIENCE"); aud != "" && strings.TrimRight(aud, "/") != p.BaseURL() {
		im.note("IDP_AUDIENCE=%s is left out: Entra ID v2 tokens are asked for by scope (set scopes instead if you need another resource)", aud)
	}
}

// otherProvider reads the settings of a Toolkit .env with PROVIDER=other
// (Amazon Cognito or another OAuth provider): IDP_TOKEN_URL, the issuer
// (IDP_DISCOVERY_URL, the discovery document's root), IDP_AUDIENCE and
// IDP_SCOPES; cdflogin's own CDFLOGIN_PROVIDER, CDFLOGIN_ISSUER and
// CDFLOGIN_GROUPS_CLAIM when it wrote the file.
func (im *importer) otherProvider(get func(string) string) {
	p := &im.out.Profile
	tokenURL := get("IDP_TOKEN_URL")
	issuer := strings.TrimSuffix(strings.TrimRight(firstNonEmptyStr(get("CDFLOGIN_ISSUER"), get("IDP_DISCOVERY_URL")), "/"), "/.well-known/openid-configuration")
	p.Provider = ProviderOIDC
	switch v := get("CDFLOGIN_PROVIDER"); {
	case v != "":
		prov, err := ParseProvider(v)
		if err != nil {
			im.problem("CDFLOGIN_PROVIDER: %v", err)
		}
		p.Provider = prov
	case LooksLikeCognito(tokenURL) || LooksLikeCognito(issuer):
		p.Provider = ProviderCognito
		im.note("the token URL is Amazon Cognito's: provider cognito")
	}
	p.TokenURL = tokenURL
	p.Issuer = issuer
	if tokenURL == "" && issuer == "" {
		im.problem("PROVIDER=other needs IDP_TOKEN_URL (the provider's token endpoint) or IDP_DISCOVERY_URL (its issuer)")
	}
	if p.Issuer == "" && p.Flow.IsUser() {
		im.problem("LOGIN_FLOW=%s with PROVIDER=other needs the issuer: set IDP_DISCOVERY_URL (e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>)", get("LOGIN_FLOW"))
	}
	if tenant := get("IDP_TENANT_ID"); tenant != "" {
		im.note("IDP_TENANT_ID=%s is left out: it is for Entra ID", tenant)
	}
	im.scopes(ParseScopes(get("IDP_SCOPES")))
	switch aud := get("IDP_AUDIENCE"); {
	case p.Provider == ProviderCognito && aud != "":
		im.note("IDP_AUDIENCE=%s is left out: Amazon Cognito takes no audience (its scopes name the resource server)", aud)
	case aud != "":
		p.Audience = aud
	case p.Provider == ProviderOIDC && p.Cluster != "":
		// What the Toolkit sends when IDP_AUDIENCE is not set.
		p.Audience = "https://" + p.Cluster + ".cognitedata.com"
		im.note("IDP_AUDIENCE is not set: using the Toolkit's default audience %s", p.Audience)
	}
	p.GroupsClaimName = get("CDFLOGIN_GROUPS_CLAIM")
}

func firstNonEmptyStr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// sdkClientIgnored are ClientConfig keys that are not about signing in.
var sdkClientIgnored = []string{"client_name", "api_subversion", "max_workers", "headers", "timeout", "file_transfer_timeout", "debug"}

// ImportSDKYAML reads a Cognite Python SDK YAML config (the "client:"
// section as CogniteClient.load takes it; a bare client mapping works
// too), with ${VAR} references.
func ImportSDKYAML(data []byte, opts ImportOptions) (*Imported, error) {
	im := &importer{out: &Imported{Format: FormatSDKYAML, SecretEnv: DefaultSecretEnv}}
	var doc yaml.Node
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &doc); err != nil {
		return nil, &ImportError{Format: FormatSDKYAML, Problems: []string{"not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &ImportError{Format: FormatSDKYAML, Problems: []string{"the file is not a mapping with a client: section"}}
	}
	top := doc.Content[0]
	client := top
	if i := indexOfKey(top, "client"); i >= 0 {
		client = top.Content[i+1]
		for j := 0; j+1 < len(top.Content); j += 2 {
			switch k := top.Content[j].Value; k {
			case "client", "cdflogin":
			case "global":
				im.note("the global: section is left out (not a sign-in setting)")
			default:
				im.note("top-level %q is left out", k)
			}
		}
	}
	if client.Kind != yaml.MappingNode {
		return nil, &ImportError{Format: FormatSDKYAML, Problems: []string{"client: must be a mapping"}}
	}
	p := &im.out.Profile
	scalar := func(where string, n *yaml.Node) string {
		if n.Kind != yaml.ScalarNode {
			im.problem("%s must be a single value", where)
			return ""
		}
		if n.Tag == "!!null" {
			return ""
		}
		return n.Value
	}
	expand := func(where string, s string) string {
		out, missing := expandRefs(s, func(name string) (string, bool) {
			if opts.Getenv == nil {
				return "", false
			}
			v := opts.Getenv(name)
			return v, v != ""
		})
		if len(missing) > 0 {
			im.problem("%s refers to ${%s}, which is not set in the environment: set it and import again", where, strings.Join(missing, "}, ${"))
		}
		return out
	}
	str := func(where string, n *yaml.Node) string { return expand(where, scalar(where, n)) }
	var baseURL string
	var creds *yaml.Node
	for i := 0; i+1 < len(client.Content); i += 2 {
		k, v := client.Content[i].Value, client.Content[i+1]
		switch {
		case k == "project":
			p.Project = str("client.project", v)
		case k == "base_url":
			baseURL = str("client.base_url", v)
		case k == "cluster" || k == "cdf_cluster":
			p.Cluster = str("client."+k, v)
		case k == "credentials":
			creds = v
		case contains(sdkClientIgnored, k):
			if k != "client_name" {
				im.note("client.%s is left out (not a sign-in setting)", k)
			}
		default:
			im.note("client.%s is not a ClientConfig setting cdflogin knows; left out", k)
		}
	}
	if creds == nil || creds.Kind != yaml.MappingNode || len(creds.Content) != 2 {
		im.problem("client.credentials must hold exactly one of interactive, device_code, client_credentials, client_certificate")
		return nil, &ImportError{Format: FormatSDKYAML, Problems: im.probs}
	}
	kind, body := creds.Content[0].Value, creds.Content[1]
	switch kind {
	case "interactive":
		p.Flow = FlowBrowser
	case "device_code":
		p.Flow = FlowDevice
	case "client_credentials":
		p.Flow = FlowSecret
	case "client_certificate":
		p.Flow = FlowCertificate
	case "token":
		im.problem("credentials.token is a ready-made token: cdflogin signs in itself; use interactive, device_code, client_credentials or client_certificate")
	default:
		im.problem("credentials.%s is not a Cognite SDK credential type", kind)
	}
	if body.Kind != yaml.MappingNode {
		if len(im.probs) == 0 {
			im.problem("credentials.%s must be a mapping", kind)
		}
		return nil, &ImportError{Format: FormatSDKYAML, Problems: im.probs}
	}
	var authority, tokenURL, audience string
	var scopeList []string
	for i := 0; i+1 < len(body.Content); i += 2 {
		k, v := body.Content[i].Value, body.Content[i+1]
		where := "credentials." + kind + "." + k
		switch k {
		case "authority_url":
			authority = str(where, v)
		case "token_url":
			tokenURL = str(where, v)
		case "client_id":
			p.ClientID = str(where, v)
		case "client_secret":
			im.secret(where, scalar(where, v))
		case "tenant_id":
			p.Tenant = str(where, v)
		case "cdf_cluster":
			if c := str(where, v); p.Cluster == "" {
				p.Cluster = c
			}
		case "redirect_port":
			if s := str(where, v); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					im.problem("%s %q is not a number", where, s)
				}
				if n != DefaultRedirectPort {
					p.RedirectPort = n
				}
			}
		case "scopes":
			if v.Kind == yaml.SequenceNode {
				for _, it := range v.Content {
					scopeList = append(scopeList, str(where, it))
				}
			} else {
				scopeList = ParseScopes(str(where, v))
			}
		case "audience":
			audience = str(where, v)
		case "certificate":
			im.note("%s (the PEM text) is not copied: cdflogin reads the certificate from its file", where)
		case "cert_thumbprint":
			im.note("%s is left out: cdflogin computes the thumbprint from the certificate", where)
		case "token_cache_path", "token_expiry_leeway_seconds", "clear_cache", "mem_cache_only":
			im.note("%s is left out: cdflogin keeps its own token cache", where)
		default:
			im.note("%s is left out (cdflogin has no such setting)", where)
		}
	}
	im.cdfURL("client.base_url", baseURL)
	if p.Cluster == "" && p.CDFURL == "" {
		im.problem("no CDF cluster: set client.base_url (https://<cluster>.cognitedata.com)")
	}
	im.scopes(scopeList)
	// cdflogin's own settings, written by cdflogin profile export.
	name := ""
	if i := indexOfKey(top, "cdflogin"); i >= 0 && top != client {
		ext := top.Content[i+1]
		if ext.Kind == yaml.MappingNode {
			if j := indexOfKey(ext, "profile"); j >= 0 {
				name = scalar("cdflogin.profile", ext.Content[j+1])
				ext.Content = append(ext.Content[:j:j], ext.Content[j+2:]...)
			}
			x, err := decodeProfile("cdflogin:", "import", ext)
			if err != nil {
				im.problem("%v", err)
			}
			if x.Tenant != "" {
				p.Tenant = x.Tenant
			}
			p.RedirectPort = firstNonZero(x.RedirectPort, p.RedirectPort)
			p.LoginHint, p.CAFile = x.LoginHint, x.CAFile
			p.Certificate, p.CertificatePassword = x.Certificate, x.CertificatePassword
			if x.ClientSecret != "" {
				p.ClientSecret, im.out.ClearSecret = x.ClientSecret, ""
			}
			p.Provider, p.Issuer, p.GroupsClaimName = x.Provider, x.Issuer, x.GroupsClaimName
		}
	}
	if opts.Name == "" && name != "" {
		opts.Name = name
	}
	if p.Provider == "" && tokenURL != "" && !isEntraTokenURL(tokenURL) {
		// OAuthClientCredentials(token_url=…) of another provider.
		p.Provider = ProviderOIDC
		if LooksLikeCognito(tokenURL) {
			p.Provider = ProviderCognito
		}
		im.note("token_url is not Entra ID's: provider %s", p.Provider)
	}
	if !p.IsEntra() {
		p.TokenURL, p.Audience = tokenURL, audience
		if authority != "" {
			im.note("authority_url is left out: it is for Entra ID")
		}
		return im.finish(opts)
	}
	if audience != "" {
		im.note("audience %s is left out: Entra ID v2 tokens are asked for by scope", audience)
	}
	im.authority("authority_url", authority, false)
	im.authority("token_url", tokenURL, true)
	if p.Tenant == "" {
		im.problem("no tenant: set authority_url (https://login.microsoftonline.com/<tenant>) or token_url")
	}
	if opts.Name == "" && name != "" {
		opts.Name = name
	}
	return im.finish(opts)
}

func firstNonZero(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isEntraTokenURL reports whether a token URL has Entra ID's form,
// https://<host>/<tenant>/oauth2[/v2.0]/token, on any host (a sovereign
// cloud, a custom authority, the sandbox).
func isEntraTokenURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(segs) == 3 && segs[1] == "oauth2" && segs[2] == "token":
		return true
	case len(segs) == 4 && segs[1] == "oauth2" && segs[2] == "v2.0" && segs[3] == "token":
		return true
	}
	return false
}

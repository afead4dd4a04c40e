package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognite-tools/cdflogin/internal/envquote"
)

// ExportFormats lists the formats of Export.
var ExportFormats = []string{FormatDotenv, FormatSDKYAML, FormatPython}

// Export writes p in format (dotenv, sdk-yaml or python). Secrets are
// written as references, never as values.
func Export(p Profile, format string) ([]byte, error) {
	switch format {
	case FormatDotenv:
		return ExportDotenv(p)
	case FormatSDKYAML:
		return ExportSDKYAML(p)
	case FormatPython:
		return ExportPython(p)
	}
	return nil, fmt.Errorf("unknown export format %q: use dotenv, sdk-yaml or python", format)
}

// secretEnvName is the variable an exported secret reference names: VAR of
// env:VAR, else IDP_CLIENT_SECRET.
func secretEnvName(ref string) string {
	if v, ok := EnvRefVar(ref); ok {
		return v
	}
	return DefaultSecretEnv
}

func keyringNote(p Profile, field string) string {
	return fmt.Sprintf("cdflogin keeps this secret in the OS keyring (service \"cdflogin\", item %q)", p.Name+"/"+field)
}

// ExportDotenv writes a Cognite Toolkit .env for p. The Toolkit has no
// certificate flow, so such a profile cannot be written this way.
func ExportDotenv(p Profile) ([]byte, error) {
	if !p.IsEntra() {
		return exportProviderDotenv(p)
	}
	var flow string
	switch p.Flow {
	case FlowBrowser:
		flow = "interactive"
	case FlowDevice:
		flow = "device_code"
	case FlowSecret:
		flow = "client_credentials"
	default:
		return nil, fmt.Errorf("the Cognite Toolkit .env has no %s flow: export this profile as sdk-yaml or python instead", p.Flow)
	}
	var b strings.Builder
	var qerr error
	w := func(k, v string) {
		q, err := envquote.Dotenv(v)
		if err != nil && qerr == nil {
			qerr = fmt.Errorf("profile %q cannot be written as a .env file: %s %w", p.Name, k, err)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, q)
	}
	fmt.Fprintf(&b, "# Cognite Toolkit .env written by cdflogin from profile %q.\n", p.Name)
	w("CDF_CLUSTER", p.Cluster)
	w("CDF_PROJECT", p.Project)
	w("CDF_URL", p.BaseURL())
	w("PROVIDER", "entra_id")
	w("LOGIN_FLOW", flow)
	w("IDP_CLIENT_ID", p.ClientID)
	w("IDP_TENANT_ID", p.Tenant)
	if p.Authority != "" {
		w("IDP_AUTHORITY_URL", p.AuthorityURL())
	}
	w("IDP_TOKEN_URL", p.AuthorityURL()+"/oauth2/v2.0/token")
	w("IDP_SCOPES", strings.Join(p.ScopeList(), ","))
	if p.Flow == FlowSecret {
		if p.ClientSecret == RefKeyring {
			fmt.Fprintf(&b, "# %s: set IDP_CLIENT_SECRET in your environment or here.\n", keyringNote(p, "client_secret"))
		}
		fmt.Fprintf(&b, "IDP_CLIENT_SECRET=${%s}\n", secretEnvName(p.ClientSecret))
	}
	keyringSecret := p.Flow == FlowSecret && p.ClientSecret == RefKeyring
	if p.RedirectPort != 0 || p.LoginHint != "" || p.CAFile != "" || keyringSecret {
		b.WriteString("# cdflogin's own settings (the Toolkit ignores them).\n")
		if keyringSecret {
			w("CDFLOGIN_CLIENT_SECRET", RefKeyring)
		}
		if p.RedirectPort != 0 {
			w("CDFLOGIN_REDIRECT_PORT", strconv.Itoa(p.RedirectPort))
		}
		if p.LoginHint != "" {
			w("CDFLOGIN_LOGIN_HINT", p.LoginHint)
		}
		if p.CAFile != "" {
			w("CDFLOGIN_CA_FILE", p.CAFile)
		}
	}
	if qerr != nil {
		return nil, qerr
	}
	return []byte(b.String()), nil
}

// sdkCredentialKind is the Cognite SDK's credential type of a flow.
func sdkCredentialKind(f Flow) string {
	switch f {
	case FlowDevice:
		return "device_code"
	case FlowSecret:
		return "client_credentials"
	case FlowCertificate:
		return "client_certificate"
	}
	return "interactive"
}

// ExportSDKYAML writes a Cognite Python SDK YAML config for p: a client:
// section for CogniteClient.load (secrets as ${VAR}, to be expanded with
// os.path.expandvars) and a cdflogin: section with the settings the SDK
// does not have, so that importing it again gives the same profile.
func ExportSDKYAML(p Profile) ([]byte, error) {
	if err := providerSDKExportable(p); err != nil {
		return nil, err
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	mapping := func(kv ...any) *yaml.Node {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i := 0; i+1 < len(kv); i += 2 {
			var v *yaml.Node
			switch x := kv[i+1].(type) {
			case string:
				v = str(x)
			case *yaml.Node:
				v = x
			}
			m.Content = append(m.Content, str(kv[i].(string)), v)
		}
		return m
	}
	scopes := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range p.ScopeList() {
		scopes.Content = append(scopes.Content, str(s))
	}
	var cred *yaml.Node
	switch p.Flow {
	case FlowSecret:
		cred = mapping("token_url", tokenURLOf(p), "client_id", p.ClientID,
			"client_secret", "${"+secretEnvName(p.ClientSecret)+"}", "scopes", scopes)
		if p.ClientSecret == RefKeyring {
			cred.Content[5].LineComment = keyringNote(p, "client_secret")
		}
		if p.Audience != "" {
			cred.Content = append(cred.Content, str("audience"), str(p.Audience))
		}
	case FlowCertificate:
		cred = mapping("authority_url", p.AuthorityURL(), "client_id", p.ClientID,
			"cert_thumbprint", "${CDF_CERT_THUMBPRINT}", "certificate", "${CDF_CERTIFICATE_PEM}", "scopes", scopes)
		cred.Content[4].HeadComment = "The SDK takes the PEM text and its SHA-1 thumbprint, e.g.\n  export CDF_CERTIFICATE_PEM=\"$(cat " + p.Certificate + ")\"\n  export CDF_CERT_THUMBPRINT=$(openssl x509 -in " + p.Certificate + " -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)"
	case FlowDevice:
		cred = mapping("authority_url", p.AuthorityURL(), "client_id", p.ClientID, "scopes", scopes)
	default:
		cred = mapping("authority_url", p.AuthorityURL(), "client_id", p.ClientID, "scopes", scopes,
			"redirect_port", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(p.Port())})
	}
	client := mapping("project", p.Project, "client_name", "cdflogin-"+p.Name, "base_url", p.BaseURL(),
		"credentials", mapping(sdkCredentialKind(p.Flow), cred))
	ext := mapping("profile", p.Name, "tenant", p.Tenant)
	if !p.IsEntra() {
		ext = mapping("profile", p.Name)
	}
	add := func(k, v string) {
		if v != "" {
			ext.Content = append(ext.Content, str(k), str(v))
		}
	}
	if !p.IsEntra() {
		add("provider", string(p.ProviderOf()))
		add("issuer", p.Issuer)
		add("groups_claim", p.GroupsClaimName)
	}
	if p.RedirectPort != 0 {
		ext.Content = append(ext.Content, str("redirect_port"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(p.RedirectPort)})
	}
	add("login_hint", p.LoginHint)
	add("client_secret", MaskedRef(p.ClientSecret))
	add("certificate", p.Certificate)
	add("certificate_password", MaskedRef(p.CertificatePassword))
	add("ca_file", p.CAFile)
	root := mapping("client", client, "cdflogin", ext)
	root.Content[0].HeadComment = fmt.Sprintf("Cognite SDK config written by cdflogin from profile %q.\nLoad it with: CogniteClient.load(yaml.safe_load(os.path.expandvars(text))[\"client\"])", p.Name)
	root.Content[2].HeadComment = "cdflogin's own settings (the SDK does not read them)."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("write sdk-yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write sdk-yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// pyStr is a Python string literal (envquote.Python). Profile values are
// UTF-8 text (profiles.yaml must be); anything else is made so first.
func pyStr(s string) string {
	q, _ := envquote.Python(strings.ToValidUTF8(s, "\uFFFD"))
	return q
}

func pyList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = pyStr(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// ExportPython writes a ready Cognite Python SDK snippet for p:
// OAuthInteractive, OAuthDeviceCode, OAuthClientCredentials or
// OAuthClientCertificate with a ClientConfig.
func ExportPython(p Profile) ([]byte, error) {
	if err := providerSDKExportable(p); err != nil {
		return nil, err
	}
	var b strings.Builder
	imports := []string{"from cognite.client import ClientConfig, CogniteClient"}
	var cred strings.Builder
	secretExpr := func(field, ref string) string {
		if ref == RefKeyring {
			imports = append(imports, "import keyring  # pip install keyring")
			return fmt.Sprintf("keyring.get_password(\"cdflogin\", %s)", pyStr(p.Name+"/"+field))
		}
		imports = append(imports, "import os")
		return fmt.Sprintf("os.environ[%s]", pyStr(secretEnvName(ref)))
	}
	switch p.Flow {
	case FlowBrowser:
		imports = append(imports, "from cognite.client.credentials import OAuthInteractive")
		fmt.Fprintf(&cred, "credentials = OAuthInteractive(\n    authority_url=%s,\n    client_id=%s,\n    scopes=%s,\n    redirect_port=%d,\n)\n",
			pyStr(p.AuthorityURL()), pyStr(p.ClientID), pyList(p.ScopeList()), p.Port())
	case FlowDevice:
		imports = append(imports, "from cognite.client.credentials import OAuthDeviceCode")
		fmt.Fprintf(&cred, "credentials = OAuthDeviceCode(\n    authority_url=%s,\n    client_id=%s,\n    scopes=%s,\n)\n",
			pyStr(p.AuthorityURL()), pyStr(p.ClientID), pyList(p.ScopeList()))
	case FlowSecret:
		imports = append(imports, "from cognite.client.credentials import OAuthClientCredentials")
		audience := ""
		if p.Audience != "" {
			audience = fmt.Sprintf("    audience=%s,\n", pyStr(p.Audience))
		}
		fmt.Fprintf(&cred, "credentials = OAuthClientCredentials(\n    token_url=%s,\n    client_id=%s,\n    client_secret=%s,\n    scopes=%s,\n%s)\n",
			pyStr(tokenURLOf(p)), pyStr(p.ClientID), secretExpr("client_secret", p.ClientSecret), pyList(p.ScopeList()), audience)
	case FlowCertificate:
		imports = append(imports,
			"from pathlib import Path",
			"from cryptography import x509",
			"from cryptography.hazmat.primitives import hashes",
			"from cognite.client.credentials import OAuthClientCertificate")
		if strings.HasSuffix(strings.ToLower(p.Certificate), ".pfx") || strings.HasSuffix(strings.ToLower(p.Certificate), ".p12") {
			fmt.Fprintf(&cred, "# The SDK needs PEM: convert once with\n#   openssl pkcs12 -in %s -out app.pem -nodes\n", p.Certificate)
		}
		if p.CertificatePassword != "" {
			cred.WriteString("# The SDK needs an unencrypted private key in the PEM.\n")
		}
		fmt.Fprintf(&cred, "pem = Path(%s).read_text()\nthumbprint = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1()).hex().upper()\n", pyStr(p.Certificate))
		fmt.Fprintf(&cred, "credentials = OAuthClientCertificate(\n    authority_url=%s,\n    client_id=%s,\n    cert_thumbprint=thumbprint,\n    certificate=pem,\n    scopes=%s,\n)\n",
			pyStr(p.AuthorityURL()), pyStr(p.ClientID), pyList(p.ScopeList()))
	default:
		return nil, fmt.Errorf("profile %q has no flow to export", p.Name)
	}
	fmt.Fprintf(&b, "\"\"\"Cognite SDK client for cdflogin profile %s.\"\"\"\n", pyStr(p.Name))
	seen := map[string]bool{}
	// "import x" lines first, then "from" lines, as isort would.
	for _, pass := range []bool{true, false} {
		for _, line := range imports {
			if strings.HasPrefix(line, "import ") == pass && !seen[line] {
				seen[line] = true
				b.WriteString(line + "\n")
			}
		}
	}
	b.WriteString("\n")
	b.WriteString(cred.String())
	if p.CAFile != "" {
		fmt.Fprintf(&b, "# Your network needs an extra CA: export REQUESTS_CA_BUNDLE=%s\n", p.CAFile)
	}
	fmt.Fprintf(&b, "client = CogniteClient(\n    ClientConfig(\n        client_name=%s,\n        project=%s,\n        base_url=%s,\n        credentials=credentials,\n    )\n)\n",
		pyStr("cdflogin-"+p.Name), pyStr(p.Project), pyStr(p.BaseURL()))
	b.WriteString("\nif __name__ == \"__main__\":\n    print(client.iam.token.inspect())\n")
	return []byte(b.String()), nil
}

// tokenURLOf is the token endpoint the Toolkit and the SDK are given: the
// Entra v2.0 endpoint of the tenant, or a Cognito/OIDC profile's
// token_url (the export command fills it from discovery when the profile
// has none).
func tokenURLOf(p Profile) string {
	if !p.IsEntra() {
		return p.TokenURL
	}
	return p.AuthorityURL() + "/oauth2/v2.0/token"
}

// ErrNeedsTokenURL means a Cognito or OIDC profile is exported without
// the token endpoint the Toolkit and the SDK need.
var ErrNeedsTokenURL = errors.New("the Toolkit and the Cognite SDK need the token endpoint")

// providerSDKExportable says why a Cognito or OIDC profile cannot be
// written for the Toolkit or the SDK: their person sign-ins
// (OAuthInteractive, OAuthDeviceCode) and certificates
// (OAuthClientCertificate) are Entra ID's (MSAL); only client credentials
// (OAuthClientCredentials with token_url) take any provider.
func providerSDKExportable(p Profile) error {
	if p.IsEntra() {
		return nil
	}
	if p.Flow != FlowSecret {
		return fmt.Errorf("profile %q (%s, %s flow) cannot be exported: the Cognite SDK and Toolkit sign in people and certificates with Entra ID only; "+
			"an app client with a secret (flow secret) exports as OAuthClientCredentials(token_url=…), and scripts can use `cdflogin token -p %s` as a Token", p.Name, p.ProviderOf(), p.Flow, p.Name)
	}
	if p.TokenURL == "" {
		return fmt.Errorf("profile %q: %w: set the profile's token_url (cdflogin profile edit %s --token-url URL, the token_endpoint of %s)", p.Name, ErrNeedsTokenURL, p.Name, p.DiscoveryURL())
	}
	return nil
}

// exportProviderDotenv writes a Toolkit .env for a Cognito or OIDC
// profile: PROVIDER=other, LOGIN_FLOW=client_credentials, IDP_TOKEN_URL,
// IDP_DISCOVERY_URL (the issuer), IDP_AUDIENCE and IDP_SCOPES, and
// cdflogin's provider, issuer and groups claim for a round trip.
func exportProviderDotenv(p Profile) ([]byte, error) {
	if err := providerSDKExportable(p); err != nil {
		return nil, err
	}
	var b strings.Builder
	var qerr error
	w := func(k, v string) {
		q, err := envquote.Dotenv(v)
		if err != nil && qerr == nil {
			qerr = fmt.Errorf("profile %q cannot be written as a .env file: %s %w", p.Name, k, err)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, q)
	}
	fmt.Fprintf(&b, "# Cognite Toolkit .env written by cdflogin from profile %q (%s).\n", p.Name, p.ProviderOf().Title())
	if p.Cluster != "" {
		w("CDF_CLUSTER", p.Cluster)
	}
	w("CDF_PROJECT", p.Project)
	w("CDF_URL", p.BaseURL())
	w("PROVIDER", "other")
	w("LOGIN_FLOW", "client_credentials")
	w("IDP_CLIENT_ID", p.ClientID)
	w("IDP_TOKEN_URL", p.TokenURL)
	if p.Issuer != "" {
		w("IDP_DISCOVERY_URL", p.IssuerURL())
	}
	if p.Audience != "" {
		w("IDP_AUDIENCE", p.Audience)
	}
	if scopes := p.ScopeList(); len(scopes) > 0 {
		w("IDP_SCOPES", strings.Join(scopes, ","))
	} else {
		b.WriteString("# No scopes: the audience names the API (without IDP_SCOPES the Toolkit asks for <cdf_url>/.default).\n")
	}
	if p.ClientSecret == RefKeyring {
		fmt.Fprintf(&b, "# %s: set IDP_CLIENT_SECRET in your environment or here.\n", keyringNote(p, "client_secret"))
	}
	fmt.Fprintf(&b, "IDP_CLIENT_SECRET=${%s}\n", secretEnvName(p.ClientSecret))
	b.WriteString("# cdflogin's own settings (the Toolkit ignores them).\n")
	w("CDFLOGIN_PROVIDER", string(p.ProviderOf()))
	if p.Issuer != "" {
		w("CDFLOGIN_ISSUER", p.IssuerURL())
	}
	if p.GroupsClaimName != "" {
		w("CDFLOGIN_GROUPS_CLAIM", p.GroupsClaimName)
	}
	if p.ClientSecret == RefKeyring {
		w("CDFLOGIN_CLIENT_SECRET", RefKeyring)
	}
	if p.CAFile != "" {
		w("CDFLOGIN_CA_FILE", p.CAFile)
	}
	if qerr != nil {
		return nil, qerr
	}
	return []byte(b.String()), nil
}

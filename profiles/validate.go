package profiles

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// RefKeyring is the secret reference that means "in the OS keyring, under
// this profile and field".
const RefKeyring = "keyring"

// EnvRefPrefix starts a secret reference to an environment variable.
const EnvRefPrefix = "env:"

// The patterns are compiled on first use, not at the start of every
// cdflogin process (nameRE and labelRE alone were 1 ms of a warm
// `cdflogin token`, docs/performance.md).
var (
	guidRE    = lazyRE(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	nameRE    = lazyRE(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	labelRE   = lazyRE(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	clusterRE = lazyRE(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	projectRE = lazyRE(`^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$`)
	envVarRE  = lazyRE(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// IsGUID reports whether s looks like a GUID (8-4-4-4-12 hex digits).
func IsGUID(s string) bool { return guidRE().MatchString(s) }

// ValidateName checks a profile name: letters, digits, '.', '_' and '-',
// starting with a letter or digit, at most 64 characters.
func ValidateName(name string) error {
	if name == "" {
		return errors.New("a profile needs a name, e.g. dev or prod")
	}
	if !nameRE().MatchString(name) {
		return fmt.Errorf("%q is not a usable profile name: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), e.g. dev or acme-prod", name)
	}
	return nil
}

// ValidateTenant checks a tenant: a directory (tenant) ID GUID or a
// verified domain such as contoso.onmicrosoft.com.
func ValidateTenant(tenant string) error {
	t := strings.TrimSpace(tenant)
	switch {
	case t == "":
		return errors.New("the tenant is missing: use the Directory (tenant) ID from the Entra admin center (Overview page) or a verified domain such as contoso.onmicrosoft.com")
	case t != tenant:
		return fmt.Errorf("tenant %q has spaces around it: remove them", tenant)
	case strings.Contains(t, "://"):
		return fmt.Errorf("tenant %q is a URL: the tenant is only the ID or domain (e.g. contoso.onmicrosoft.com); put a full URL in authority instead", tenant)
	case IsGUID(t):
		return nil
	}
	switch strings.ToLower(t) {
	case "common", "organizations", "consumers":
		return fmt.Errorf("tenant %q is a multi-tenant alias: CDF needs your own tenant, so use its Directory (tenant) ID or verified domain", tenant)
	}
	if !strings.Contains(t, ".") {
		if len(t) >= 30 && strings.Count(t, "-") >= 3 {
			return fmt.Errorf("tenant %q is not a GUID (like 72f988bf-86f1-41af-91ab-2d7cd011db47): copy the Directory (tenant) ID again", tenant)
		}
		return fmt.Errorf("tenant %q is neither a GUID nor a domain: use the Directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com", tenant)
	}
	for _, label := range strings.Split(t, ".") {
		if !labelRE().MatchString(label) {
			return fmt.Errorf("tenant %q is not a valid domain name: use a verified domain such as contoso.onmicrosoft.com or the Directory (tenant) ID", tenant)
		}
	}
	return nil
}

// ValidateClientID checks an application (client) ID: a GUID.
func ValidateClientID(id string) error {
	switch {
	case id == "":
		return errors.New("the client ID is missing: copy the Application (client) ID from the app registration's Overview page in the Entra admin center")
	case !IsGUID(id):
		return fmt.Errorf("client ID %q is not a GUID (like 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d): copy the Application (client) ID from the app registration's Overview page", id)
	}
	return nil
}

// ValidateCluster checks a CDF cluster name such as api, westeurope-1 or
// az-eastus-1 (the first part of <cluster>.cognitedata.com).
func ValidateCluster(cluster string) error {
	c := cluster
	switch {
	case c == "":
		return errors.New("the cluster is missing: use the first part of your CDF host, e.g. westeurope-1 for https://westeurope-1.cognitedata.com")
	case strings.Contains(c, "://"):
		host := c[strings.Index(c, "://")+3:]
		if i := strings.IndexAny(host, "./"); i > 0 {
			host = host[:i]
		}
		return fmt.Errorf("cluster %q is a URL: the cluster is only the first part of the host (here %q); to give a whole URL use cdf_url", cluster, host)
	case strings.Contains(c, "."):
		return fmt.Errorf("cluster %q has a dot: the cluster is only the first part of the host, e.g. %q for %s; to give a whole URL use cdf_url", cluster, c[:strings.Index(c, ".")], c)
	case !clusterRE().MatchString(c):
		return fmt.Errorf("cluster %q is not a cluster name: use lower-case letters, digits and '-', e.g. api, westeurope-1 or az-eastus-1", cluster)
	}
	return nil
}

// ValidateProject checks a CDF project's URL name (as in
// /api/v1/projects/<project>).
func ValidateProject(project string) error {
	switch {
	case project == "":
		return errors.New("the project is missing: use the CDF project's URL name, as in https://<cluster>.cognitedata.com/api/v1/projects/<project>")
	case strings.ContainsAny(project, " \t"):
		return fmt.Errorf("project %q has spaces: use the project's URL name (no spaces, e.g. %q), not its display name", project, strings.ToLower(strings.Join(strings.Fields(project), "-")))
	case strings.Contains(project, "/") || strings.Contains(project, ":"):
		return fmt.Errorf("project %q is not a project name: give only the name (as in /api/v1/projects/<project>), not a URL or path", project)
	case !projectRE().MatchString(project):
		return fmt.Errorf("project %q has characters a CDF project name cannot have: use letters, digits, '-' and '_'", project)
	}
	return nil
}

// flowAliases maps the names other tools use to cdflogin's flows.
var flowAliases = map[string]Flow{
	"interactive":        FlowBrowser,
	"auth_code":          FlowBrowser,
	"authorization_code": FlowBrowser,
	"device_code":        FlowDevice,
	"devicecode":         FlowDevice,
	"client_credentials": FlowSecret,
	"client_secret":      FlowSecret,
	"client_certificate": FlowCertificate,
	"cert":               FlowCertificate,
}

// ParseFlow returns the flow named s, accepting the Cognite SDK and
// Toolkit names (interactive, device_code, client_credentials,
// client_certificate) too.
func ParseFlow(s string) (Flow, error) {
	low := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Flows {
		if low == string(f) {
			return f, nil
		}
	}
	if f, ok := flowAliases[low]; ok {
		return f, nil
	}
	return "", ValidateFlow(s)
}

// ValidateFlow checks a flow name: browser, device, secret or certificate.
func ValidateFlow(s string) error {
	for _, f := range Flows {
		if s == string(f) {
			return nil
		}
	}
	if s == "" {
		return errors.New("the flow is missing: use browser, device, secret or certificate")
	}
	if f, ok := flowAliases[strings.ToLower(s)]; ok {
		return fmt.Errorf("flow %q is called %q here: use browser, device, secret or certificate", s, f)
	}
	return fmt.Errorf("flow %q is not a flow: use browser, device, secret or certificate", s)
}

func validateHTTPSURL(what, raw string, allowLocalHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return fmt.Errorf("%s %q is not a URL: write it like https://host/…", what, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not carry a user name or password", what)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%s %q has a query or fragment: remove the part after '?' or '#'", what, raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && allowLocalHTTP && isLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s %q does not use https: Entra and CDF only answer over https; write https://%s%s", what, raw, u.Host, u.EscapedPath())
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ValidateAuthority checks an authority URL (empty means the default
// https://login.microsoftonline.com/<tenant>).
func ValidateAuthority(authority string) error {
	if authority == "" {
		return nil
	}
	if err := validateHTTPSURL("authority", authority, false); err != nil {
		return err
	}
	u, _ := url.Parse(authority)
	if strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("authority %q has no tenant: add it, e.g. %s/<tenant-id>", authority, strings.TrimRight(authority, "/"))
	}
	return nil
}

// ValidateCDFURL checks a CDF base URL (empty means
// https://<cluster>.cognitedata.com).
func ValidateCDFURL(cdfURL string) error {
	if cdfURL == "" {
		return nil
	}
	if err := validateHTTPSURL("cdf_url", cdfURL, true); err != nil {
		return err
	}
	u, _ := url.Parse(cdfURL)
	if p := strings.Trim(u.Path, "/"); p != "" {
		return fmt.Errorf("cdf_url %q has a path: give only the base, e.g. %s://%s", cdfURL, u.Scheme, u.Host)
	}
	return nil
}

// ParseScopes splits a scope list written with commas and/or spaces.
func ParseScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// ValidateScopes checks a scope list (empty means <cdf_url>/.default).
func ValidateScopes(scopes []string) error {
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n,") {
			return fmt.Errorf("scope %q is not one scope: list scopes separately, e.g. https://api.cognitedata.com/.default", s)
		}
	}
	return nil
}

// ValidateRedirectPort checks the loopback port of the browser flow
// (0 means the default 53000).
func ValidateRedirectPort(port int) error {
	if port < 0 || port > 65535 {
		return fmt.Errorf("redirect port %d is out of range: use 1–65535 (the app registration must list http://localhost:<port>); default is %d", port, DefaultRedirectPort)
	}
	return nil
}

// ParseRedirectPort parses a port number given as text.
func ParseRedirectPort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("redirect port %q is not a number: use 1–65535 (default %d)", s, DefaultRedirectPort)
	}
	return n, ValidateRedirectPort(n)
}

// ValidateSecretRef checks a secret reference: empty, "keyring" or
// "env:VAR". The value is never quoted in the message (it may be the
// secret itself).
func ValidateSecretRef(ref string) error {
	if ref == "" || ref == RefKeyring {
		return nil
	}
	if v, ok := strings.CutPrefix(ref, EnvRefPrefix); ok {
		if envVarRE().MatchString(v) {
			return nil
		}
		return errors.New("the env: reference does not name an environment variable: write env:VAR with letters, digits and '_' (e.g. env:IDP_CLIENT_SECRET)")
	}
	return errors.New("this field holds a reference, never the secret itself: write env:VAR (e.g. env:IDP_CLIENT_SECRET) or keyring (store it with cdflogin profile edit NAME --secret-stdin)")
}

// MaskedRef is ref as it may be shown: a reference (env:VAR, keyring) as
// it is, anything else, which may be a secret pasted in place of its
// reference, as a placeholder.
func MaskedRef(ref string) string {
	if ValidateSecretRef(ref) == nil {
		return ref
	}
	return HiddenValue
}

// HiddenValue stands for a secret field's value that is not a reference
// (and so may be the secret itself) wherever a profile is shown.
const HiddenValue = "(hidden: not a reference)"

// EnvRefVar returns VAR of an "env:VAR" reference.
func EnvRefVar(ref string) (string, bool) {
	v, ok := strings.CutPrefix(ref, EnvRefPrefix)
	return v, ok && envVarRE().MatchString(v)
}

// ValidateEnvVar checks an environment variable name for --secret-env.
// The error never repeats what was given: it may be the secret itself,
// pasted where its variable's name belongs.
func ValidateEnvVar(name string) error {
	if !envVarRE().MatchString(name) {
		return fmt.Errorf("takes the name of an environment variable (letters, digits and '_', e.g. IDP_CLIENT_SECRET), not the secret itself; what was given (%d characters, not shown) is not a name", len(name))
	}
	return nil
}

func validateReadable(what, path string) error {
	if path == "" {
		return fmt.Errorf("the %s path is missing", what)
	}
	f, err := os.Open(path)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("%s %s does not exist: check the path (relative paths are from the current folder; prefer an absolute path)", what, path)
		case errors.Is(err, os.ErrPermission):
			return fmt.Errorf("%s %s cannot be read by you: fix its permissions (chmod 600 and own it)", what, path)
		}
		return fmt.Errorf("%s %s cannot be opened: %v", what, path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	if info.IsDir() {
		return fmt.Errorf("%s %s is a folder: give the file itself", what, path)
	}
	if err := checkFileInfo(what, path, info); err != nil {
		return err
	}
	return nil
}

// MaxFileRefSize bounds the files a profile names (certificate, ca_file):
// a CA bundle of every public root is a few hundred KB.
const MaxFileRefSize = 4 << 20

// checkFileInfo refuses what is not a plain file of a sane size: a
// device such as /dev/zero would be read without end.
func checkFileInfo(what, path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s %s is not a plain file: give the file itself", what, path)
	}
	if info.Size() > MaxFileRefSize {
		return fmt.Errorf("%s %s is %d bytes, more than a %s file can be (%d): is it the right file?", what, path, info.Size(), what, MaxFileRefSize)
	}
	return nil
}

// ReadFileRef reads a file a profile names (what is "certificate" or
// "ca_file"): a plain file of at most MaxFileRefSize bytes, read with
// that bound even if it grows meanwhile.
func ReadFileRef(what, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkFileInfo(what, path, info); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileRefSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileRefSize {
		return nil, fmt.Errorf("%s %s grew past %d bytes while it was read", what, path, MaxFileRefSize)
	}
	return data, nil
}

// ValidateCertificate checks that the certificate file (PEM with the
// private key, or PFX/P12) exists and can be read.
func ValidateCertificate(path string) error {
	return validateReadable("certificate", path)
}

// ValidateCAFile checks that the extra CA bundle (PEM) can be read.
func ValidateCAFile(path string) error {
	if path == "" {
		return nil
	}
	return validateReadable("ca_file", path)
}

// Validate checks every field of p and returns a *ValidationError listing
// all problems, or nil. It reads the certificate and ca_file to see that
// they exist.
func Validate(p Profile) error {
	var probs []*FieldError
	add := func(field string, err error) {
		if err != nil {
			probs = append(probs, &FieldError{Field: field, Msg: err.Error()})
		}
	}
	add("name", ValidateName(p.Name))
	validateProvider(p, add)
	if p.IsEntra() {
		add("tenant", ValidateTenant(p.Tenant))
	}
	if p.IsEntra() {
		add("client_id", ValidateClientID(p.ClientID))
	} else {
		add("client_id", ValidateProviderClientID(p.ClientID))
	}
	if p.ClientID != "" && strings.EqualFold(p.ClientID, p.Tenant) {
		add("client_id", errors.New("client ID is the same as the tenant ID: you copied the Directory (tenant) ID; use the Application (client) ID of the app registration"))
	}
	if p.Cluster != "" || p.CDFURL == "" {
		add("cluster", ValidateCluster(p.Cluster))
	}
	add("project", ValidateProject(p.Project))
	add("flow", ValidateFlow(string(p.Flow)))
	add("authority", ValidateAuthority(p.Authority))
	add("cdf_url", ValidateCDFURL(p.CDFURL))
	add("scopes", ValidateScopes(p.Scopes))
	add("redirect_port", ValidateRedirectPort(p.RedirectPort))
	add("client_secret", ValidateSecretRef(p.ClientSecret))
	add("certificate_password", ValidateSecretRef(p.CertificatePassword))
	switch p.Flow {
	case FlowSecret:
		if p.ClientSecret == "" {
			add("client_secret", errors.New("the secret flow needs a client secret reference: add it with --secret-env VAR or --secret-stdin (stored in the OS keyring)"))
		}
	case FlowCertificate:
		if p.Certificate == "" {
			add("certificate", errors.New("the certificate flow needs a certificate: give the path of a PEM (certificate and private key) or PFX file with --certificate PATH"))
		} else {
			add("certificate", ValidateCertificate(p.Certificate))
		}
	}
	if p.Flow != FlowCertificate && p.Certificate != "" {
		add("certificate", ValidateCertificate(p.Certificate))
	}
	add("ca_file", ValidateCAFile(p.CAFile))
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Profile: p.Name, Problems: probs}
}

// ValidateCDFLocation checks that a profile names its CDF one way: by
// cluster (https://<cluster>.cognitedata.com) or by cdf_url, not both.
func ValidateCDFLocation(cluster, cdfURL string) error {
	if cluster != "" && cdfURL != "" {
		return fmt.Errorf("cluster %q and cdf_url %q are both set: keep one — the cluster for https://<cluster>.cognitedata.com, or cdf_url for any other CDF URL", cluster, cdfURL)
	}
	return nil
}

// ValidateNew is Validate for a profile about to be written (added,
// edited, imported): on top of Validate, cluster and cdf_url must not
// both be set. (Profiles already in a file with both still load, and use
// cdf_url, so that no one's file stops working; the next change to them
// has to settle on one.)
func ValidateNew(p Profile) error {
	err := Validate(p)
	loc := ValidateCDFLocation(p.Cluster, p.CDFURL)
	if loc == nil {
		return err
	}
	ve, ok := err.(*ValidationError)
	if err != nil && !ok {
		return err
	}
	if ve == nil {
		ve = &ValidationError{Profile: p.Name}
	}
	ve.Problems = append(ve.Problems, &FieldError{Field: "cdf_url", Msg: loc.Error()})
	return ve
}

// ValidateField checks one setting given as text, by its YAML key — for
// forms that validate a field at a time. Keys without a check (login_hint,
// default) accept anything; an unknown key is an error naming the nearest.
func ValidateField(key, value string) error {
	switch key {
	case "name":
		return ValidateName(value)
	case "tenant":
		return ValidateTenant(value)
	case "client_id":
		return ValidateClientID(value)
	case "cluster":
		return ValidateCluster(value)
	case "project":
		return ValidateProject(value)
	case "flow":
		return ValidateFlow(value)
	case "authority":
		return ValidateAuthority(value)
	case "provider":
		return ValidateProvider(value)
	case "issuer":
		return ValidateIssuer(value)
	case "token_url":
		return ValidateTokenURL(value)
	case "groups_claim":
		return ValidateGroupsClaim(value)
	case "audience":
		return nil
	case "cdf_url":
		return ValidateCDFURL(value)
	case "scopes":
		return ValidateScopes(ParseScopes(value))
	case "redirect_port":
		if value == "" {
			return nil
		}
		_, err := ParseRedirectPort(value)
		return err
	case "client_secret", "certificate_password":
		return ValidateSecretRef(value)
	case "certificate":
		return ValidateCertificate(value)
	case "ca_file":
		return ValidateCAFile(value)
	case "login_hint", "default":
		return nil
	}
	if s := Nearest(key, Keys); s != "" {
		return fmt.Errorf("unknown setting %q; did you mean %q?", key, s)
	}
	return fmt.Errorf("unknown setting %q", key)
}

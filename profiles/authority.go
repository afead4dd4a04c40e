package profiles

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// microsoftLoginHosts are Microsoft Entra's sign-in hosts in every cloud
// (public, US Government, China operated by 21Vianet, and the aliases
// MSAL's instance discovery knows). Only these, loopback hosts (a sandbox
// or test tenant on this machine) and names reserved for tests are used
// without a warning.
var microsoftLoginHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login-us.microsoftonline.com":     true,
	"login.usgovcloudapi.net":          true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// MicrosoftLoginHosts lists the known hosts, for messages.
func MicrosoftLoginHosts() []string {
	return []string{"login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"}
}

// ASCIIHost is host as DNS sees it: lowercase, a Unicode (internationalized)
// name in its punycode (xn--) form. idn reports whether the name had, or
// is, such a form: a look-alike of a known host often is.
func ASCIIHost(host string) (ascii string, idn bool) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		a, err = idna.Punycode.ToASCII(h)
		if err != nil {
			a = h
		}
	}
	idn = a != h || strings.HasPrefix(a, "xn--") || strings.Contains(a, ".xn--")
	return a, idn
}

// ShownURL is raw with its host in ASCII (punycode) form, so that a
// Unicode look-alike of a known host cannot pass for it on screen.
func ShownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	host, _ := ASCIIHost(u.Hostname())
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	u.Host = host
	return u.String()
}

// AuthorityWarning says, for a profile whose authority is not one of
// Microsoft's sign-in hosts (nor a loopback host), where its sign-ins,
// client secret or certificate assertion go; "" for a known host. The
// host is named in punycode.
func (p Profile) AuthorityWarning() string {
	u, err := url.Parse(p.AuthorityURL())
	if err != nil {
		return ""
	}
	host, idn := ASCIIHost(u.Hostname())
	if microsoftLoginHosts[host] && !idn || isLoopbackHost(host) || specialUse(host) {
		return ""
	}
	what := "its sign-ins"
	switch p.Flow {
	case FlowSecret:
		what = "its client secret"
	case FlowCertificate:
		what = "its certificate-signed assertions"
	}
	intl := ""
	if idn {
		intl = " (an internationalized name, shown in punycode: it may imitate another host)"
	}
	return fmt.Sprintf("profile %q signs in at %s%s, which is not a Microsoft Entra sign-in host (%s): cdflogin sends %s there; keep it only if you run that identity provider",
		p.Name, host, intl, strings.Join(MicrosoftLoginHosts(), ", "), what)
}

// specialUse reports a name under a top-level domain reserved for tests
// (RFC 6761: .test, .invalid, .localhost), which no one can register and
// no public resolver answers, so that it never reaches a third party.
func specialUse(host string) bool {
	for _, tld := range []string{".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(host, tld) {
			return true
		}
	}
	return false
}

// KnownAuthorityHost reports whether the authority's host is a Microsoft
// sign-in host or a loopback host (no warning is due).
func (p Profile) KnownAuthorityHost() bool { return p.AuthorityWarning() == "" }

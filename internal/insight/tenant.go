package insight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/jsonlimit"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// DefaultAuthorityHost is where Entra ID (the public cloud) answers.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// Bounds of a discovery answer: a real one is about 2 KB and nests 2
// levels.
const (
	maxDiscoveryBytes   = 64 << 10
	maxDiscoveryNesting = 8
)

// ErrNotADomain is returned by DomainOf for text that is neither an
// e-mail address nor a domain name.
var ErrNotADomain = errors.New("not an e-mail address or a domain")

// TenantOfDomain is the Entra tenant that claims a domain, as the
// domain's OpenID discovery document tells it.
type TenantOfDomain struct {
	// Domain is the domain asked for, in lower case.
	Domain string
	// TenantID is the tenant's ID, from the issuer.
	TenantID string
	// Issuer is the document's issuer
	// (https://login.microsoftonline.com/<tenant-id>/v2.0).
	Issuer string
	// AuthorityHost is where it was asked (scheme and host).
	AuthorityHost string
	// DiscoveryURL is the document's address.
	DiscoveryURL string
	// Region is tenant_region_scope (e.g. "EU"), when the document says.
	Region string
	// Cloud is cloud_instance_name (e.g. "microsoftonline.com").
	Cloud string
}

// Authority is the tenant's authority URL on the host it was found on.
func (t *TenantOfDomain) Authority() string { return t.AuthorityHost + "/" + t.TenantID }

// DomainNotFoundError says that no tenant claims a domain: Entra answered
// AADSTS90002 (tenant not found) for it.
type DomainNotFoundError struct {
	Domain string
	Host   string
	// Answer is Entra's answer.
	Answer *aadsts.Error
}

func (e *DomainNotFoundError) Error() string {
	return fmt.Sprintf("no Entra tenant claims the domain %s at %s (AADSTS90002: tenant not found): check its spelling; "+
		"the domain must be a verified custom domain of the tenant (Entra admin center › Entra ID › Domain names), "+
		"or use the tenant ID instead", e.Domain, e.Host)
}

// Unwrap gives Entra's answer, for the diagnosis seam.
func (e *DomainNotFoundError) Unwrap() error { return e.Answer }

// DomainOf is the domain of an e-mail address (alice@contoso.com) or a
// domain (contoso.com), in lower case. The names Entra gives to no
// single tenant (common, organizations, consumers) are refused.
func DomainOf(s string) (string, error) {
	s = strings.TrimSpace(s)
	d := s
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		if i == 0 {
			return "", fmt.Errorf("%q: %w: nothing before the @", textsafe.Line(s), ErrNotADomain)
		}
		d = s[i+1:]
	}
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	if err := checkDomain(d); err != nil {
		return "", fmt.Errorf("%q: %w: %v", textsafe.Line(s), ErrNotADomain, err)
	}
	return d, nil
}

// checkDomain checks a domain name's shape: labels of letters, digits
// and hyphens, at least two, 253 characters at most.
func checkDomain(d string) error {
	if d == "" {
		return errors.New("no domain")
	}
	if len(d) > 253 {
		return errors.New("longer than a domain name can be")
	}
	if profiles.IsGUID(d) {
		return errors.New("that is a tenant ID: give it with --tenant")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		switch d {
		case "common", "organizations", "consumers":
			return fmt.Errorf("%s stands for many tenants, not one", d)
		}
		return errors.New("a domain has a dot, e.g. contoso.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%q is not a label of a domain name", textsafe.Line(l))
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("%q is not a label of a domain name (write an international domain in its xn-- form)", textsafe.Line(l))
			}
		}
	}
	return nil
}

// AuthorityHostOf is the scheme and host of an authority URL (its tenant
// path, if any, is dropped); "" gives DefaultAuthorityHost.
func AuthorityHostOf(authority string) (string, error) {
	if strings.TrimSpace(authority) == "" {
		return DefaultAuthorityHost, nil
	}
	u, err := url.Parse(strings.TrimSpace(authority))
	if err != nil || u.Host == "" || u.Scheme != "https" || u.User != nil {
		return "", fmt.Errorf("authority %q: give an https URL such as %s", textsafe.Line(authority), DefaultAuthorityHost)
	}
	return "https://" + u.Host, nil
}

// TenantDiscoveryURL is where the OpenID discovery document of domain
// lives on host: <host>/<domain>/v2.0/.well-known/openid-configuration.
func TenantDiscoveryURL(host, domain string) string {
	return strings.TrimRight(host, "/") + "/" + url.PathEscape(domain) + "/v2.0/.well-known/openid-configuration"
}

// FindTenant finds the Entra tenant that claims domain through the
// domain's OpenID discovery document on authorityHost (scheme and host,
// e.g. https://login.microsoftonline.com): its issuer carries the tenant
// ID. A domain no tenant claims gives a *DomainNotFoundError.
func FindTenant(ctx context.Context, client *http.Client, authorityHost, domain string) (*TenantOfDomain, error) {
	if client == nil {
		client = http.DefaultClient
	}
	u := TenantDiscoveryURL(authorityHost, domain)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("find the tenant of %s: %w", domain, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("find the tenant of %s: %w", domain, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("find the tenant of %s: read %s: %w", domain, u, err)
	}
	return ParseTenantDiscovery(authorityHost, domain, body, resp.StatusCode)
}

// ParseTenantDiscovery reads the answer to the discovery request for
// domain on host (body with its HTTP status): the tenant ID from the
// issuer, or Entra's error (AADSTS90002 as a *DomainNotFoundError). The
// answer is bounded (size and nesting) and its texts made safe.
func ParseTenantDiscovery(host, domain string, body []byte, status int) (*TenantOfDomain, error) {
	u := TenantDiscoveryURL(host, domain)
	if status/100 != 2 {
		if ae, ok := aadsts.ParseBody(body, status); ok {
			ae.Source = aadsts.SourceDiscovery
			for _, c := range ae.Codes {
				if c == 90002 {
					return nil, &DomainNotFoundError{Domain: domain, Host: host, Answer: ae}
				}
			}
			return nil, fmt.Errorf("find the tenant of %s: %s answered HTTP %d: %w", domain, u, status, ae)
		}
		return nil, fmt.Errorf("find the tenant of %s: %s answered HTTP %d, not Entra's discovery document or error", domain, u, status)
	}
	if err := jsonlimit.Check("the discovery document of "+domain, body, maxDiscoveryNesting, maxDiscoveryBytes); err != nil {
		return nil, fmt.Errorf("find the tenant of %s: %w", domain, err)
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
		Region        string `json:"tenant_region_scope"`
		Cloud         string `json:"cloud_instance_name"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("find the tenant of %s: %s is not an OpenID discovery document: %w", domain, u, err)
	}
	tid, err := tenantOfIssuer(doc.Issuer)
	if err != nil {
		return nil, fmt.Errorf("find the tenant of %s: %s: %w", domain, u, err)
	}
	return &TenantOfDomain{
		Domain: domain, TenantID: tid, Issuer: textsafe.Line(doc.Issuer),
		AuthorityHost: strings.TrimRight(host, "/"), DiscoveryURL: u,
		Region: textsafe.Line(trunc(doc.Region, 64)), Cloud: textsafe.Line(trunc(doc.Cloud, 128)),
	}, nil
}

// tenantOfIssuer is the tenant ID in an Entra v2.0 issuer:
// https://<host>/<tenant-id>/v2.0 (or the v1.0 https://<host>/<tenant-id>/).
func tenantOfIssuer(issuer string) (string, error) {
	if issuer == "" {
		return "", errors.New("the document names no issuer")
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("the issuer %q is not an https URL", textsafe.Line(trunc(issuer, 200)))
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if first == "{tenantid}" {
		return "", errors.New("the document is the one of many tenants (its issuer has {tenantid}), not of one")
	}
	if !profiles.IsGUID(first) {
		return "", fmt.Errorf("the issuer %q carries no tenant ID", textsafe.Line(trunc(issuer, 200)))
	}
	return strings.ToLower(first), nil
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// FindTenantOf finds the tenant of an e-mail address or a domain (given)
// on the host of authority (its tenant path dropped; "" is Entra's public
// cloud): DomainOf, AuthorityHostOf and FindTenant in one, as the profile
// form uses them.
func FindTenantOf(ctx context.Context, client *http.Client, authority, given string) (*TenantOfDomain, error) {
	domain, err := DomainOf(given)
	if err != nil {
		return nil, err
	}
	host, err := AuthorityHostOf(authority)
	if err != nil {
		return nil, err
	}
	return FindTenant(ctx, client, host, domain)
}

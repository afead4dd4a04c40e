package claims

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Severity ranks a Finding.
type Severity int

// Severities, from fine to broken.
const (
	SeverityOK Severity = iota
	SeverityInfo
	SeverityWarn
	SeverityError
)

var severityNames = [...]string{"ok", "info", "warn", "error"}

// String is the severity's name: ok, info, warn or error.
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity's name ("ok", "info", "warn", "error").
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if string(b) == n {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// Finding is the result of one check: what was found and, when something is
// wrong, how to fix it (in the words of the Entra admin center or CDF).
type Finding struct {
	Severity Severity `json:"severity"`
	ID       string   `json:"id"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// Worst returns the highest severity among findings (SeverityOK for none).
func Worst(fs []Finding) Severity {
	w := SeverityOK
	for _, f := range fs {
		if f.Severity > w {
			w = f.Severity
		}
	}
	return w
}

// Check IDs, stable: they appear in JSON output and docs/insight.md.
const (
	IDExpiry        = "expiry"
	IDNotBefore     = "not-before"
	IDClockSkew     = "clock-skew"
	IDAudience      = "audience"
	IDTenant        = "tenant"
	IDIssuer        = "issuer-version"
	IDKind          = "token-kind"
	IDScopes        = "scopes"
	IDRoles         = "roles"
	IDGroups        = "groups"
	IDGroupsOverage = "groups-overage"
	IDGroupsCount   = "groups-count"
	IDSignature     = "signature"
)

// DefaultMaxGroups is CDF's limit of groups per principal (documented in
// CDF's IAM limits: "Groups per principal: 20"; more "may result in login
// issues"). A token with more groups is reported (only the groups that map
// to CDF groups count, which the claims alone cannot tell). Entra itself
// puts at most 200 groups in a JWT and sends the overage claims beyond.
const DefaultMaxGroups = 20

// DefaultMaxSkew is how far this machine's clock may be from Entra's
// before it is reported.
const DefaultMaxSkew = 5 * time.Minute

// Expect is what a profile expects of its token. Zero fields skip the
// checks that need them.
type Expect struct {
	// Now is this machine's time.
	Now time.Time
	// Tenant is the profile's tenant: a GUID can be compared with tid; a
	// domain or "organizations"/"common" cannot.
	Tenant string
	// CDFURL is the profile's CDF base URL, e.g. https://westeurope-1.cognitedata.com.
	// Without an Audience the token's aud is judged against it.
	CDFURL string
	// Audience is the aud CDF accepts, as far as cdflogin can tell, and
	// where that comes from; when set, aud is judged against it instead
	// of CDFURL (which can be a proxy or private link's address).
	Audience Audience
	// ClientID is the profile's app (client) ID.
	ClientID string
	// UserFlow is true for browser/device profiles, false for
	// secret/certificate; nil means unknown (judged from the token).
	UserFlow *bool
	// IDToken checks an ID token rather than an access token: aud must be
	// the client ID and the CDF checks are skipped.
	IDToken bool
	// Fresh means the token was issued just now (not from a cache), so
	// iat far from Now shows clock skew.
	Fresh bool
	// ExpectRoles lists app roles the token must carry (app tokens).
	ExpectRoles []string
	// MaxGroups is how many groups CDF accepts per principal; 0 means
	// DefaultMaxGroups.
	MaxGroups int
	// MaxSkew is the clock skew tolerated; 0 means DefaultMaxSkew.
	MaxSkew time.Duration

	// Provider is "cognito" or "oidc" for a token of Amazon Cognito or
	// another OpenID provider ("" is Entra ID): the checks are then the
	// provider's (CheckProvider).
	Provider string
	// Issuer is the provider's issuer the token's iss must be.
	Issuer string
	// GroupsClaim is the claim that carries the groups (groups,
	// cognito:groups, or the profile's groups_claim).
	GroupsClaim string
	// Scopes are the scopes a user token must carry for CDF (Cognito:
	// <resource-server>/IDENTITY and …/user_impersonation); any one of
	// them is enough, as CDF needs IDENTITY or user_impersonation.
	Scopes []string
}

// Audience is the aud CDF accepts for a profile's tokens.
type Audience struct {
	// URL is the audience, e.g. https://westeurope-1.cognitedata.com (or
	// an application ID URI).
	URL string
	// From says where it comes from, as the finding names it: "project
	// acme's audience in CDF", "the resource the profile's scopes ask
	// for", "the profile's cluster URL".
	From string
	// Fix is what to do when the token's aud differs.
	Fix string
	// FromCDF says CDF itself said so (the project's configured
	// audience), so where CDF is reached does not matter.
	FromCDF bool
}

// IsGUID reports whether s is a GUID such as a tenant or client ID: 8-4-4-4-12
// hex digits. It is checked by hand rather than with a regexp, which every
// process would otherwise compile at start-up.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Check runs every check that Expect allows on tok, in a fixed order, and
// returns one Finding per check (ok ones too, so a screen can show ✓).
func Check(tok *Token, exp Expect) []Finding {
	if exp.Provider != "" && exp.Provider != "entra" {
		return checkProvider(tok, exp)
	}
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	if !exp.Now.IsZero() {
		for _, f := range checkTimes(tok, exp) {
			add(f)
		}
	}
	switch {
	case exp.IDToken:
		add(checkIDAudience(tok, exp))
	case exp.Audience.URL != "":
		add(checkAudienceOf(tok, exp.Audience, exp.CDFURL))
	case exp.CDFURL != "":
		add(checkAudience(tok, exp.CDFURL))
	}
	if exp.Tenant != "" {
		add(checkTenant(tok, exp.Tenant))
	}
	add(checkIssuer(tok))
	if exp.IDToken {
		return fs
	}
	if f, ok := checkKind(tok, exp); ok {
		add(f)
	}
	if tok.IsApp() {
		add(checkRoles(tok, exp))
	} else {
		add(checkScopes(tok))
	}
	for _, f := range checkGroups(tok, exp) {
		add(f)
	}
	return fs
}

func checkTimes(tok *Token, exp Expect) []Finding {
	now := exp.Now
	skew := exp.MaxSkew
	if skew == 0 {
		skew = DefaultMaxSkew
	}
	var fs []Finding
	if e, ok := tok.Expiry(); !ok {
		fs = append(fs, Finding{SeverityError, IDExpiry, "the token has no exp claim; CDF rejects tokens without an expiry", "Use an access token issued by Entra ID for CDF"})
	} else if !now.Before(e) {
		fs = append(fs, Finding{SeverityError, IDExpiry, "the token expired " + RelativeTo(e, now) + " (" + e.UTC().Format(time.RFC3339) + ")", "Get a new token: cdflogin login (or cdflogin token, which refreshes)"})
	} else if e.Sub(now) < 5*time.Minute {
		fs = append(fs, Finding{SeverityWarn, IDExpiry, "the token expires " + RelativeTo(e, now), "cdflogin token refreshes it; scripts should ask for a new token shortly before expiry"})
	} else {
		fs = append(fs, Finding{SeverityOK, IDExpiry, "valid until " + e.UTC().Format(time.RFC3339) + " (" + RelativeTo(e, now) + ")", ""})
	}
	if nbf, ok := tok.Time("nbf"); ok && nbf.After(now) {
		sev := SeverityWarn
		if nbf.Sub(now) > skew {
			sev = SeverityError
		}
		fs = append(fs, Finding{sev, IDNotBefore, "the token is not valid yet: nbf is " + RelativeTo(nbf, now), "Check this machine's clock (it may be behind); CDF will reject the token until then"})
	}
	if iat, ok := tok.Time("iat"); ok {
		d := iat.Sub(now)
		switch {
		case d > skew:
			fs = append(fs, Finding{SeverityWarn, IDClockSkew, fmt.Sprintf("the token was issued %s, which is in the future: this machine's clock is about %s behind Entra's", RelativeTo(iat, now), Relative(d)), "Synchronise the clock (e.g. timedatectl set-ntp true, or Windows: Settings › Time › Sync now)"})
		case exp.Fresh && -d > skew:
			fs = append(fs, Finding{SeverityWarn, IDClockSkew, fmt.Sprintf("the token was just issued but iat says %s: this machine's clock is about %s ahead of Entra's", RelativeTo(iat, now), Relative(d)), "Synchronise the clock (e.g. timedatectl set-ntp true, or Windows: Settings › Time › Sync now)"})
		default:
			fs = append(fs, Finding{SeverityOK, IDClockSkew, "issued " + RelativeTo(iat, now) + "; no clock skew seen", ""})
		}
	}
	return fs
}

// normalizeURL gives scheme://host[:port] in lower case without a trailing
// slash, or "" when s is not an absolute URL.
func normalizeURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if (u.Scheme == "https" && strings.HasSuffix(host, ":443")) || (u.Scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return strings.ToLower(u.Scheme) + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

func checkAudience(tok *Token, cdfURL string) Finding {
	want := normalizeURL(cdfURL)
	auds := tok.Audience()
	if len(auds) == 0 {
		return Finding{SeverityError, IDAudience, "the token has no aud claim: CDF cannot accept it", "Ask for the scope " + strings.TrimRight(cdfURL, "/") + "/.default"}
	}
	var guids []string
	for _, a := range auds {
		if normalizeURL(a) == want && want != "" {
			return Finding{SeverityOK, IDAudience, "aud " + a + " is the profile's CDF URL", ""}
		}
		if IsGUID(a) {
			guids = append(guids, a)
		}
	}
	if len(guids) == len(auds) {
		return Finding{SeverityInfo, IDAudience, "aud " + strings.Join(auds, ", ") + " is an application ID, which cannot be compared with the CDF URL " + cdfURL + " here", "If CDF answers 401, check that the token was requested for " + strings.TrimRight(cdfURL, "/") + "/.default"}
	}
	return Finding{SeverityError, IDAudience,
		fmt.Sprintf("aud %s is not the profile's CDF URL %s: the token is for another cluster or API, and CDF will answer 401", strings.Join(auds, ", "), cdfURL),
		"Set the profile's cluster/cdf_url to the cluster the project lives on, and its scopes to <cdf_url>/.default (or remove custom scopes)"}
}

// checkAudienceOf judges aud against the audience CDF accepts. When CDF
// is reached at another address (cdfURL: a proxy, a private link) the
// token is not wrong for it, but the finding says where it goes.
func checkAudienceOf(tok *Token, want Audience, cdfURL string) Finding {
	auds := tok.Audience()
	if len(auds) == 0 {
		return Finding{SeverityError, IDAudience, "the token has no aud claim: CDF cannot accept it", "Ask for the scope " + strings.TrimRight(want.URL, "/") + "/.default"}
	}
	norm := normalizeURL(want.URL)
	var guids []string
	for _, a := range auds {
		if strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(want.URL, "/")) || (norm != "" && normalizeURL(a) == norm) {
			if via := normalizeURL(cdfURL); !want.FromCDF && via != "" && normalizeURL(a) != "" && normalizeURL(a) != via {
				return Finding{SeverityInfo, IDAudience, "aud " + a + " is " + want.From + "; CDF is reached at " + cdfURL + " (a proxy or private link), which must accept tokens for it",
					"If CDF answers 401 there, set the profile's scopes to the /.default of the API that address serves"}
			}
			return Finding{SeverityOK, IDAudience, "aud " + a + " is " + want.From, ""}
		}
		if IsGUID(a) {
			guids = append(guids, a)
		}
	}
	if len(guids) == len(auds) {
		return Finding{SeverityInfo, IDAudience, "aud " + strings.Join(auds, ", ") + " is an application ID, which cannot be compared with " + want.From + " " + want.URL + " here",
			"If CDF answers 401, check that the token was requested for " + strings.TrimRight(want.URL, "/") + "/.default"}
	}
	return Finding{SeverityError, IDAudience,
		fmt.Sprintf("aud %s is not %s %s: the token is for another cluster or API, and CDF will answer 401", strings.Join(auds, ", "), want.From, want.URL), want.Fix}
}

func checkIDAudience(tok *Token, exp Expect) Finding {
	auds := tok.Audience()
	if exp.ClientID == "" {
		return Finding{SeverityInfo, IDAudience, "ID token for " + strings.Join(auds, ", "), ""}
	}
	for _, a := range auds {
		if strings.EqualFold(a, exp.ClientID) {
			return Finding{SeverityOK, IDAudience, "aud is the profile's client ID", ""}
		}
	}
	return Finding{SeverityError, IDAudience, fmt.Sprintf("the ID token's aud %s is not the profile's client ID %s", strings.Join(auds, ", "), exp.ClientID), "Check the profile's client_id against App registrations › app › Overview › Application (client) ID"}
}

func checkTenant(tok *Token, tenant string) Finding {
	tid := tok.TenantID()
	switch {
	case tid == "":
		return Finding{SeverityWarn, IDTenant, "the token has no tid claim", "Use a token issued by an Entra ID tenant"}
	case !IsGUID(tenant):
		return Finding{SeverityInfo, IDTenant, fmt.Sprintf("the token is from tenant %s; the profile names its tenant as %q, which is not a GUID and cannot be compared", tid, tenant), "Put the Directory (tenant) ID GUID in the profile to have this checked: Entra ID › Overview › Tenant ID"}
	case strings.EqualFold(tid, tenant):
		return Finding{SeverityOK, IDTenant, "tid is the profile's tenant " + tid, ""}
	default:
		return Finding{SeverityError, IDTenant, fmt.Sprintf("the token is from tenant %s, not the profile's tenant %s: the signed-in account or app belongs to another directory", tid, tenant), "Sign in with an account of tenant " + tenant + ", or fix the profile's tenant (Entra ID › Overview › Tenant ID)"}
	}
}

// checkIssuer compares the issuer's form with ver: v1.0 tokens come from
// https://sts.windows.net/<tid>/, v2.0 tokens from .../<tid>/v2.0.
func checkIssuer(tok *Token) Finding {
	iss, ver := tok.Issuer(), tok.Version()
	if iss == "" {
		return Finding{SeverityError, IDIssuer, "the token has no iss claim: CDF cannot tell who issued it", "Use a token issued by Entra ID"}
	}
	v2iss := strings.HasSuffix(strings.TrimRight(iss, "/"), "/v2.0")
	v1iss := strings.Contains(iss, "://sts.windows.net/") || (!v2iss && strings.Contains(iss, "://"))
	switch {
	case ver == "2.0" && !v2iss:
		return Finding{SeverityWarn, IDIssuer, fmt.Sprintf("the token says ver 2.0 but its issuer %s has the v1.0 form", iss), "CDF's project must trust the issuer the token carries; check the project's identity provider configuration (issuer) against it"}
	case ver == "1.0" && v2iss:
		return Finding{SeverityWarn, IDIssuer, fmt.Sprintf("the token says ver 1.0 but its issuer %s has the v2.0 form", iss), "CDF's project must trust the issuer the token carries; check the project's identity provider configuration (issuer) against it"}
	case ver == "2.0":
		return Finding{SeverityOK, IDIssuer, "v2.0 token from " + iss, ""}
	case ver == "1.0" && v1iss:
		return Finding{SeverityOK, IDIssuer, "v1.0 token from " + iss, ""}
	default:
		return Finding{SeverityInfo, IDIssuer, "token from " + iss + " (no ver claim)", ""}
	}
}

func checkKind(tok *Token, exp Expect) (Finding, bool) {
	if exp.UserFlow == nil {
		return Finding{}, false
	}
	switch {
	case *exp.UserFlow && tok.IsApp():
		return Finding{SeverityWarn, IDKind, "the profile signs in a person but this is an application token (no scp, no user name)", "Check the profile's flow: browser or device for a person, secret or certificate for an app"}, true
	case !*exp.UserFlow && !tok.IsApp():
		return Finding{SeverityWarn, IDKind, "the profile signs in an application but this is a user token", "Check the profile's flow: secret or certificate for an app"}, true
	}
	kind := "user"
	if tok.IsApp() {
		kind = "application"
	}
	return Finding{SeverityOK, IDKind, kind + " token, as the profile's flow gives", ""}, true
}

func checkScopes(tok *Token) Finding {
	scp := tok.Scopes()
	for _, s := range scp {
		if s == "IDENTITY" || s == "user_impersonation" {
			return Finding{SeverityOK, IDScopes, "scp has " + s + ", which CDF needs for a user token", ""}
		}
	}
	got := "no scp claim"
	if len(scp) > 0 {
		got = "scp is " + strings.Join(scp, " ")
	}
	return Finding{SeverityError, IDScopes, got + ": without IDENTITY or user_impersonation CDF will not accept the user token (token/inspect fails)",
		"App registrations › app › API permissions › Add a permission › the Cognite API (APIs my organization uses) › Delegated › IDENTITY and user_impersonation › Grant admin consent; and request <cdf_url>/.default"}
}

func checkRoles(tok *Token, exp Expect) Finding {
	roles := tok.Roles()
	if len(exp.ExpectRoles) > 0 {
		have := map[string]bool{}
		for _, r := range roles {
			have[r] = true
		}
		var missing []string
		for _, r := range exp.ExpectRoles {
			if !have[r] {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			return Finding{SeverityError, IDRoles, "the app token lacks the roles " + strings.Join(missing, ", "),
				"App registrations › app › API permissions › Add a permission › the API › Application permissions › " + strings.Join(missing, ", ") + " › Grant admin consent"}
		}
		return Finding{SeverityOK, IDRoles, "the app token has the expected roles " + strings.Join(exp.ExpectRoles, ", "), ""}
	}
	if len(roles) == 0 {
		return Finding{SeverityInfo, IDRoles, "the app token has no roles; CDF grants an application access through its groups", ""}
	}
	return Finding{SeverityOK, IDRoles, "roles: " + strings.Join(roles, ", "), ""}
}

const groupsClaimFix = "Make the user or the app's service principal a member of the Entra group a CDF group's source ID names; if the token still has no groups: App registrations › app › Token configuration › Add groups claim › Security groups (for access tokens), and sign in again"

func checkGroups(tok *Token, exp Expect) []Finding {
	if tok.GroupsOverage() {
		return []Finding{{SeverityError, IDGroupsOverage,
			"groups overage: the subject is in more groups than fit in a token (over 200), so Entra left the groups claim out (" + overageEvidence(tok) + ") and CDF cannot map groups from the token",
			"Turn on the group callback in CDF's identity provider configuration (so CDF asks Microsoft Graph for the groups), reduce the subject's group memberships, or limit the claim: App registrations › app › Token configuration › groups claim › Groups assigned to the application"}}
	}
	if !tok.Has("groups") {
		return []Finding{{SeverityWarn, IDGroups, "the token has no groups claim: CDF cannot give it any group's access", groupsClaimFix}}
	}
	groups := tok.Groups()
	max := exp.MaxGroups
	if max == 0 {
		max = DefaultMaxGroups
	}
	var fs []Finding
	if len(groups) == 0 {
		fs = append(fs, Finding{SeverityWarn, IDGroups, "the groups claim is empty: the subject is in no group CDF can map", groupsClaimFix})
	} else {
		fs = append(fs, Finding{SeverityOK, IDGroups, fmt.Sprintf("%d group(s) in the token", len(groups)), ""})
	}
	if len(groups) > max {
		fs = append(fs, Finding{SeverityWarn, IDGroupsCount, fmt.Sprintf("the token carries %d groups, more than CDF supports per principal (%d): if more than %d of them map to CDF groups, CDF may refuse the sign-in (cdflogin inspect shows the mapping)", len(groups), max, max),
			"Limit the claim: App registrations › app › Token configuration › groups claim › Groups assigned to the application, and assign only the groups CDF uses"})
	}
	return fs
}

func overageEvidence(tok *Token) string {
	var ev []string
	if tok.Has("hasgroups") {
		ev = append(ev, "hasgroups")
	}
	if v, ok := tok.Get("_claim_names"); ok {
		b, _ := json.Marshal(v)
		ev = append(ev, "_claim_names "+string(b))
	}
	return strings.Join(ev, ", ")
}

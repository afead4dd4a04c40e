package tokencache

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contents is the part of MSAL's serialized cache that cdflogin reads
// directly (to answer from the cache without constructing an MSAL client,
// which could make a discovery request).
type Contents struct {
	AccessTokens  []AccessToken
	RefreshTokens []RefreshToken
	IDTokens      []IDToken
	Accounts      []Account
}

// AccessToken is a cached access token.
type AccessToken struct {
	HomeAccountID string `json:"home_account_id"`
	Environment   string `json:"environment"`
	Realm         string `json:"realm"`
	ClientID      string `json:"client_id"`
	Secret        string `json:"secret"`
	Target        string `json:"target"`
	TokenType     string `json:"token_type"`
	KeyID         string `json:"keyid"`
	ExtCacheKey   string `json:"ext_cache_key"`
	ExpiresOn     Unix   `json:"expires_on"`
	CachedAt      Unix   `json:"cached_at"`
	RefreshOn     Unix   `json:"refresh_on"`
}

// RefreshToken is a cached refresh token; only its presence matters here,
// so its value is not kept.
type RefreshToken struct {
	HomeAccountID string `json:"home_account_id"`
	Environment   string `json:"environment"`
	ClientID      string `json:"client_id"`
	FamilyID      string `json:"family_id"`
	HasSecret     bool   `json:"-"`
}

// IDToken is a cached ID token (a JWT).
type IDToken struct {
	HomeAccountID string `json:"home_account_id"`
	Environment   string `json:"environment"`
	Realm         string `json:"realm"`
	ClientID      string `json:"client_id"`
	Secret        string `json:"secret"`
}

// Account is a cached account.
type Account struct {
	HomeAccountID  string `json:"home_account_id"`
	Environment    string `json:"environment"`
	Realm          string `json:"realm"`
	LocalAccountID string `json:"local_account_id"`
	Username       string `json:"username"`
	Name           string `json:"name"`
}

// Unix is a time stored as a string (or number) of Unix seconds, as MSAL
// writes it. A missing, empty or malformed value is the zero time.
type Unix struct{ T time.Time }

// UnmarshalJSON reads "1700000000" or 1700000000.
func (u *Unix) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		u.T = time.Time{}
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		u.T = time.Time{}
		return nil
	}
	u.T = time.Unix(n, 0)
	return nil
}

// Parse reads a serialized MSAL cache. Entries it cannot decode are skipped;
// only a document that is not a JSON object is an error.
func Parse(data []byte) (*Contents, error) {
	if len(data) == 0 {
		return &Contents{}, nil
	}
	if c, ok := parseFast(data); ok {
		return c, nil
	}
	return parseJSON(data)
}

// parseJSON is Parse with encoding/json, for any input.
func parseJSON(data []byte) (*Contents, error) {
	c := &Contents{}
	if len(data) == 0 {
		return c, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("token cache: %s", describeJSONError(err))
	}
	c.AccessTokens = section[AccessToken](doc["AccessToken"])
	c.IDTokens = section[IDToken](doc["IdToken"])
	c.Accounts = section[Account](doc["Account"])
	type rt struct {
		RefreshToken
		Secret string `json:"secret"`
	}
	for _, r := range section[rt](doc["RefreshToken"]) {
		r.RefreshToken.HasSecret = r.Secret != ""
		c.RefreshTokens = append(c.RefreshTokens, r.RefreshToken)
	}
	return c, nil
}

// section decodes one map section ("AccessToken": {key: entry}) in key
// order, skipping entries that do not decode.
func section[T any](raw json.RawMessage) []T {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		var v T
		if err := json.Unmarshal(m[k], &v); err != nil {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Query selects the tokens of one profile.
type Query struct {
	ClientID    string
	Environment string // authority host[:port]
	Realm       string // authority tenant segment
	Scopes      []string
	// App selects app tokens (client credentials: no account); otherwise
	// user tokens.
	App bool
}

// Entry is what the cache holds for a query.
type Entry struct {
	// AccessToken is the matching access token with the latest expiry;
	// nil when there is none.
	AccessToken *AccessToken
	// Account is the signed-in account (user tokens); nil for app tokens
	// or when there is none.
	Account *Account
	// IDToken is the raw ID token of the account, if cached.
	IDToken string
	// HasRefreshToken reports whether a refresh token for the account is
	// cached.
	HasRefreshToken bool
}

// Empty reports whether nothing usable is cached.
func (e Entry) Empty() bool {
	return e.AccessToken == nil && e.Account == nil && !e.HasRefreshToken
}

// Find returns what the cache holds for q. User tokens belong to the
// account of the newest matching access token, or else to the first
// account of the client in the cache.
func (c *Contents) Find(q Query) Entry {
	var e Entry
	for i := range c.AccessTokens {
		at := &c.AccessTokens[i]
		if !strings.EqualFold(at.ClientID, q.ClientID) || !strings.EqualFold(at.Environment, q.Environment) {
			continue
		}
		if q.Realm != "" && !strings.EqualFold(at.Realm, q.Realm) && !isAnyTenant(q.Realm) {
			continue
		}
		if (at.HomeAccountID == "") != q.App {
			continue
		}
		if at.ExtCacheKey != "" || at.KeyID != "" || (at.TokenType != "" && !strings.EqualFold(at.TokenType, "Bearer")) {
			continue
		}
		if at.Secret == "" || !ScopesMatch(q.Scopes, at.Target) {
			continue
		}
		if e.AccessToken == nil || at.ExpiresOn.T.After(e.AccessToken.ExpiresOn.T) {
			e.AccessToken = at
		}
	}
	if q.App {
		return e
	}
	home := ""
	if e.AccessToken != nil {
		home = e.AccessToken.HomeAccountID
	}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if !strings.EqualFold(a.Environment, q.Environment) {
			continue
		}
		if home != "" && a.HomeAccountID != home {
			continue
		}
		if home == "" && !c.hasRefreshToken(a.HomeAccountID, q) {
			continue
		}
		e.Account = a
		home = a.HomeAccountID
		break
	}
	if home == "" {
		return e
	}
	e.HasRefreshToken = c.hasRefreshToken(home, q)
	for _, id := range c.IDTokens {
		if id.HomeAccountID == home && strings.EqualFold(id.ClientID, q.ClientID) && strings.EqualFold(id.Environment, q.Environment) {
			e.IDToken = id.Secret
			break
		}
	}
	return e
}

func (c *Contents) hasRefreshToken(home string, q Query) bool {
	for _, rt := range c.RefreshTokens {
		if rt.HomeAccountID == home && strings.EqualFold(rt.Environment, q.Environment) && rt.HasSecret &&
			(strings.EqualFold(rt.ClientID, q.ClientID) || rt.FamilyID != "") {
			return true
		}
	}
	return false
}

// isAnyTenant reports whether an authority tenant segment stands for any
// tenant (the token's realm is then the user's home tenant).
func isAnyTenant(t string) bool {
	switch strings.ToLower(t) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// oidcScopes are added by MSAL to user sign-ins and never part of an access
// token's audience.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// ScopesMatch reports whether an access token granted for target (space
// separated) covers every requested scope. A requested "<resource>/.default"
// is covered by any scope of that resource, because Entra answers .default
// with the resource's actual permissions.
func ScopesMatch(requested []string, target string) bool {
	granted := strings.Fields(target)
	for _, want := range requested {
		if oidcScopes[strings.ToLower(want)] {
			continue
		}
		if !scopeGranted(want, granted) {
			return false
		}
	}
	return true
}

func scopeGranted(want string, granted []string) bool {
	resource, isDefault := strings.CutSuffix(want, "/.default")
	for _, g := range granted {
		if strings.EqualFold(g, want) {
			return true
		}
		if isDefault && len(g) > len(resource)+1 && strings.EqualFold(g[:len(resource)+1], resource+"/") {
			return true
		}
	}
	return false
}

// IDClaims are the ID token claims cdflogin shows for an account.
type IDClaims struct {
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	ObjectID          string `json:"oid"`
	TenantID          string `json:"tid"`
}

// DecodeIDToken reads the claims of an ID token without checking its
// signature (it comes from cdflogin's own cache or straight from Entra).
func DecodeIDToken(raw string) (IDClaims, error) {
	var c IDClaims
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return c, errors.New("ID token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, errors.New("ID token payload is not base64url")
	}
	if fast, ok := decodeIDClaimsFast(payload); ok {
		return fast, nil
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, errors.New("ID token payload is not a JSON object")
	}
	return c, nil
}

// PutAccessToken adds (or replaces) an access token in a serialized MSAL
// cache, under the key MSAL itself would use. MSAL does not cache access
// tokens that expire within 5 minutes of being issued; cdflogin stores
// them anyway so that a short-lived token is not fetched again on every
// call (MSAL still treats them as expired and never returns them itself).
func PutAccessToken(data []byte, at AccessToken) ([]byte, error) {
	doc := map[string]json.RawMessage{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("token cache: %s", describeJSONError(err))
		}
	}
	section := map[string]json.RawMessage{}
	if raw, ok := doc["AccessToken"]; ok && len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &section); err != nil {
			return nil, fmt.Errorf("token cache: AccessToken section: %s", describeJSONError(err))
		}
	}
	unix := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.Unix(), 10)
	}
	entry := map[string]string{
		"home_account_id":     at.HomeAccountID,
		"environment":         at.Environment,
		"realm":               at.Realm,
		"credential_type":     "AccessToken",
		"client_id":           at.ClientID,
		"secret":              at.Secret,
		"target":              at.Target,
		"cached_at":           unix(at.CachedAt.T),
		"expires_on":          unix(at.ExpiresOn.T),
		"extended_expires_on": unix(at.ExpiresOn.T),
		"token_type":          firstNonEmpty(at.TokenType, "Bearer"),
	}
	for k, v := range entry {
		if v == "" && k != "home_account_id" {
			delete(entry, k)
		}
	}
	if at.HomeAccountID == "" {
		delete(entry, "home_account_id")
	}
	raw, err := json.Marshal(entry)
	if err != nil {
		return nil, fmt.Errorf("token cache: %w", err)
	}
	key := strings.ToLower(strings.Join([]string{at.HomeAccountID, at.Environment, "AccessToken", at.ClientID, at.Realm, at.Target}, "-"))
	section[key] = raw
	if doc["AccessToken"], err = json.Marshal(section); err != nil {
		return nil, fmt.Errorf("token cache: %w", err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("token cache: %w", err)
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

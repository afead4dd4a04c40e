package tokencache

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Set is one sign-in of a provider that is not Entra ID (Amazon Cognito,
// any OpenID provider), kept in the same file, with the same lock and
// permissions, and in the same layout as MSAL's cache, so that Find,
// Remove and every reader of the cache treat it as they treat Entra's.
type Set struct {
	// Environment is the issuer's host[:port]; Realm the issuer's path
	// without slashes (the Cognito user pool ID), possibly empty.
	Environment string
	Realm       string
	ClientID    string
	// HomeAccountID identifies the person (the ID token's sub); empty for
	// an app token (client credentials).
	HomeAccountID string
	Username      string
	Name          string

	AccessToken string
	TokenType   string
	Target      string // granted scopes, space separated
	ExpiresOn   time.Time
	CachedAt    time.Time
	// RefreshToken and IDToken are kept for a person's sign-in.
	RefreshToken string
	IDToken      string
}

// NewSet returns a serialized cache that holds just s.
func NewSet(s Set) ([]byte, error) {
	if s.Environment == "" || s.ClientID == "" || s.AccessToken == "" {
		return nil, errors.New("token cache: a sign-in needs an environment, a client ID and an access token")
	}
	out, err := PutAccessToken(nil, AccessToken{
		HomeAccountID: s.HomeAccountID, Environment: s.Environment, Realm: s.Realm, ClientID: s.ClientID,
		Secret: s.AccessToken, TokenType: s.TokenType, Target: s.Target,
		ExpiresOn: Unix{T: s.ExpiresOn}, CachedAt: Unix{T: s.CachedAt},
	})
	if err != nil {
		return nil, err
	}
	if s.HomeAccountID == "" {
		return out, nil
	}
	doc := map[string]json.RawMessage{}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("token cache: %w", err)
	}
	put := func(section, key string, entry map[string]string) error {
		raw, err := json.Marshal(map[string]map[string]string{strings.ToLower(key): entry})
		if err != nil {
			return fmt.Errorf("token cache: %w", err)
		}
		doc[section] = raw
		return nil
	}
	home := s.HomeAccountID
	if err := put("Account", strings.Join([]string{home, s.Environment, s.Realm}, "-"), map[string]string{
		"home_account_id": home, "environment": s.Environment, "realm": s.Realm,
		"local_account_id": home, "username": s.Username, "name": s.Name, "authority_type": "Generic",
	}); err != nil {
		return nil, err
	}
	if s.RefreshToken != "" {
		if err := put("RefreshToken", strings.Join([]string{home, s.Environment, "RefreshToken", s.ClientID, "", ""}, "-"), map[string]string{
			"home_account_id": home, "environment": s.Environment, "credential_type": "RefreshToken",
			"client_id": s.ClientID, "secret": s.RefreshToken, "last_modification_time": strconv.FormatInt(s.CachedAt.Unix(), 10),
		}); err != nil {
			return nil, err
		}
	}
	if s.IDToken != "" {
		if err := put("IdToken", strings.Join([]string{home, s.Environment, "IdToken", s.ClientID, s.Realm, ""}, "-"), map[string]string{
			"home_account_id": home, "environment": s.Environment, "realm": s.Realm, "credential_type": "IdToken",
			"client_id": s.ClientID, "secret": s.IDToken,
		}); err != nil {
			return nil, err
		}
	}
	return json.Marshal(doc)
}

// RefreshTokenOf returns the cached refresh token of the account home for
// the client at the environment, or "" when there is none.
func RefreshTokenOf(data []byte, home, environment, clientID string) (string, error) {
	if len(data) == 0 || home == "" {
		return "", nil
	}
	var doc struct {
		RefreshToken map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("token cache: %s", describeJSONError(err))
	}
	for _, raw := range doc.RefreshToken {
		var rt struct {
			HomeAccountID string `json:"home_account_id"`
			Environment   string `json:"environment"`
			ClientID      string `json:"client_id"`
			Secret        string `json:"secret"`
		}
		if json.Unmarshal(raw, &rt) != nil {
			continue
		}
		if rt.HomeAccountID == home && strings.EqualFold(rt.Environment, environment) && strings.EqualFold(rt.ClientID, clientID) && rt.Secret != "" {
			return rt.Secret, nil
		}
	}
	return "", nil
}

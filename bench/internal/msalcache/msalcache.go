// Package msalcache ages the access tokens in a cdflogin token cache (MSAL's
// serialized form) for the benchmarks, so that the next `cdflogin token`
// redeems the refresh token: the everyday refresh, after the access token
// ran out.
package msalcache

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ExpireAccessTokens marks every access token in the cache file at path as
// expired a minute ago; everything else in the file is kept as it was.
func ExpireAccessTokens(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var tokens map[string]map[string]any
	if raw, ok := doc["AccessToken"]; ok {
		if err := json.Unmarshal(raw, &tokens); err != nil {
			return fmt.Errorf("%s: AccessToken: %w", path, err)
		}
	}
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	for _, t := range tokens {
		t["expires_on"] = past
		t["extended_expires_on"] = past
	}
	raw, err := json.Marshal(tokens)
	if err != nil {
		return err
	}
	doc["AccessToken"] = raw
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

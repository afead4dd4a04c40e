// Command silentproc runs one flows.Service.Silent for the concurrency test
// in e2e/flows_test.go: many of these run at once on one cache. It reads
// the profile as JSON from SILENTPROC_PROFILE, the cache folder from
// SILENTPROC_CACHE and a clock offset from SILENTPROC_CLOCK_OFFSET (a
// duration added to time.Now, to make cached tokens look expired), and
// prints one JSON line: whether the token came from the cache, a SHA-256
// of the token (never the token) and its expiry, or the error.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

type result struct {
	FromCache bool   `json:"from_cache"`
	TokenHash string `json:"token_sha256,omitempty"`
	ExpiresOn int64  `json:"expires_on,omitempty"`
	Error     string `json:"error,omitempty"`
}

func main() {
	r := run()
	_ = json.NewEncoder(os.Stdout).Encode(r)
	if r.Error != "" {
		os.Exit(1)
	}
}

func run() result {
	var p profiles.Profile
	if err := json.Unmarshal([]byte(os.Getenv("SILENTPROC_PROFILE")), &p); err != nil {
		return result{Error: fmt.Sprintf("SILENTPROC_PROFILE: %v", err)}
	}
	offset, err := time.ParseDuration(os.Getenv("SILENTPROC_CLOCK_OFFSET"))
	if err != nil {
		return result{Error: fmt.Sprintf("SILENTPROC_CLOCK_OFFSET: %v", err)}
	}
	svc := flows.New(flows.Deps{
		Now:      func() time.Time { return time.Now().Add(offset) },
		CacheDir: os.Getenv("SILENTPROC_CACHE"),
		Logf:     func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t, err := svc.Silent(ctx, p, flows.SilentOptions{})
	if err != nil {
		return result{Error: err.Error()}
	}
	sum := sha256.Sum256([]byte(t.AccessToken))
	return result{FromCache: t.FromCache, TokenHash: hex.EncodeToString(sum[:]), ExpiresOn: t.ExpiresOn.Unix()}
}

package tokencache

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/cognite-tools/cdflogin/internal/tokenshape"
)

// Mode selects how an Accessor treats the file when MSAL loads the cache.
type Mode int

const (
	// Shared loads the file as it is.
	Shared Mode = iota
	// Fresh starts from an empty cache and ignores the file's content: a
	// new sign-in replaces whatever the profile had cached. What MSAL
	// exports still goes to the file.
	Fresh
	// DropAccessTokens loads the file without its access tokens, so that
	// MSAL must redeem the refresh token or request a new app token (MSAL
	// Go has no "force refresh" option).
	DropAccessTokens
)

// Accessor is MSAL's cache.ExportReplace backed by a File.
type Accessor struct {
	file   *File
	mode   Mode
	locked bool // the caller holds file.Lock for the whole operation

	mu       sync.Mutex
	mem      []byte // Fresh: what was last exported in this operation
	exported bool
}

// NewAccessor returns an accessor for MSAL. When locked is true the caller
// already holds f.Lock and the accessor takes no lock itself; otherwise
// Export takes the lock around its write.
func NewAccessor(f *File, mode Mode, locked bool) *Accessor {
	return &Accessor{file: f, mode: mode, locked: locked}
}

// Exported reports whether MSAL wrote the cache through this accessor.
func (a *Accessor) Exported() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.exported
}

// Replace loads the cache into MSAL (cache.ExportReplace).
func (a *Accessor) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var data []byte
	switch a.mode {
	case Fresh:
		data = a.mem
	default:
		var err error
		data, err = a.file.Load()
		if err != nil {
			return err
		}
		if a.mode == DropAccessTokens && !a.exported {
			data, err = dropAccessTokens(data)
			if err != nil {
				return err
			}
		}
	}
	if len(data) == 0 {
		data = []byte("{}")
	}
	if err := u.Unmarshal(data); err != nil {
		// Load already checked the JSON; MSAL's stricter decoding failed.
		// Start empty rather than fail the sign-in.
		a.file.warnf("token cache of profile %q has entries MSAL cannot read; ignoring them", a.file.profile)
		return u.Unmarshal([]byte("{}"))
	}
	return nil
}

// Export writes MSAL's cache to the file (cache.ExportReplace).
//
// A file system without room for it, or a folder or file system that may
// not be written, does not fail the operation: MSAL would throw away the
// token it has just received. The token is handed out, the file stays as
// it was (Exported stays false), and a warning says that it is not kept,
// why, and what to do (free space, or make the folder writable).
func (a *Accessor) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("serialize the token cache: %w", err)
	}
	if err := checkShapes(data); err != nil {
		// Never kept, and MSAL hands the token to no one: its call fails.
		return fmt.Errorf("the token endpoint's answer is refused, and nothing was cached: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	err = a.save(ctx, data)
	if unsaved(err) {
		a.mem = data // this operation goes on with what MSAL holds
		a.file.warnf("profile %q got a new token, but it is not kept for the next run: %v", a.file.profile, err)
		return nil
	}
	if err != nil {
		return err
	}
	a.mem = data
	a.exported = true
	return nil
}

// save writes data to the file, under the lock unless the caller holds it.
func (a *Accessor) save(ctx context.Context, data []byte) error {
	if !a.locked {
		unlock, err := a.file.Lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	return a.file.Save(data)
}

// checkShapes checks every token of a serialized MSAL cache: access and
// refresh tokens must be RFC 6750 b64tokens, ID tokens JWTs.
func checkShapes(data []byte) error {
	var sections map[string]map[string]struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(data, &sections); err != nil {
		return fmt.Errorf("token cache: %s", describeJSONError(err))
	}
	for section, what := range map[string]string{"AccessToken": "access token", "RefreshToken": "refresh token", "IdToken": "ID token"} {
		for _, e := range sections[section] {
			check := tokenshape.Bearer
			if section == "IdToken" {
				check = tokenshape.JWT
			}
			if err := check(what, e.Secret); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropAccessTokens removes the AccessToken section of a serialized cache.
func dropAccessTokens(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return data, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("token cache: %s", describeJSONError(err))
	}
	delete(m, "AccessToken")
	out, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("token cache: %w", err)
	}
	return out, nil
}

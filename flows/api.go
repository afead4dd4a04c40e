// Package flows turns a profile into tokens: the four Entra sign-ins on
// MSAL Go, silent refresh from a persistent cache, and logout. It holds no
// UI; progress is reported as Events.
package flows

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Event is progress reported while a flow runs. The concrete types below
// are the only ones.
type Event interface{ isEvent() }

// DeviceCode is emitted as soon as Entra hands out a device code.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string // Entra's own sentence
	ExpiresAt       time.Time
	Interval        time.Duration
}

// BrowserOpening is emitted before the browser is asked to open URL.
type BrowserOpening struct{ URL string }

// BrowserFailed is emitted when the browser could not be opened; the flow
// keeps waiting for the redirect (the URL can be opened elsewhere).
type BrowserFailed struct {
	URL string
	Err error
}

// WaitingForRedirect is emitted once the loopback listener is ready.
type WaitingForRedirect struct {
	Addr     string // e.g. localhost:53000
	Deadline time.Time
}

// Redeeming is emitted when the browser answered and the code is being
// exchanged for tokens.
type Redeeming struct{}

// Refreshing is emitted when a refresh starts.
type Refreshing struct{}

// Refreshed is emitted when a refresh succeeded.
type Refreshed struct{ ExpiresAt time.Time }

func (DeviceCode) isEvent()         {}
func (BrowserOpening) isEvent()     {}
func (BrowserFailed) isEvent()      {}
func (WaitingForRedirect) isEvent() {}
func (Redeeming) isEvent()          {}
func (Refreshing) isEvent()         {}
func (Refreshed) isEvent()          {}

// Events receives flow progress. It is called from the flow's goroutine and
// must not block; nil discards events.
type Events func(Event)

// Account is who a user token belongs to.
type Account struct {
	Username      string // UPN / preferred_username
	Name          string
	ObjectID      string
	TenantID      string
	HomeAccountID string
}

// Tokens is the result of a sign-in or refresh.
type Tokens struct {
	Profile     string
	Flow        profiles.Flow
	AccessToken string
	IDToken     string // empty for app flows
	TokenType   string // "Bearer"
	ExpiresOn   time.Time
	Scopes      []string
	Account     Account // zero for app flows
	FromCache   bool    // true when no request was made
}

// ErrLoginRequired means no token can be had without a person signing in.
var ErrLoginRequired = errors.New("sign-in required")

// LoginRequiredError says why a silent acquisition needs a sign-in.
type LoginRequiredError struct {
	Profile string
	Reason  string // "no cached sign-in", "refresh token expired (AADSTS700082)", …
	Err     error  // the underlying error (e.g. *aadsts.Error), may be nil
}

func (e *LoginRequiredError) Error() string {
	return fmt.Sprintf("profile %q needs a sign-in: %s; run: cdflogin login -p %s", e.Profile, e.Reason, e.Profile)
}

// Unwrap returns ErrLoginRequired and the cause.
func (e *LoginRequiredError) Unwrap() []error { return []error{ErrLoginRequired, e.Err} }

// SilentOptions tune Silent.
type SilentOptions struct {
	// MinValid is how long the returned token must stay valid; a cached
	// token with less left is refreshed. Zero means 5 minutes (as MSAL).
	MinValid time.Duration
	// Force refreshes even when the cached token is still valid.
	Force bool
	// Events receives Refreshing/Refreshed.
	Events Events
}

// Deps are the outside dependencies of the flows.
type Deps struct {
	// HTTPClient talks to Entra. The profile's ca_file is added on top of
	// its transport's roots.
	HTTPClient *http.Client
	// Now is the clock.
	Now func() time.Time
	// OpenBrowser opens a URL in a browser; nil or an error means the URL
	// must be opened by hand (the flow keeps waiting).
	OpenBrowser func(url string) error
	// Secret resolves a secret reference of a profile field
	// ("client_secret", "certificate_password") to its value.
	Secret func(p profiles.Profile, field string) (string, error)
	// CacheDir holds the per-profile token caches.
	CacheDir string
	// RedirectTimeout bounds the wait for the browser (default 5 min).
	RedirectTimeout time.Duration
	// Logf receives redacted diagnostics (--verbose); nil discards.
	Logf func(format string, args ...any)
	// Warnf receives warnings the user must always see (a corrupted token
	// cache moved aside, a cache file or folder others could read that was
	// restricted to its owner, a token that could not be kept in the
	// cache). The text has no "warning:" prefix and holds no secret. nil
	// discards.
	Warnf func(format string, args ...any)
}

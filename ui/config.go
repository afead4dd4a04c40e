// Package ui is cdflogin's interactive program: a Bubble Tea v2 application
// that walks a person from choosing a profile to a valid token and keeps
// that token fresh while they watch. It holds no auth logic of its own: it
// drives a Store (profiles) and an Auth (flows) through the interfaces
// below, which *profiles.Store and *flows.Service satisfy.
package ui

import (
	"context"
	"io"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Store is the profile store the program reads and edits.
// *profiles.Store satisfies it.
type Store interface {
	List() ([]profiles.Profile, error)
	Get(name string) (profiles.Profile, error)
	Add(p profiles.Profile) error
	Update(name string, change func(*profiles.Profile) error) error
	Remove(name string) error
}

// Auth signs in and refreshes. *flows.Service satisfies it.
type Auth interface {
	Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events flows.Events) (*flows.Tokens, error)
	Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error)
	Cached(p profiles.Profile) (*flows.Tokens, error)
}

// The real store and flows satisfy the interfaces.
var (
	_ Store = (*profiles.Store)(nil)
	_ Auth  = (*flows.Service)(nil)
)

// Access is what CDF grants a token, as the CDF access tab shows it.
type Access struct {
	Subject      string
	Projects     []string
	Capabilities []string      // e.g. "groupsAcl:LIST (all scope)"
	Groups       []GroupAccess // CDF groups and whether the token's groups map to them
	Notes        []string      // findings worth reading (unmatched groups, wrong project)
	// Audience is the audience CDF has configured for the profile's
	// project ("" when CDF did not tell): the token's aud is then judged
	// against it, as CDF judges it.
	Audience string
}

// GroupAccess is one CDF group and whether the token carries its sourceId.
type GroupAccess struct {
	Name     string
	SourceID string
	Matched  bool
}

// DemoHooks are the keys `cdflogin demo` adds: approving a device code and
// completing a browser sign-in as the sandbox user.
type DemoHooks struct {
	// User is the sandbox user the hooks sign in as (shown on the key hint).
	User string
	// ApproveDeviceCode approves userCode as User.
	ApproveDeviceCode func(ctx context.Context, userCode string) error
	// CompleteBrowser completes the sign-in at authURL as User.
	CompleteBrowser func(ctx context.Context, authURL string) error
	// ChangeGroups changes User's group membership in the sandbox tenant
	// as an admin would (tokens already issued keep their groups; the
	// next refresh carries the new ones) and says what it did.
	ChangeGroups func(ctx context.Context) (string, error)
}

// Config is everything Run needs. Store and Auth are required; the rest
// have defaults.
type Config struct {
	// Store holds the profiles.
	Store Store
	// Auth runs the flows.
	Auth Auth

	// Now is the clock (default time.Now).
	Now func() time.Time
	// OpenBrowser opens a URL for the "o" key (nil: the key is hidden).
	// The flows open the browser themselves through their own Deps.
	OpenBrowser func(url string) error
	// CanOpenBrowser reports whether a browser can open here, and why not
	// (headless, SSH). nil means yes.
	CanOpenBrowser func() (ok bool, reason string)
	// Inspect asks CDF what the token grants, for the CDF access tab (nil:
	// no tab).
	Inspect func(ctx context.Context, p profiles.Profile, t *flows.Tokens) (*Access, error)
	// SaveSecret stores a secret typed in the profile form and returns the
	// reference to keep in the profile ("keyring", "env:VAR"). nil: the form
	// only accepts references.
	SaveSecret func(profile, field, value string) (ref string, err error)
	// Forget clears what a deleted profile leaves outside profiles.yaml: its
	// cached tokens and keyring secrets (nil: nothing to clear). It is
	// called after the profile was removed from the store.
	Forget func(p profiles.Profile) error
	// Import creates a profile from a Toolkit .env or an SDK YAML file
	// (nil: the program offers no import).
	Import func(path string) (Imported, error)
	// OfferDemo offers to try the demo on the first run: choosing it ends
	// Run with ErrTryDemo, and the command starts the demo.
	OfferDemo bool
	// ValidateField checks one profile form field ("tenant", "client_id",
	// "cluster", "project", "name", "cdf_url"); nil uses built-in checks.
	ValidateField func(field, value string) error

	// Clipboard is how the c key copies (zero: no clipboard known; the
	// program then asks the terminal, and otherwise says to select the
	// text).
	Clipboard Clipboard

	// In and Out are the terminal (default os.Stdin/os.Stdout).
	In  io.Reader
	Out io.Writer
	// Getenv reads NO_COLOR and TERM (default os.Getenv).
	Getenv func(string) string

	// OpenProfile opens the program at this profile: its page with the
	// profile in full and its flows (cdflogin -p NAME).
	OpenProfile string
	// StartProfile opens the program straight at this profile's sign-in.
	StartProfile string
	// StartFlow is the flow to use with StartProfile (default: the profile's).
	StartFlow profiles.Flow

	// Demo adds the sandbox keys; nil outside `cdflogin demo`.
	Demo *DemoHooks
	// FindTenant finds the Entra tenant of an e-mail address or domain
	// typed as the form's tenant, on the host of p's authority (nil: the
	// form takes a tenant ID or domain only).
	FindTenant func(ctx context.Context, p profiles.Profile, emailOrDomain string) (*insight.TenantOfDomain, error)
	// Accessible (or TERM=dumb) gives plain text without animation.
	Accessible bool
	// Width and Height fix the size (tests); zero means the terminal's.
	Width, Height int

	// RefreshLeeway is how long before expiry the token is refreshed
	// automatically (default 5 minutes, capped at a fifth of the lifetime).
	RefreshLeeway time.Duration
	// OnSignedIn is called with every token the program obtains (sign-in and
	// refresh), e.g. so that `login` can report the result afterwards.
	OnSignedIn func(*flows.Tokens)
	// Warnings delivers the warnings the store and the flows give while
	// the program runs (a token that could not be kept on a full disk, a
	// corrupted cache moved aside); each is shown on the status line. The
	// run still prints them on stderr once the program has ended. nil: none.
	Warnings <-chan string
}

// Imported is what an import created.
type Imported struct {
	// Name is the new profile's.
	Name string
	// Notes are what the import left out or assumed, for the person.
	Notes []string
}

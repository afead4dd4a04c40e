// Package insight holds cdflogin's token insight use cases, below the
// command line and the interactive program alike: Claims (a token's claims
// with their meaning and the findings of the checks), Inspect (what CDF
// grants the token and how its groups map) and Doctor (a profile, its app
// registration, its token and its CDF access, checked step by step).
//
// Each takes an Input and returns its result; none prints, reads a
// terminal or knows cobra. What they reach the outside through (the flows,
// HTTP clients, the clock) comes in Deps. The libraries they stand on are
// the sub-packages: claims (decode, check, verify a JWT), cdf (the CDF API
// calls and the group mapping) and diagnosis (the one explanation of a
// failure, which Doctor uses for every check that fails).
package insight

import (
	"context"
	"net/http"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Silenter gets a token without prompting; *flows.Service is one.
type Silenter interface {
	Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error)
}

var _ Silenter = (*flows.Service)(nil)

// Deps are what the use cases reach the outside through.
type Deps struct {
	// Flows gets a profile's token without a prompt.
	Flows func() (Silenter, error)
	// HTTPClient is the client for a profile's authority and CDF, with
	// its ca_file applied.
	HTTPClient func(p profiles.Profile) (*http.Client, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// UserAgent is sent to CDF when set.
	UserAgent string

	// PortFree reports whether the browser flow's redirect port can be
	// bound (Doctor); nil binds it as the browser flow does.
	PortFree func(port int) error
	// CertInfo loads a certificate profile's certificate (Doctor); nil
	// skips that check.
	CertInfo func(p profiles.Profile) (flows.CertInfo, error)
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

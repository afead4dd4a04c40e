package cmdutil

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Silenter gets a token without prompting; *flows.Service is one.
type Silenter interface {
	Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error)
}

// SilentToken selects the named profile and gets its token without any
// prompt, the way every scripting command starts. Errors of the flow come
// back as FlowError makes them: sign-in needed (exit 4), the AADSTS
// explanation, or a network hint.
func SilentToken[S Silenter](ctx context.Context, profile func(name string) (profiles.Profile, error),
	service func() (S, error), name string, opts flows.SilentOptions) (profiles.Profile, *flows.Tokens, error) {
	p, err := profile(name)
	if err != nil {
		return profiles.Profile{}, nil, err
	}
	svc, err := service()
	if err != nil {
		return p, nil, err
	}
	t, err := svc.Silent(ctx, p, opts)
	if err != nil {
		return p, nil, FlowError(err, p, p.Flow)
	}
	return p, t, nil
}

// CheckMinValid holds token t of profile p to --min-valid: when the flag
// was given (set) and t expires sooner than minValid from now (the silent
// refresh already gave the newest token, so the tenant issues
// shorter-lived ones), it returns an ExitTooShort error and the command
// must print no token; with the default it only warns on errOut.
func CheckMinValid(errOut io.Writer, p profiles.Profile, t *flows.Tokens, now time.Time, minValid time.Duration, set bool) error {
	left := t.ExpiresOn.Sub(now)
	if left >= minValid {
		return nil
	}
	if !set {
		fmt.Fprintf(errOut, "Warning: the token is valid only until %s, less than --min-valid %s\n", Until(t.ExpiresOn, now), minValid)
		return nil
	}
	return WithExitCode(ExitTooShort, fmt.Errorf("the token of profile %s is valid only until %s, less than --min-valid %s, and a new one was no better: "+
		"Entra ID issues tokens that live about %s here; ask for less (--min-valid %s)", p.Name, Until(t.ExpiresOn, now), minValid, Duration(max(left, 0)), Duration(max(left-time.Minute, 0))))
}

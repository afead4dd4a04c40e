package cmdutil

import (
	"context"

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

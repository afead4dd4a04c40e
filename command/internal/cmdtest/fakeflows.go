package cmdtest

import (
	"context"
	"sync"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// FakeFlows stands in for the flows service (cmdutil.Flows and the other
// commands' flow interfaces) in tests of the commands: it returns what its
// fields say and records the calls.
type FakeFlows struct {
	// LoginEvents are emitted by Login before it returns LoginTokens/LoginErr.
	LoginEvents []flows.Event
	LoginTokens *flows.Tokens
	LoginErr    error
	// LoginWait, when set, makes Login wait for the context to end after
	// emitting its events, then return the context's error.
	LoginWait bool

	SilentTokens *flows.Tokens
	SilentErr    error

	// Removed maps a profile name to the paths Logout reports.
	Removed   map[string][]string
	LogoutErr error

	mu          sync.Mutex
	LoginCalls  []profiles.Flow
	SilentCalls []flows.SilentOptions
	LogoutCalls []string
}

// Login implements Flows.
func (f *FakeFlows) Login(ctx context.Context, p profiles.Profile, flow profiles.Flow, events flows.Events) (*flows.Tokens, error) {
	f.mu.Lock()
	f.LoginCalls = append(f.LoginCalls, flow)
	f.mu.Unlock()
	for _, e := range f.LoginEvents {
		if events != nil {
			events(e)
		}
	}
	if f.LoginWait {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.LoginTokens, f.LoginErr
}

// Silent implements Flows.
func (f *FakeFlows) Silent(ctx context.Context, p profiles.Profile, opts flows.SilentOptions) (*flows.Tokens, error) {
	f.mu.Lock()
	f.SilentCalls = append(f.SilentCalls, opts)
	f.mu.Unlock()
	return f.SilentTokens, f.SilentErr
}

// Logout implements Flows.
func (f *FakeFlows) Logout(p profiles.Profile) ([]string, error) {
	f.mu.Lock()
	f.LogoutCalls = append(f.LogoutCalls, p.Name)
	f.mu.Unlock()
	return f.Removed[p.Name], f.LogoutErr
}

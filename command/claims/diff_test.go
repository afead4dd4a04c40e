package claims

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// cachedFlows is the flows service as claims --diff uses it: Cached gives
// the cached tokens, a forced Silent the new ones.
type cachedFlows struct {
	cached, fresh *flows.Tokens
	cachedErr     error
	err           error
	silent        []flows.SilentOptions
}

func (c *cachedFlows) Cached(profiles.Profile) (*flows.Tokens, error) { return c.cached, c.cachedErr }
func (c *cachedFlows) Silent(_ context.Context, _ profiles.Profile, o flows.SilentOptions) (*flows.Tokens, error) {
	c.silent = append(c.silent, o)
	return c.fresh, c.err
}

const marketing = "5c7e2a90-1b3d-4e6f-8a0b-2c4d6e8f0a1c"

// refreshed is a user token issued at iat in groups (real-length IDs).
func refreshed(t *testing.T, iat time.Time, groups ...string) *flows.Tokens {
	t.Helper()
	p := claimstest.With(claimstest.V2User(iat), "groups", groups, "aio", "aio-"+iat.Format("150405"), "uti", "uti-"+iat.Format("150405"))
	return &flows.Tokens{AccessToken: sign(t, signer(t), p), IDToken: sign(t, signer(t), claimstest.With(claimstest.V2User(iat), "aud", claimstest.ClientID, "scp", nil)),
		Flow: profiles.FlowDevice}
}

func TestClaimsDiffGolden(t *testing.T) {
	later := now.Add(50 * time.Minute)
	f := &cachedFlows{cached: refreshed(t, now, claimstest.GroupA, claimstest.GroupB), fresh: refreshed(t, later, claimstest.GroupA, marketing)}
	e := newEnv(t, profile(profiles.FlowDevice), f, nil)
	if err := run(t, e, "-p", "dev", "--diff"); err != nil {
		t.Fatal(err)
	}
	if len(f.silent) != 1 || !f.silent[0].Force {
		t.Errorf("the new token was not forced: %+v", f.silent)
	}
	assertNoToken(t, e.out.String(), f.fresh.AccessToken)
	assertNoToken(t, e.out.String(), f.cached.AccessToken)
	golden.RequireEqual(t, e.out.Bytes())
}

func TestClaimsDiffJSONGolden(t *testing.T) {
	later := now.Add(50 * time.Minute)
	f := &cachedFlows{cached: refreshed(t, now, claimstest.GroupA, claimstest.GroupB), fresh: refreshed(t, later, claimstest.GroupA, marketing)}
	e := newEnv(t, profile(profiles.FlowDevice), f, nil)
	if err := run(t, e, "--diff", "--json"); err != nil {
		t.Fatal(err)
	}
	var doc DiffOutput
	if err := json.Unmarshal(e.out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Changed || doc.OtherAccount || doc.Summary != "groups: 1 gained, 1 lost" || len(doc.Changes) < 2 ||
		doc.Changes[0].Kind != "groups-gained" || doc.Changes[0].Values[0] != marketing || doc.Changes[1].Values[0] != claimstest.GroupB {
		t.Errorf("document: %+v", doc)
	}
	golden.RequireEqual(t, e.out.Bytes())
}

func TestClaimsDiffCases(t *testing.T) {
	later := now.Add(50 * time.Minute)
	same := func(t *testing.T) *cachedFlows {
		tok := refreshed(t, now, claimstest.GroupA)
		return &cachedFlows{cached: tok, fresh: tok}
	}
	other := func(t *testing.T) *cachedFlows {
		bob := claimstest.With(claimstest.V2User(later), "oid", "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8", "preferred_username", "bob@contoso.example", "name", "Bob Example")
		return &cachedFlows{cached: refreshed(t, now, claimstest.GroupA), fresh: &flows.Tokens{AccessToken: sign(t, signer(t), bob)}}
	}
	tests := []struct {
		name string
		f    func(t *testing.T) *cachedFlows
		args []string
		code int
		say  []string
		not  []string
	}{
		{"nothing changed", same, nil, cmdutil.ExitOK, []string{"groups, roles and scopes unchanged", "Nothing changed."}, []string{"+ ", "- "}},
		{"another account", other, nil, cmdutil.ExitOK,
			[]string{"Warning: the new token is another account's: alice@contoso.example → bob@contoso.example", "! another account", "oid " + claimstest.UserOID + " → 7d6c5b4a"},
			[]string{"preferred_username", "  ~ name"}},
		{"the ID tokens", func(t *testing.T) *cachedFlows {
			return &cachedFlows{cached: refreshed(t, now, claimstest.GroupA), fresh: refreshed(t, later, claimstest.GroupB)}
		}, []string{"--id-token"}, cmdutil.ExitOK, []string{"the cached ID token", "i iat", "(+50 min)"}, []string{"groups gained"}},
		{"nothing cached", func(*testing.T) *cachedFlows { return &cachedFlows{} }, nil, cmdutil.ExitLoginRequired,
			[]string{"no cached access token", "cdflogin login -p dev"}, nil},
		{"refresh refused", func(t *testing.T) *cachedFlows {
			return &cachedFlows{cached: refreshed(t, now), err: &flows.LoginRequiredError{Profile: "dev", Reason: "refresh token expired"}}
		}, nil, cmdutil.ExitLoginRequired, []string{"cdflogin login -p dev"}, nil},
		{"network", func(t *testing.T) *cachedFlows {
			return &cachedFlows{cached: refreshed(t, now), err: errors.New("dial tcp: connection refused")}
		}, nil, cmdutil.ExitError, []string{"connection refused"}, nil},
		{"with --token-stdin", same, []string{"--token-stdin"}, cmdutil.ExitUsage, []string{"--diff", "--token-stdin"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f(t)
			e := newEnv(t, profile(profiles.FlowDevice), f, nil)
			err := run(t, e, append([]string{"--diff"}, tt.args...)...)
			if got := cmdutil.ExitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.code)
			}
			text := e.out.String()
			if err != nil {
				text += err.Error()
			}
			for _, w := range tt.say {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("has %q:\n%s", n, text)
				}
			}
			if tt.code == cmdutil.ExitUsage && len(f.silent) != 0 {
				t.Errorf("a usage error refreshed the token")
			}
		})
	}
}

// TestClaimsDiffPlainOutputIsSafe: group IDs, claim values and names
// from either token reach the terminal only through textsafe.
func TestClaimsDiffPlainOutputIsSafe(t *testing.T) {
	old := claimstest.With(claimstest.V2User(now), "x"+hostile, "old", "amr", []any{hostile})
	fresh := claimstest.With(claimstest.V2User(now.Add(time.Hour)), "groups", []any{hostile, claimstest.GroupA}, "x"+hostile, hostile,
		"scp", hostile+" IDENTITY", "amr", []any{"pwd"}, "preferred_username", hostile)
	f := &cachedFlows{cached: &flows.Tokens{AccessToken: sign(t, signer(t), old)}, fresh: &flows.Tokens{AccessToken: sign(t, signer(t), fresh)}}
	e := newEnv(t, profile(profiles.FlowDevice), f, nil)
	if err := run(t, e, "--diff"); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	assertSafe(t, out)
	if !strings.Contains(out, "\ufffd]52;c;cGF5bG9hZA==") {
		t.Errorf("the planted value is not shown, made harmless:\n%s", out)
	}
}

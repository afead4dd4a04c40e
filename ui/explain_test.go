package ui

import (
	"regexp"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
)

// cliAdvice is advice meant for a shell prompt: a cdflogin command to
// run, or a flag.
var cliAdvice = regexp.MustCompile(`cdflogin (login|profile|inspect)\b|\s--[a-z]`)

// TestAdviceIsGivenAsKeys: every explanation in the AADSTS catalogue, and
// the claims checks' fixes, read in the program as its own keys, never as
// a command to type (the person is in the program, not at a prompt).
func TestAdviceIsGivenAsKeys(t *testing.T) {
	for _, flow := range []string{"browser", "device", "secret", "certificate"} {
		for _, step := range []string{"", aadsts.StepSignIn, aadsts.StepRefresh} {
			ctx := aadsts.Context{ClientID: claimstest.ClientID, Tenant: claimstest.TenantID, RedirectURI: "http://localhost:53000",
				Cluster: "westeurope-1", CDFURL: claimstest.CDFURL, Flow: flow, Profile: "dev", Step: step}
			for _, n := range aadsts.KnownCodes() {
				x := aadsts.Explain(&aadsts.Error{Codes: []int{n}}, ctx)
				for _, s := range []string{x.Cause, x.Fix} {
					if got := tuiAdvice(s, errorPageKeys); cliAdvice.MatchString(got) {
						t.Errorf("AADSTS%d (%s, %q): command-line advice in the program: %q", n, flow, step, got)
					}
				}
			}
		}
	}
	// Checks whose fixes name commands: an expired token, one about to
	// expire, too many groups.
	now := t0
	many := make([]string, 300)
	for i := range many {
		many[i] = claimstest.GroupA
	}
	for _, pay := range []map[string]any{
		claimstest.With(claimstest.V2User(now.Add(-2*time.Hour)), "exp", now.Add(-time.Hour).Unix()),
		claimstest.With(claimstest.V2User(now.Add(-58*time.Minute)), "exp", now.Add(2*time.Minute).Unix()),
		claimstest.With(claimstest.V2User(now), "groups", many),
	} {
		tok, err := claims.Decode(claimstest.Unsigned(pay))
		if err != nil {
			t.Fatal(err)
		}
		user := true
		for _, f := range claims.Check(tok, claims.Expect{Now: now, Tenant: claimstest.TenantID, CDFURL: claimstest.CDFURL, ClientID: claimstest.ClientID, UserFlow: &user, Fresh: true}) {
			for _, s := range []string{f.Message, f.Fix} {
				if got := tuiAdvice(s, tokenPageKeys); cliAdvice.MatchString(got) {
					t.Errorf("check %s: command-line advice in the program: %q", f.ID, got)
				}
			}
		}
	}
}

func TestTUIAdvice(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Use the browser sign-in (cdflogin login --flow browser) on a managed device.", "Use the browser sign-in (press f and choose the browser flow) on a managed device."},
		{"Run cdflogin login again and approve the sign-in.", "Sign in again (press r) and approve the sign-in."},
		{"open the sign-in URL again, or use --flow device", "open the sign-in URL again, or press f and choose the device code flow"},
		{"Run: cdflogin profile edit robot --ca-file /path/to/ca.pem", "Set the profile's CA file: press e."},
	} {
		if got := tuiAdvice(tc.in, errorPageKeys); got != tc.want {
			t.Errorf("tuiAdvice(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

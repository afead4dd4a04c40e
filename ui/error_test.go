package ui

import (
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/aadsts"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// entraErr is an Entra refusal as the flows return it.
func entraErr(op, code string, n int, desc string) error {
	return &flows.EntraError{Op: op, Err: &aadsts.Error{Code: code, Codes: []int{n}, Description: desc,
		CorrelationID: "0b0b0b0b-1111-2222-3333-444444444444", HTTPStatus: 400, Source: aadsts.SourceToken}}
}

func TestErrorScreenExplainsAADSTS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile profiles.Profile
		err     error
		want    []string
		keyF    profiles.Flow // flow preselected by f
	}{
		{
			name: "7000218 public client flows off", profile: devProfile,
			err:  entraErr("device code sign-in", "invalid_client", 7000218, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
			want: []string{"AADSTS7000218", "Allow public client flows"},
			keyF: profiles.FlowBrowser,
		},
		{
			name: "700016 app not found", profile: devProfile,
			err:  entraErr("device code", "unauthorized_client", 700016, "AADSTS700016: Application with identifier '4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b' was not found in the directory."),
			want: []string{"AADSTS700016", "4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b"},
		},
		{
			name: "7000215 wrong secret", profile: secretProfile,
			err:  entraErr("client secret sign-in", "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided."),
			want: []string{"AADSTS7000215", "Value"},
		},
		{
			name: "53003 conditional access", profile: devProfile,
			err:  entraErr("device code", "invalid_grant", 53003, "AADSTS53003: Access has been blocked by Conditional Access policies."),
			want: []string{"AADSTS53003", "Conditional Access"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, 100, 30, []profiles.Profile{tc.profile})
			d.auth.loginErr = tc.err
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("error", onScreen(scrError))
			d.requireView(tc.want...)
			d.requireView("Fix:", "r retry", "f other flow", "e edit profile")
			if !d.m.errv.explained || !d.m.errv.ex.Known {
				t.Errorf("not explained from the catalogue: %+v", d.m.errv.ex)
			}
			// The ways on.
			d.press("f")
			if d.m.screen != scrFlow {
				t.Fatalf("f: screen %v, want flows", d.m.screen)
			}
			if tc.keyF != "" && d.m.picker.Selected().Flow != tc.keyF {
				t.Errorf("f preselected %q, want %q", d.m.picker.Selected().Flow, tc.keyF)
			}
			d.press("esc")
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("error again", onScreen(scrError))
			d.press("e")
			if d.m.screen != scrForm || d.m.form.editing != tc.profile.Name {
				t.Fatalf("e: screen %v editing %q", d.m.screen, d.m.form.editing)
			}
			d.press("esc")
			d.waitFor("back", onScreen(scrProfiles))
		})
	}
}

func TestErrorRetry(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{secretProfile})
	d.auth.loginErr = entraErr("client secret sign-in", "invalid_client", 7000222, "AADSTS7000222: The provided client secret keys are expired.")
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("error", onScreen(scrError))
	d.auth.loginErr = nil
	d.press("r")
	d.waitFor("token after retry", onScreen(scrToken))
	if got := len(d.auth.logins); got != 2 {
		t.Errorf("%d logins, want 2", got)
	}
}

func TestNetworkErrorExplained(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{secretProfile})
	d.auth.loginErr = &flows.NetworkError{Err: errorString("dial tcp 10.0.0.1:443: connect: connection refused")}
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("error", onScreen(scrError))
	d.requireView("Cannot reach Microsoft Entra ID", "HTTPS_PROXY")
	if strings.Contains(d.view(), "AADSTS") {
		t.Error("a network failure shown as an AADSTS code")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

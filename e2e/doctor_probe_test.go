package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// TestDoctorProbesBeforeSignIn: after a failed login, "run cdflogin
// doctor" finds what the sign-in page showed, asking the sandbox (which
// answers as Entra does) before anyone signs in: the sign-in URL for
// browser profiles, the device-code endpoint for device profiles. And it
// says plainly when the registration looks right, naming what only a
// sign-in can show.
func TestDoctorProbesBeforeSignIn(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	svc := flows.New(flows.Deps{HTTPClient: sb.HTTPClient(), CacheDir: filepath.Join(t.TempDir(), "cache")})
	d := insight.Deps{
		Flows:      func() (insight.Silenter, error) { return svc, nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return sb.HTTPClient(), nil },
		PortFree:   func(int) error { return nil },
	}
	profile := func(clientID string, flow profiles.Flow) profiles.Profile {
		return profiles.Profile{Name: "probe", Tenant: sandbox.TenantID, ClientID: clientID, Cluster: "sandbox",
			Project: sandbox.ProjectName, Flow: flow, Authority: sb.AuthorityURL(), CDFURL: sb.CDFURL()}
	}
	const unknownApp = "1a2b3c4d-9999-4000-8000-000000009999"
	tests := []struct {
		name   string
		p      profiles.Profile
		check  string
		status insight.Status
		says   []string
	}{
		{"unknown app, browser", profile(unknownApp, profiles.FlowBrowser), insight.CheckAuthorize, insight.StatusFail,
			[]string{"AADSTS700016: Application not found in the tenant", "client_id " + unknownApp}},
		{"confidential app without redirect URI, browser", profile(sandbox.SecretAppID, profiles.FlowBrowser), insight.CheckAuthorize, insight.StatusFail,
			[]string{"AADSTS500113: No redirect URI registered", "Try:   cdflogin login -p probe --flow device"}},
		{"unknown app, device", profile(unknownApp, profiles.FlowDevice), insight.CheckDeviceCode, insight.StatusFail,
			[]string{"AADSTS700016", unknownApp}},
		{"registration right, browser", profile(sandbox.BrowserAppID, profiles.FlowBrowser), insight.CheckAuthorize, insight.StatusOK,
			[]string{"Entra shows the sign-in page for client " + sandbox.BrowserAppID}},
		{"redirect URI under Web: only a sign-in shows it", profile(sandbox.NoPublicAppID, profiles.FlowBrowser), insight.CheckAuthorize, insight.StatusOK,
			[]string{"shows only when the code is redeemed", "AADSTS7000218"}},
		{"registration right, device", profile(sandbox.DeviceAppID, profiles.FlowDevice), insight.CheckDeviceCode, insight.StatusOK,
			[]string{"Entra hands out device codes to client " + sandbox.DeviceAppID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			before := sb.Count("token")
			rep := insight.Doctor(ctx, d, insight.DoctorInput{Name: tt.p.Name, Profile: tt.p})
			var got *insight.Check
			for i := range rep.Checks {
				if rep.Checks[i].ID == tt.check {
					got = &rep.Checks[i]
				}
			}
			if got == nil || got.Status != tt.status {
				t.Fatalf("%s: %+v, want %s (checks %+v)", tt.check, got, tt.status, rep.Checks)
			}
			text := got.Message + "\n" + got.Fix + "\n" + got.Details
			for _, w := range tt.says {
				if !strings.Contains(text, w) {
					t.Errorf("%s does not say %q:\n%s", tt.check, w, text)
				}
			}
			for _, c := range rep.Checks {
				if c.ID == insight.CheckToken && tt.status == insight.StatusFail && !strings.Contains(c.Fix, "Fix the app registration first") {
					t.Errorf("the token check sends people back to login: %+v", c)
				}
			}
			if n := sb.Count("token") - before; n != 0 {
				t.Errorf("doctor made %d token request(s): nobody signed in", n)
			}
		})
	}
}

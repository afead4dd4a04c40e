package ui

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/nethint"
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
		want    []string      // the catalogue's title, cause and fix: text the injected Entra error does not hold
		keyF    profiles.Flow // flow preselected by f
	}{
		{
			name: "7000218 public client flows off", profile: devProfile,
			err:  entraErr("device code sign-in", "invalid_client", 7000218, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
			want: []string{"AADSTS7000218", "public client flows off", "Why: Entra wants a client secret", "Allow public client flows"},
			keyF: profiles.FlowBrowser,
		},
		{
			name: "700016 app not found", profile: devProfile,
			err:  entraErr("device code", "unauthorized_client", 700016, "AADSTS700016: Application with identifier '4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b' was not found in the directory."),
			want: []string{"AADSTS700016", "Application not found in the tenant", "Why: No application with client ID", "4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b"},
		},
		{
			name: "7000215 wrong secret", profile: secretProfile,
			err:  entraErr("client secret sign-in", "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided."),
			want: []string{"AADSTS7000215", "Why: The client secret sent for app", "Value"},
		},
		{
			name: "53003 conditional access", profile: devProfile,
			err:  entraErr("device code", "invalid_grant", 53003, "AADSTS53003: Access has been blocked by Conditional Access policies."),
			want: []string{"AADSTS53003", "Blocked by Conditional Access", "Why: A Conditional Access policy of tenant"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, 100, 30, []profiles.Profile{tc.profile})
			d.auth.loginErr = tc.err
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("error", onScreen(scrError))
			d.requireView(tc.want...)
			d.requireView("Fix:", "r/enter retry", "f other flow", "e edit profile")
			if !d.m.errPage().explained || !d.m.errPage().ex.Known {
				t.Errorf("not explained from the catalogue: %+v", d.m.errPage().ex)
			}
			// The ways on.
			d.press("f")
			if d.m.screen != scrFlow {
				t.Fatalf("f: screen %v, want flows", d.m.screen)
			}
			if tc.keyF != "" && d.m.pickerPage().Selected().Flow != tc.keyF {
				t.Errorf("f preselected %q, want %q", d.m.pickerPage().Selected().Flow, tc.keyF)
			}
			d.press("esc")
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("error again", onScreen(scrError))
			d.press("e")
			if d.m.screen != scrForm || d.m.formPage().editing != tc.profile.Name {
				t.Fatalf("e: screen %v editing %q", d.m.screen, d.m.formPage().editing)
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

// TestNetworkErrorExplained: a sign-in that cannot reach Entra ID shows
// nethint's classification and fix, naming the host, the profile's
// ca_file and the command that sets it: the command line's advice for the
// same profile, word for word. Answers from something in Entra's place
// and a browser wait that ran out are not called network failures.
func TestNetworkErrorExplained(t *testing.T) {
	network := func(err error) error { return &flows.NetworkError{Op: "client secret sign-in", Err: err} }
	tokenURL := "https://login.microsoftonline.com/" + claimstest.TenantID + "/oauth2/v2.0/token"
	refused := func() error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, err = (&http.Client{}).Post("https://"+addr+"/token", "text/plain", nil)
		if err == nil {
			t.Skip("the closed port was taken again")
		}
		return err
	}()
	tests := []struct {
		name   string
		err    error
		caFile string   // the profile's
		want   []string // on screen, besides the fix
		fix    []string // in the fix (which the screen wraps)
		kind   nethint.Kind
	}{
		{"untrusted CA", network(unknownCAError(tokenURL)), "", []string{"Cannot reach Entra ID: untrusted certificate",
			"login.microsoftonline.com", "TLS-inspecting", "ca_file", "SSL_CERT_FILE"},
			[]string{"(profiles.yaml: profiles.robot.ca_file)", "Run: cdflogin profile edit robot --ca-file /path/to/ca.pem"}, nethint.UnknownCA},
		{"untrusted CA, with a ca_file", network(unknownCAError(tokenURL)), "/etc/corp-ca.pem", []string{"Cannot reach Entra ID: untrusted certificate"},
			[]string{"Add that CA's certificate (PEM) to the profile's ca_file (now /etc/corp-ca.pem, which does not hold it)"}, nethint.UnknownCA},
		{"refused, real", network(refused), "", []string{"Cannot reach Entra ID: connection refused", "Nothing listens at 127.0.0.1:"},
			[]string{"Check the host and port in the profile's authority."}, nethint.Refused},
		// Flattened by MSAL, naming no host: the profile's authority.
		{"refused, flattened", network(errorString("dial tcp: connect: connection refused")), "",
			[]string{"Cannot reach Entra ID: connection refused", "Nothing listens at login.microsoftonline.com"}, []string{"HTTPS_PROXY"}, nethint.Refused},
		{"DNS", network(&url.Error{Op: "Post", URL: "https://login.contoso.invalid/t", Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "login.contoso.invalid", IsNotFound: true}}}), "",
			[]string{"Cannot reach Entra ID: host name not found (DNS)", "login.contoso.invalid"}, []string{"Check the spelling of the profile's authority."}, nethint.DNS},
		{"proxy wants a sign-in", network(&url.Error{Op: "Post", URL: tokenURL, Err: errors.New("Proxy Authentication Required")}), "",
			[]string{"407 Proxy Authentication Required"}, []string{"HTTPS_PROXY"}, nethint.Proxy},
		{"answer from a captive portal", &flows.AnswerError{Op: "client secret sign-in", Expected: "a token response", Problem: "an HTML page", Status: 200}, "",
			[]string{"Sign-in with secret failed", "captive portal"}, nil, nethint.None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := secretProfile
			p.CAFile = tt.caFile
			d := newDriver(t, 120, 40, []profiles.Profile{p})
			d.auth.loginErr = tt.err
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("error", onScreen(scrError))
			d.requireView(tt.want...)
			v := d.view()
			if strings.Contains(v, "AADSTS") {
				t.Error("a network failure shown as an AADSTS code")
			}
			if got := strings.Contains(v, "Fix:"); got != (tt.kind != nethint.None) {
				t.Errorf("a fix shown: %v, want %v", got, tt.kind != nethint.None)
			}
			if tt.kind == nethint.None {
				return
			}
			// The seam's advice for the same error and profile, as the
			// command line asks it (cmdutil.FlowError).
			x := diagnosis.Explain(diagnosis.Input{Err: tt.err, Profile: p, Flow: p.Flow})
			if x.Kind != diagnosis.Network {
				t.Fatalf("the seam gives no network advice: %+v", x)
			}
			a := *x.Advice
			if a.Kind != tt.kind {
				t.Fatalf("nethint says %q, want %q", a.Kind, tt.kind)
			}
			if !d.m.errPage().explained || d.m.errPage().ex.Title != a.Title() || d.m.errPage().ex.Cause != a.Cause || d.m.errPage().ex.Fix != a.FixText() {
				t.Errorf("the screen's explanation %+v is not the command line's %+v", d.m.errPage().ex, a)
			}
			for _, w := range tt.fix {
				if !strings.Contains(d.m.errPage().ex.Fix, w) {
					t.Errorf("the fix does not say %q: %s", w, d.m.errPage().ex.Fix)
				}
			}
		})
	}
}

// A browser wait that ran out is explained as the command line explains
// it (the diagnosis seam): the errors Entra shows only in the browser,
// one a line, and the ways on as the program's keys.
func TestBrowserWaitExplained(t *testing.T) {
	err := fmt.Errorf("browser sign-in: %w", &loopback.TimeoutError{Timeout: 5 * time.Minute, Addr: "localhost:53127"})
	d := newDriver(t, 120, 40, []profiles.Profile{browserProfile})
	d.auth.loginErr = err
	d.auth.complete <- struct{}{}
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("error", onScreen(scrError))
	d.requireView("No answer from the browser", "        AADSTS50011 Redirect URI not registered", "press f and choose the device flow")
	x := diagnosis.Explain(diagnosis.Input{Err: err, Profile: browserProfile, Flow: profiles.FlowBrowser})
	if x.Kind != diagnosis.Browser || x.Fix != d.m.errPage().ex.Fix {
		t.Errorf("the program's explanation is not the seam's")
	}
}

// unknownCAError is Go's error for a server whose certificate is signed
// by an unknown authority, with a fixed URL (for golden screens).
func unknownCAError(u string) error {
	return &url.Error{Op: "Post", URL: u, Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}
}

// TestNetworkErrorScreens: how a failure to reach Entra ID looks at the
// usual sizes, and that it fits smaller ones.
func TestNetworkErrorScreens(t *testing.T) {
	tokenURL := "https://login.microsoftonline.com/" + claimstest.TenantID + "/oauth2/v2.0/token"
	screens := []struct {
		name string
		err  error
	}{
		{"unknown-ca", &flows.NetworkError{Op: `request a new token with the client secret of profile "robot"`, Err: unknownCAError(tokenURL)}},
		{"dns", &flows.NetworkError{Op: `request a new token with the client secret of profile "robot"`, Err: &url.Error{Op: "Post",
			URL: "https://login.contoso.invalid/" + claimstest.TenantID + "/oauth2/v2.0/token", Err: &net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "login.contoso.invalid", IsNotFound: true}}}}},
	}
	for _, size := range goldenSizes {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], sc.name), func(t *testing.T) {
				d := newDriver(t, size[0], size[1], []profiles.Profile{secretProfile})
				d.auth.loginErr = sc.err
				d.waitFor("profiles", onScreen(scrProfiles))
				d.press("enter", "enter")
				d.waitFor("error", onScreen(scrError))
				d.golden()
			})
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

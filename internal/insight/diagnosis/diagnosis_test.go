package diagnosis

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

const cluster = "https://westeurope-1.cognitedata.com"

func profile(flow profiles.Flow, mod ...func(*profiles.Profile)) profiles.Profile {
	p := profiles.Profile{Name: "dev-eu", Tenant: "8f0c6f5e-3a2b-4c1d-9e8f-0a1b2c3d4e5f", ClientID: "4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b",
		Cluster: "westeurope-1", Project: "acme", Flow: flow}
	for _, m := range mod {
		m(&p)
	}
	return p
}

var allFlows = []profiles.Flow{profiles.FlowBrowser, profiles.FlowDevice, profiles.FlowSecret, profiles.FlowCertificate}

// commandRe finds the commands an explanation tells people to run.
var commandRe = regexp.MustCompile(`cdflogin (login|doctor|claims|inspect|token|env)\b[^.;,)]*`)

// TestEveryCodeEveryFlow runs every catalogue code through the seam for
// every flow, as a sign-in and as a refresh, and checks what the
// explanation names: the commands it gives carry -p and the profile's
// name (the Try line is a login that would run, with another flow than
// the one that failed), it names the resource the answer names (never
// the CDF cluster for another API, nor offers the Cognite admin-consent
// URL for it), and no placeholder is left.
func TestEveryCodeEveryFlow(t *testing.T) {
	graph := "https://graph.microsoft.com"
	for _, code := range aadsts.KnownCodes() {
		for _, flow := range allFlows {
			for _, refresh := range []bool{false, true} {
				for _, res := range []string{"", graph} {
					name := fmt.Sprintf("%d/%s/refresh=%v/resource=%q", code, flow, refresh, res)
					t.Run(name, func(t *testing.T) {
						p := profile(flow)
						ae := &aadsts.Error{Code: "invalid_request", Codes: []int{code}, Description: fmt.Sprintf("AADSTS%d: something.", code)}
						if res != "" {
							p.Scopes = []string{res + "/.default"}
							ae.Description = fmt.Sprintf("AADSTS%d: The resource principal named %s was not found in the tenant named contoso.", code, res)
						}
						var err error = &flows.EntraError{Op: "sign in", Err: ae}
						if refresh {
							err = &flows.LoginRequiredError{Profile: p.Name, Reason: "refused", Err: ae}
						}
						x := Explain(Input{Err: err, Profile: p})
						if x.Kind != Entra || !x.Known || x.Title == "" || x.Fix == "" {
							t.Fatalf("not explained from the catalogue: %+v", x)
						}
						text := x.Title + "\n" + x.Cause + "\n" + x.Fix + "\n" + x.Try
						if m := regexp.MustCompile(`\{[a-z]+\}`).FindString(text); m != "" {
							t.Errorf("placeholder %s left:\n%s", m, text)
						}
						for _, cmd := range commandRe.FindAllString(text, -1) {
							if !strings.Contains(cmd, "-p dev-eu") && !strings.HasPrefix(cmd, "cdflogin login to") {
								t.Errorf("command without -p dev-eu: %q\n%s", cmd, text)
							}
						}
						if x.Try != "" {
							args := strings.Fields(x.Try)
							if len(args) != 6 || strings.Join(args[:4], " ") != "cdflogin login -p dev-eu" || args[4] != "--flow" ||
								(args[5] != "browser" && args[5] != "device") || args[5] == string(flow) {
								t.Errorf("Try %q is not a login with another flow", x.Try)
							}
						}
						if res == graph && (strings.Contains(text, "adminconsent?client_id="+cluster) || strings.Contains(text, "Cognite API")) {
							t.Errorf("an explanation for %s speaks of CDF's API:\n%s", res, text)
						}
						if strings.Contains(x.String(), "{") {
							t.Errorf("String has a placeholder:\n%s", x.String())
						}
					})
				}
			}
		}
	}
}

// TestContextTrue: the codes whose meaning depends on the flow, the step
// or the answer read differently in each (issue 15's list).
func TestContextTrue(t *testing.T) {
	graph := "https://graph.microsoft.com"
	entra := func(code int, errValue, desc string) *aadsts.Error {
		return &aadsts.Error{Code: errValue, Codes: []int{code}, Description: desc}
	}
	tests := []struct {
		name string
		in   Input
		says []string
		not  []string
	}{
		{"500011 for Graph names Graph, no CDF admin consent",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(500011, "invalid_resource", "AADSTS500011: The resource principal named https://graph.microsoft.com was not found in the tenant named contoso.")},
				Profile: profile(profiles.FlowBrowser, func(p *profiles.Profile) { p.Scopes = []string{graph + "/.default"} })},
			[]string{"no service principal for " + graph, "profile dev-eu's scopes", cluster + "/.default"}, []string{"adminconsent", "Cognite API", "cluster westeurope-1"}},
		{"500011 for CDF: the admin-consent URL for that cluster",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(500011, "invalid_resource", "AADSTS500011: The resource principal named "+cluster+" was not found in the tenant named contoso.")},
				Profile: profile(profiles.FlowBrowser)},
			[]string{"adminconsent?client_id=" + cluster, "Cognite API"}, nil},
		{"700025 on a client-secret profile: a public app cannot use client credentials",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(700025, "invalid_client", "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")},
				Profile: profile(profiles.FlowSecret)},
			[]string{"public client", "client secret", "profile dev-eu signs in as app", "Certificates & secrets"}, []string{"user sign-in", "Remove client_secret", "Nothing to change in the portal"}},
		{"700025 on a browser profile",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(700025, "invalid_client", "AADSTS700025: x")}, Profile: profile(profiles.FlowBrowser)},
			[]string{"Remove client_secret / certificate from profile dev-eu"}, nil},
		{"7000218 tries the browser flow with -p",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(7000218, "invalid_client", "AADSTS7000218: x")}, Profile: profile(profiles.FlowDevice)},
			[]string{"Try: cdflogin login -p dev-eu --flow browser", "Allow public client flows"}, nil},
		{"7000218 in the browser flow: the Web platform",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(7000218, "invalid_client", "AADSTS7000218: x")}, Profile: profile(profiles.FlowBrowser)},
			[]string{"Web platform", "Mobile and desktop applications"}, []string{"Try:"}},
		{"7000215 on a certificate profile: no client-secret advice",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(7000215, "invalid_client", "AADSTS7000215: Invalid client secret provided.")}, Profile: profile(profiles.FlowCertificate)},
			[]string{"signs with a certificate", "Certificates must list its thumbprint"}, []string{"New client secret", "copy the Value"}},
		{"9002313 on a refresh: sign in again",
			Input{Err: &flows.LoginRequiredError{Profile: "dev-eu", Reason: "Entra ID refused the refresh token (AADSTS9002313)",
				Err: entra(9002313, "invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.")}, Profile: profile(profiles.FlowDevice)},
			[]string{"refresh token", "Sign in again: cdflogin login -p dev-eu"}, []string{"report it to cdflogin"}},
		{"9002313 on a refresh Entra does not call a grant error",
			Input{Err: &flows.EntraError{Op: "refresh", Refresh: true, Err: entra(9002313, "invalid_request", "AADSTS9002313: Invalid request.")}, Profile: profile(profiles.FlowBrowser)},
			[]string{"Sign in again: cdflogin login -p dev-eu"}, []string{"report it to cdflogin"}},
		{"9002313 on a sign-in: a malformed request",
			Input{Err: &flows.EntraError{Op: "sign in", Err: entra(9002313, "invalid_request", "AADSTS9002313: Invalid request.")}, Profile: profile(profiles.FlowBrowser)},
			[]string{"report it to cdflogin"}, nil},
		{"device code ran out: the tenant's lifetime, no Entra line",
			Input{Err: &flows.EntraError{Op: "device-code sign-in", CodeLifetime: 20 * time.Second, Kind: flows.ErrDeviceCodeExpired,
				Err: &aadsts.Error{Code: "expired_token", Description: "the device code expired 20s after it was handed out", Source: aadsts.SourcePoll, Local: true}},
				Profile: profile(profiles.FlowDevice)},
			[]string{"live 20s", "Run cdflogin login -p dev-eu again"}, []string{"15 minutes", "Entra:", "AADSTS70020"}},
		{"device code expired, as Entra said",
			Input{Err: &flows.EntraError{Op: "device-code sign-in", CodeLifetime: 15 * time.Minute,
				Err: entra(70020, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.")},
				Profile: profile(profiles.FlowDevice)},
			[]string{"live 15m0s", "Entra: AADSTS70020"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Explain(tt.in)
			s := x.String()
			text := strings.Join(strings.Fields(s), " ")
			for _, w := range tt.says {
				if !strings.Contains(text, w) {
					t.Errorf("does not say %q:\n%s", w, s)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("says %q:\n%s", w, s)
				}
			}
		})
	}
}

// TestKinds: what the seam makes of the other failures: network advice
// for the service the error names (with the profile's ca_file and
// name), CDF's answers and the browser wait with -p, and nothing for an
// answer from something in Entra's place.
func TestKinds(t *testing.T) {
	p := profile(profiles.FlowSecret, func(p *profiles.Profile) { p.Authority = "https://login.example.test/t" })
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		in   Input
		kind Kind
		says []string
	}{
		{"Entra unreachable", Input{Err: &flows.NetworkError{Op: "token", Err: &url.Error{Op: "Post", URL: "https://login.example.test/t/token", Err: refused}}, Profile: p},
			Network, []string{"Cannot reach Entra ID at login.example.test: connection refused"}},
		{"CDF unreachable", Input{Err: &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Err: &url.Error{Op: "Get", URL: cluster + "/api/v1/token/inspect", Err: refused}}, Profile: p},
			Network, []string{"Cannot reach CDF at westeurope-1.cognitedata.com"}},
		{"doctor's own request to Entra", Input{Err: &url.Error{Op: "Get", URL: "https://login.example.test/x", Err: refused}, Profile: p, Service: nethint.Entra},
			Network, []string{"Cannot reach Entra ID at login.example.test"}},
		{"CDF 401", Input{Err: &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Status: 401}, Profile: p},
			CDF, []string{"Run: cdflogin claims -p dev-eu", "cdflogin doctor -p dev-eu"}},
		{"browser wait ran out", Input{Err: fmt.Errorf("browser sign-in: %w", &loopback.TimeoutError{Timeout: time.Minute, Addr: "localhost:53000"}), Profile: p},
			Browser, []string{"AADSTS50011", "cdflogin doctor -p dev-eu", "cdflogin login -p dev-eu --flow device"}},
		{"answer from another issuer", Input{Err: &loopback.IssuerError{Want: "https://a", Got: "https://b"}, Profile: p},
			Browser, []string{"RFC 9207", "Sign in again"}},
		{"something in Entra's place", Input{Err: &flows.AnswerError{Op: "sign in", Expected: "a token response", Problem: "an HTML page"}, Profile: p}, None, nil},
		{"a local failure", Input{Err: errors.New("read token cache: unexpected EOF"), Profile: p}, None, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Explain(tt.in)
			if x.Kind != tt.kind {
				t.Fatalf("kind %v, want %v (%+v)", x.Kind, tt.kind, x)
			}
			text := strings.Join(strings.Fields(x.Cause+" "+x.String()), " ")
			for _, w := range tt.says {
				if !strings.Contains(text, w) {
					t.Errorf("does not say %q:\n%s", w, x.String())
				}
			}
			if tt.kind == Network {
				a := x.Advice
				if x.Title != a.Title() || x.Fix != a.FixText() || x.FixText() != a.FixText() {
					t.Errorf("the explanation's fields are not nethint's advice: %+v", x)
				}
			}
			if tt.kind != None && x.Title == "" {
				t.Error("no title")
			}
		})
	}
}

package doctor

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

const (
	entraHost = "https://login.example.test"
	otherTID  = "00000000-1111-4222-8333-444444444444"
)

var signerOnce = sync.OnceValues(func() (*claimstest.Signer, error) { return claimstest.NewSigner("kid-1") })

// failingTransport is a cmdtest.HandlerTransport whose requests fail
// first if fail says so: the request cannot reach the server.
type failingTransport struct {
	cmdtest.HandlerTransport
	fail func(r *http.Request) error // non-nil: r cannot reach the server
}

func (t failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.fail != nil {
		if err := t.fail(r); err != nil {
			return nil, err
		}
	}
	return t.HandlerTransport.RoundTrip(r)
}

// world is a fake Entra tenant (login.example.test/<TenantID>) and CDF
// (westeurope-1.cognitedata.com) that accepts the bearer token.
type world struct {
	token         string
	knownClient   string
	redirect      string // the redirect URI registered for knownClient ("" = any)
	proxyHost     string // another host CDF answers on (a proxy or private link)
	audience      string // the audience project acme's identity provider configuration names
	projectGroups string // groups of project acme: source IDs
	// unreachable is how requests fail that cannot reach the server, by
	// host, or by the end of the path when the key starts with "/".
	unreachable map[string]error
}

// The ways a request fails to reach a server, as Go's transport returns
// them (the HTTP client adds the *url.Error).
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

func untrustedCA() error { return &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}} }

func cut() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

func notFound(host string) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
}

// entraUnreachable is the flows' error for a token request to host that
// failed with err.
func entraUnreachable(host string, err error) error {
	return &flows.NetworkError{Op: `request a new token of profile "dev"`,
		Err: &url.Error{Op: "Post", URL: "https://" + host + "/" + claimstest.TenantID + "/oauth2/v2.0/token", Err: err}}
}

const (
	cdfHost = "westeurope-1.cognitedata.com"
	nxHost  = "nxdomain.example.test"
)

func (w world) client(t *testing.T) *http.Client {
	s, err := signerOnce()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	entraErr := func(rw http.ResponseWriter, status int, code string, n int, desc string) {
		rw.WriteHeader(status)
		_, _ = fmt.Fprintf(rw, `{"error":%q,"error_description":"AADSTS%d: %s\r\nTrace ID: t1\r\nCorrelation ID: c1\r\nTimestamp: 2026-11-28 16:00:00Z","error_codes":[%d],"trace_id":"t1","correlation_id":"c1"}`, code, n, desc, n)
	}
	mux.HandleFunc("/{tenant}/v2.0/.well-known/openid-configuration", func(rw http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		if tenant != claimstest.TenantID {
			entraErr(rw, 400, "invalid_tenant", 90002, "Tenant '"+tenant+"' not found.")
			return
		}
		base := entraHost + "/" + tenant
		_, _ = fmt.Fprintf(rw, `{"issuer":"%s/v2.0","authorization_endpoint":"%s/oauth2/v2.0/authorize","token_endpoint":"%s/oauth2/v2.0/token","device_authorization_endpoint":"%s/oauth2/v2.0/devicecode","jwks_uri":"%s/discovery/v2.0/keys"}`, base, base, base, base, base)
	})
	mux.HandleFunc("/{tenant}/discovery/v2.0/keys", func(rw http.ResponseWriter, r *http.Request) { _, _ = rw.Write(s.JWKS()) })
	// The sign-in page, as Entra answers a GET of the authorize URL: the
	// page for a known app and a registered redirect URI (it mentions a
	// code, but states no error), an error page with the AADSTS code
	// otherwise.
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("client_id") != w.knownClient:
			rw.WriteHeader(400)
			_, _ = fmt.Fprintf(rw, `<html><body><script>$Config={"iErrorCode":700016,"strServiceExceptionMessage":"AADSTS700016: Application with identifier \u0027%s\u0027 was not found in the directory \u0027contoso\u0027.","correlationId":"c2"};</script></body></html>`, q.Get("client_id"))
		case w.redirect != "" && q.Get("redirect_uri") != w.redirect:
			// Served with 200, as some error pages are: the page states
			// the error.
			_, _ = fmt.Fprintf(rw, `<html><body><p>AADSTS50011: The redirect URI &#39;%s&#39; specified in the request does not match the redirect URIs configured for the application.</p></body></html>`, q.Get("redirect_uri"))
		default:
			_, _ = fmt.Fprint(rw, `<html><body><script>$Config={"sFT":"x","strHelp":"see AADSTS50058 for silent sign-in"};</script>Sign in</body></html>`)
		}
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("client_id") != w.knownClient {
			entraErr(rw, 400, "unauthorized_client", 700016, "Application with identifier '"+r.PostForm.Get("client_id")+"' was not found in the directory.")
			return
		}
		_, _ = fmt.Fprint(rw, `{"user_code":"ABCD1234","device_code":"dc","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5}`)
	})
	cdfAuth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("X-Request-Id", "req-42")
			if (r.Host != "westeurope-1.cognitedata.com" && r.Host != w.proxyHost) || r.Header.Get("Authorization") != "Bearer "+w.token {
				rw.WriteHeader(401)
				_, _ = fmt.Fprint(rw, `{"error":{"code":401,"message":"Unauthorized"}}`)
				return
			}
			h(rw, r)
		}
	}
	mux.HandleFunc("/api/v1/token/inspect", cdfAuth(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(rw, `{"subject":"`+claimstest.UserOID+`","projects":[{"projectUrlName":"acme","groups":[101]}],"capabilities":[{"groupsAcl":{"actions":["LIST"],"scope":{"all":{}}},"projectScope":{"projects":["acme"]}}]}`)
	}))
	mux.HandleFunc("/api/v1/projects/acme/groups", cdfAuth(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprint(rw, `{"items":[`+w.projectGroups+`]}`)
	}))
	mux.HandleFunc("/api/v1/projects/acme", cdfAuth(func(rw http.ResponseWriter, r *http.Request) {
		if w.audience != "" {
			_, _ = fmt.Fprintf(rw, `{"name":"Acme","urlName":"acme","oidcConfiguration":{"audience":%q}}`, w.audience)
			return
		}
		_, _ = fmt.Fprint(rw, `{"name":"Acme","urlName":"acme"}`)
	}))
	fail := func(r *http.Request) error {
		for at, err := range w.unreachable {
			if r.URL.Host == at || (strings.HasPrefix(at, "/") && strings.HasSuffix(r.URL.Path, at)) {
				return err
			}
		}
		return nil
	}
	return &http.Client{Transport: failingTransport{HandlerTransport: cmdtest.HandlerTransport{Handler: mux}, fail: fail}}
}

func signed(t *testing.T, payload map[string]any) string {
	t.Helper()
	s, err := signerOnce()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func profile(flow profiles.Flow, mod ...func(*profiles.Profile)) profiles.Profile {
	p := profiles.Profile{Name: "dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID, Cluster: "westeurope-1",
		Project: "acme", Flow: flow, Authority: entraHost + "/" + claimstest.TenantID}
	if flow == profiles.FlowSecret {
		p.ClientSecret = "env:DEV_SECRET"
	}
	for _, m := range mod {
		m(&p)
	}
	return p
}

type tcase struct {
	name     string
	p        profiles.Profile
	profErr  error
	svc      insight.Silenter
	w        world
	portBusy bool
	args     []string
	exit     int
	golden   bool
	want     []string // "id status" pairs that must be there
	says     []string // in the text output (line breaks and runs of spaces as one space)
	notSays  []string // not in the text output
}

const mapped = `{"id":101,"name":"acme-readers","sourceId":"` + claimstest.GroupA + `"},{"id":102,"name":"acme-retired","sourceId":"9f1c0a11-0000-4000-9000-000000000a05"}`

func TestDoctor(t *testing.T) {
	userTok := signed(t, claimstest.V2User(now.Add(-10*time.Minute)))
	appTok := signed(t, claimstest.V1App(now.Add(-10*time.Minute)))
	okUser := &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: userTok, FromCache: true, ExpiresOn: now.Add(50 * time.Minute), Account: flows.Account{Username: claimstest.UserEmail}}}
	okApp := &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: appTok, FromCache: true, ExpiresOn: now.Add(50 * time.Minute)}}
	goodWorld := world{token: userTok, knownClient: claimstest.ClientID, projectGroups: mapped}
	needLogin := &cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}}
	consent := &aadsts.Error{Code: "invalid_grant", Description: "AADSTS65001: The user or administrator has not consented to use the application.", Codes: []int{65001}, Suberror: "consent_required", HTTPStatus: 400, Source: "token"}
	wrongCluster := signed(t, claimstest.With(claimstest.V2User(now), "aud", "https://api.cognitedata.com"))
	customAud := signed(t, claimstest.With(claimstest.V2User(now), "aud", "api://cdf-acme"))
	var many []string
	var manyGroups []string
	for i := range 21 {
		src := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		many = append(many, src)
		manyGroups = append(manyGroups, fmt.Sprintf(`{"id":%d,"name":"g%d","sourceId":%q}`, 500+i, i, src))
	}
	manyTok := signed(t, claimstest.With(claimstest.V2User(now), "groups", many))
	// A ca_file that exists (the profile must validate) but does not hold
	// the CA that signed the server's certificate.
	caFile := filepath.Join(t.TempDir(), "corp-ca.pem")
	if err := os.WriteFile(caFile, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// broken is goodWorld where requests to at fail with err.
	broken := func(at string, err error) world {
		w := goodWorld
		w.unreachable = map[string]error{at: err}
		return w
	}

	tests := []tcase{
		{name: "all_good_device", p: profile(profiles.FlowDevice), svc: okUser, w: goodWorld, exit: 0, golden: true},
		{name: "all_good_json", p: profile(profiles.FlowDevice), svc: okUser, w: goodWorld, args: []string{"--json"}, exit: 0, golden: true},
		{name: "unknown_tenant", p: profile(profiles.FlowDevice, func(p *profiles.Profile) { p.Tenant = otherTID; p.Authority = entraHost + "/" + otherTID }),
			svc: needLogin, w: goodWorld, exit: 1, golden: true,
			want: []string{"authority fail", "device-code skip", "token fail", "cdf skip"}},
		{name: "unknown_client_device", p: profile(profiles.FlowDevice), svc: needLogin, w: world{knownClient: "someone-else"}, exit: 1, golden: true,
			want: []string{"authority ok", "device-code fail", "token fail"}},
		// Before any sign-in, doctor asks Entra for the sign-in page and
		// finds what the browser would show (issue 15).
		{name: "unknown_client_browser", p: profile(profiles.FlowBrowser), svc: needLogin, w: world{knownClient: "someone-else"}, exit: 1, golden: true,
			want: []string{"authority ok", "redirect-port ok", "authorize fail", "token fail"},
			says: []string{"AADSTS700016: Application not found in the tenant", "Entra: AADSTS700016: Application with identifier '" + claimstest.ClientID + "' was not found",
				"fix: Fix the app registration first (see above); then cdflogin login -p dev"}},
		{name: "redirect_not_registered", p: profile(profiles.FlowBrowser), svc: needLogin, w: world{knownClient: claimstest.ClientID, redirect: "http://localhost:8400"}, exit: 1,
			want: []string{"authorize fail", "token fail"},
			says: []string{"AADSTS50011: Redirect URI not registered", "http://localhost:53000", "Try: cdflogin login -p dev --flow device"}},
		{name: "registration_ok_browser", p: profile(profiles.FlowBrowser), svc: needLogin, w: goodWorld, exit: 1,
			want: []string{"authorize ok", "token fail"},
			says: []string{"Entra shows the sign-in page for client " + claimstest.ClientID, "fix: cdflogin login -p dev"}},
		// The audience is judged as CDF judges it: a cdf_url that is not
		// the cluster (a proxy) does not make the token wrong, and the
		// project's own audience wins when CDF tells it.
		{name: "proxy_cdf_url", p: profile(profiles.FlowDevice, func(p *profiles.Profile) {
			p.CDFURL = "https://cdf-proxy.example.test"
			p.Scopes = []string{"https://westeurope-1.cognitedata.com/.default"}
		}), svc: okUser, w: world{token: userTok, knownClient: claimstest.ClientID, projectGroups: mapped, proxyHost: "cdf-proxy.example.test"}, exit: 0,
			want: []string{"claims/audience ok", "cdf ok"},
			says: []string{"aud https://westeurope-1.cognitedata.com is the resource the profile's scopes ask for"}},
		{name: "project_audience", p: profile(profiles.FlowDevice), svc: &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: customAud, ExpiresOn: now.Add(time.Hour)}},
			w: world{token: customAud, knownClient: claimstest.ClientID, projectGroups: mapped, audience: "api://cdf-acme"}, exit: 0,
			want: []string{"claims/audience ok", "cdf ok"},
			says: []string{"aud api://cdf-acme is project acme's audience in CDF"}},
		{name: "browser_port_busy", p: profile(profiles.FlowBrowser), svc: okUser, w: goodWorld, portBusy: true, exit: 1,
			want: []string{"redirect-port fail", "token ok", "group-mapping ok"}},
		{name: "browser_port_free", p: profile(profiles.FlowBrowser), svc: okUser, w: goodWorld, exit: 0,
			want: []string{"redirect-port ok"}},
		{name: "consent_missing", p: profile(profiles.FlowBrowser), svc: &cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "consent needed (AADSTS65001)", Err: consent}}, w: goodWorld, exit: 1,
			want: []string{"token fail"}},
		{name: "wrong_cluster_401", p: profile(profiles.FlowDevice), svc: &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: wrongCluster, ExpiresOn: now.Add(time.Hour)}}, w: goodWorld, exit: 1, golden: true,
			want: []string{"claims/audience fail", "cdf fail", "project-access skip"}},
		{name: "no_project_access", p: profile(profiles.FlowDevice, func(p *profiles.Profile) { p.Project = "acme-prd" }), svc: okUser, w: goodWorld, exit: 1,
			want: []string{"cdf ok", "project-access fail", "group-mapping skip"}},
		{name: "unmapped_groups", p: profile(profiles.FlowDevice), svc: okUser, w: world{token: userTok, knownClient: claimstest.ClientID, projectGroups: `{"id":102,"name":"acme-retired","sourceId":"x"}`}, exit: 0,
			want: []string{"group-mapping warn"}},
		{name: "app_secret", p: profile(profiles.FlowSecret), svc: okApp, w: world{token: appTok, projectGroups: mapped}, exit: 0,
			want: []string{"claims/roles info", "claims/token-kind ok", "group-mapping ok"}},
		{name: "too_many_cdf_groups", p: profile(profiles.FlowDevice), svc: &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: manyTok, ExpiresOn: now.Add(time.Hour)}},
			w: world{token: manyTok, knownClient: claimstest.ClientID, projectGroups: strings.Join(manyGroups, ",")}, exit: 1,
			want: []string{"claims/groups-count warn", "group-mapping fail"}},
		{name: "profile_missing", profErr: errors.New(`profile "dev" not found`), exit: 1, want: []string{"profile fail"}},
		{name: "profile_invalid", p: profile(profiles.FlowDevice, func(p *profiles.Profile) { p.ClientID = "not-a-guid" }), exit: 1, want: []string{"profile fail"}},
		// Failures to reach Entra ID or CDF get nethint's advice, as the
		// command line gives it (see TestNetworkAdviceAsCLI).
		{name: "cdf_refused", p: profile(profiles.FlowDevice), svc: okUser, w: broken(cdfHost, refused()), exit: 1,
			want: []string{"cdf fail", "project-access skip"},
			says: []string{"Cannot reach CDF at " + cdfHost + ": connection refused", "Check the host and port in the profile's cluster and cdf_url."}},
		{name: "cdf_untrusted_ca", p: profile(profiles.FlowDevice), svc: okUser, w: broken(cdfHost, untrustedCA()), exit: 1, golden: true,
			want: []string{"claims/audience ok", "cdf fail"},
			says: []string{"Cannot reach CDF at " + cdfHost + ": untrusted certificate", "profiles.dev.ca_file", "Run: cdflogin profile edit dev --ca-file /path/to/ca.pem"}},
		{name: "cdf_untrusted_ca_with_ca_file", p: profile(profiles.FlowDevice, func(p *profiles.Profile) { p.CAFile = caFile }), svc: okUser, w: broken(cdfHost, untrustedCA()), exit: 1,
			want:    []string{"cdf fail"},
			says:    []string{"Add that CA's certificate (PEM) to the profile's ca_file (now " + caFile + ", which does not hold it)"},
			notSays: []string{"Run: cdflogin profile edit"}},
		// The authority does not resolve: its check has the advice; the
		// token check, which fails the same way, points at it.
		{name: "authority_dns", p: profile(profiles.FlowDevice, func(p *profiles.Profile) { p.Authority = "https://" + nxHost + "/" + claimstest.TenantID }),
			svc: &cmdtest.FakeFlows{SilentErr: entraUnreachable(nxHost, notFound(nxHost))}, w: broken(nxHost, notFound(nxHost)), exit: 1, golden: true,
			want: []string{"authority fail", "device-code skip", "token fail", "cdf skip"},
			says: []string{"Cannot reach Entra ID at " + nxHost + ": host name not found (DNS)", "Check the spelling of the profile's authority.", "fix: Fix the authority first"}},
		{name: "device_code_cut", p: profile(profiles.FlowDevice), svc: needLogin, w: broken("/devicecode", cut()), exit: 1,
			want: []string{"authority ok", "device-code fail"},
			says: []string{"Cannot reach Entra ID at login.example.test: connection cut", "Check HTTPS_PROXY/NO_PROXY and any firewall, then retry."}},
		{name: "token_refused", p: profile(profiles.FlowSecret), svc: &cmdtest.FakeFlows{SilentErr: entraUnreachable("login.example.test", refused())}, w: goodWorld, exit: 1,
			want: []string{"authority ok", "token fail", "cdf skip"},
			says: []string{"Cannot reach Entra ID at login.example.test: connection refused", "Check the host and port in the profile's authority."}},
		{name: "token_answer_not_entra", p: profile(profiles.FlowSecret),
			svc: &cmdtest.FakeFlows{SilentErr: &flows.AnswerError{Op: "sign in", Expected: "a token response", Problem: "an HTML page", Status: 200}}, w: goodWorld, exit: 1,
			want: []string{"token fail"}, says: []string{"answered with something that is not a token response"}, notSays: []string{"Cannot reach"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &bytes.Buffer{}
			hc := tt.w.client(t)
			opts := &Options{
				IO:  &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &bytes.Buffer{}},
				Now: func() time.Time { return now },
				Profile: func(string) (profiles.Profile, error) {
					return tt.p, tt.profErr
				},
				Flows:      func() (insight.Silenter, error) { return tt.svc, nil },
				HTTPClient: func(profiles.Profile) (*http.Client, error) { return hc, nil },
				PortFree: func(port int) error {
					if tt.portBusy {
						return fmt.Errorf("listen tcp 127.0.0.1:%d: bind: address already in use", port)
					}
					return nil
				},
			}
			cmd := newCmd(opts, Run)
			cmd.SetArgs(append([]string{}, tt.args...))
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.ExecuteContext(context.Background())
			if got := cmdutil.ExitCode(err); got != tt.exit {
				t.Errorf("exit %d (%v), want %d\n%s", got, err, tt.exit, out)
			}
			checks := report(context.Background(), opts).Checks
			got := map[string]insight.Status{}
			for _, c := range checks {
				if _, seen := got[c.ID]; !seen {
					got[c.ID] = c.Status
				}
			}
			for _, w := range tt.want {
				id, st, _ := strings.Cut(w, " ")
				if got[id] != insight.Status(st) {
					t.Errorf("%s = %q, want %s\n%s", id, got[id], st, out)
				}
			}
			text := strings.Join(strings.Fields(out.String()), " ")
			for _, w := range tt.says {
				if !strings.Contains(text, w) {
					t.Errorf("the output does not say %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notSays {
				if strings.Contains(text, w) {
					t.Errorf("the output says %q:\n%s", w, out)
				}
			}
			for _, secret := range []string{userTok, appTok, wrongCluster, manyTok, customAud} {
				if strings.Contains(out.String(), secret[:40]) {
					t.Error("a raw token is in the output")
				}
			}
			if tt.golden {
				golden.RequireEqual(t, out.Bytes())
			}
		})
	}
}

// TestNetworkAdviceAsCLI: for the same failure to reach Entra ID or CDF,
// doctor's advice is word for word what the command line prints under
// the error line (cmdutil.FlowError's details), for the same profile.
func TestNetworkAdviceAsCLI(t *testing.T) {
	userTok := signed(t, claimstest.V2User(now.Add(-10*time.Minute)))
	okUser := &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: userTok, FromCache: true, ExpiresOn: now.Add(50 * time.Minute)}}
	caFile := filepath.Join(t.TempDir(), "corp-ca.pem")
	if err := os.WriteFile(caFile, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := world{token: userTok, knownClient: claimstest.ClientID, projectGroups: mapped}
	broken := func(at string, err error) world {
		w := good
		w.unreachable = map[string]error{at: err}
		return w
	}
	// inspect is what `cdflogin inspect` gets for the profile: the error
	// of CDF's token/inspect through the same client.
	inspect := func(p profiles.Profile, hc *http.Client) error {
		_, err := cdf.New(p.BaseURL(), hc, userTok).InspectToken(context.Background())
		return err
	}
	withCA := func(p *profiles.Profile) { p.CAFile = caFile }
	tokenErr := entraUnreachable("login.example.test", refused())
	tests := []struct {
		name  string
		p     profiles.Profile
		w     world
		svc   insight.Silenter
		check string
		cli   func(p profiles.Profile, hc *http.Client) error // the error the command line explains
	}{
		{"CDF: untrusted certificate", profile(profiles.FlowDevice), broken(cdfHost, untrustedCA()), okUser, insight.CheckCDF, inspect},
		{"CDF: untrusted certificate, with a ca_file", profile(profiles.FlowDevice, withCA), broken(cdfHost, untrustedCA()), okUser, insight.CheckCDF, inspect},
		{"CDF: refused", profile(profiles.FlowDevice), broken(cdfHost, refused()), okUser, insight.CheckCDF, inspect},
		{"CDF: host name not found", profile(profiles.FlowDevice), broken(cdfHost, notFound(cdfHost)), okUser, insight.CheckCDF, inspect},
		{"Entra: token request refused", profile(profiles.FlowSecret), good, &cmdtest.FakeFlows{SilentErr: tokenErr}, insight.CheckToken,
			func(profiles.Profile, *http.Client) error { return tokenErr }},
		{"Entra: token request cut, with a ca_file", profile(profiles.FlowSecret, withCA), good,
			&cmdtest.FakeFlows{SilentErr: entraUnreachable("login.example.test", cut())}, insight.CheckToken,
			func(profiles.Profile, *http.Client) error { return entraUnreachable("login.example.test", cut()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := tt.w.client(t)
			opts := &Options{
				Now:        func() time.Time { return now },
				Profile:    func(string) (profiles.Profile, error) { return tt.p, nil },
				Flows:      func() (insight.Silenter, error) { return tt.svc, nil },
				HTTPClient: func(profiles.Profile) (*http.Client, error) { return hc, nil },
				PortFree:   func(int) error { return nil },
			}
			checks := report(context.Background(), opts).Checks
			var got *insight.Check
			for i := range checks {
				if checks[i].ID == tt.check {
					got = &checks[i]
					break
				}
			}
			if got == nil || got.Status != insight.StatusFail {
				t.Fatalf("check %s: %+v", tt.check, got)
			}
			var d cmdutil.Detailer
			if !errors.As(cmdutil.FlowError(tt.cli(tt.p, hc), tt.p, tt.p.Flow), &d) {
				t.Fatal("the command line gives no details")
			}
			if got.Details != d.Details() {
				t.Errorf("doctor's details:\n%s\nthe command line's:\n%s", got.Details, d.Details())
			}
			if first, _, _ := strings.Cut(got.Details, "\n"); !strings.HasPrefix(first, "Cannot reach ") {
				t.Errorf("details do not start with nethint's summary: %q", first)
			}
			if got.Fix == "" || !strings.Contains(strings.Join(strings.Fields(got.Details), " "), got.Fix) {
				t.Errorf("fix %q is not the advice's fix", got.Fix)
			}
		})
	}
}

// TestDoctorPlainOutputIsSafe (issue 16): what Entra says (an error
// description), what a token says (claims quoted in findings) and what
// CDF says reach the terminal only through textsafe.
func TestDoctorPlainOutputIsSafe(t *testing.T) {
	const hostile = "x\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\r  ✓ cdf accepted\u009b31m\u202egnp"
	tok := signed(t, claimstest.With(claimstest.V2User(now), "aud", hostile, "scp", hostile))
	mux := http.NewServeMux()
	mux.HandleFunc("/{tenant}/v2.0/.well-known/openid-configuration", func(rw http.ResponseWriter, r *http.Request) {
		base := entraHost + "/" + r.PathValue("tenant")
		_, _ = fmt.Fprintf(rw, `{"issuer":"%s/v2.0","token_endpoint":"%s/oauth2/v2.0/token","device_authorization_endpoint":"%s/oauth2/v2.0/devicecode","jwks_uri":"%s/keys"}`, base, base, base, base)
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(400)
		b, _ := json.Marshal(map[string]any{"error": "unauthorized_client", "error_codes": []int{700016},
			"error_description": "AADSTS700016: Application " + hostile + " was not found.\r\nTrace ID: t\r\nCorrelation ID: c"})
		_, _ = rw.Write(b)
	})
	mux.HandleFunc("/api/v1/token/inspect", func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(401)
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": 401, "message": hostile}})
		_, _ = rw.Write(b)
	})
	out := &bytes.Buffer{}
	opts := &Options{
		IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &bytes.Buffer{}},
		Now:     func() time.Time { return now },
		Profile: func(string) (profiles.Profile, error) { return profile(profiles.FlowDevice), nil },
		Flows: func() (insight.Silenter, error) {
			return &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok, ExpiresOn: now.Add(time.Hour)}}, nil
		},
		HTTPClient: func(profiles.Profile) (*http.Client, error) {
			return &http.Client{Transport: cmdtest.HandlerTransport{Handler: mux}}, nil
		},
	}
	cmd := newCmd(opts, Run)
	cmd.SetArgs(nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	_ = cmd.ExecuteContext(context.Background())
	text := out.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e"} {
		if strings.Contains(text, bad) {
			t.Errorf("plain output carries %q:\n%q", bad, text)
		}
	}
	if !strings.Contains(text, "\ufffd]52;c;cGF5bG9hZA==") {
		t.Errorf("the planted values are not shown, made harmless:\n%s", text)
	}
}

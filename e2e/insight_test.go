package e2e_test

// End-to-end tests of claims, inspect and doctor: the real command tree
// (root.NewCmd) with real MSAL flows against the sandbox's Entra and CDF
// over TLS: matched and unmatched groups, a groups-overage user, a
// wrong-cluster profile (CDF 401), a project without access, an unknown
// tenant, and an app with public client flows off.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/root"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// insightEnv is one sandbox, one CDFLOGIN_HOME with profiles, and every
// output and token seen (for the no-secrets check).
type insightEnv struct {
	t    *testing.T
	sb   *sandbox.Sandbox
	home string

	mu     sync.Mutex
	tokens []string
}

func newInsightEnv(t *testing.T) *insightEnv {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{DeviceInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	e := &insightEnv{t: t, sb: sb, home: t.TempDir()}
	return e
}

func (e *insightEnv) factory(out, errOut *bytes.Buffer) *cmdutil.Factory {
	return &cmdutil.Factory{
		IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		Getenv: func(k string) string {
			switch k {
			case "CDFLOGIN_HOME":
				return e.home
			case "SANDBOX_SECRET":
				return sandbox.SecretAppSecret
			}
			return ""
		},
		Now:        time.Now,
		HTTPClient: e.sb.HTTPClient(),
		Version:    "e2e",
	}
}

// profile stores a sandbox profile; mod changes it first.
func (e *insightEnv) profile(name, clientID string, flow profiles.Flow, mod ...func(*profiles.Profile)) profiles.Profile {
	e.t.Helper()
	p := profiles.Profile{Name: name, Tenant: sandbox.TenantID, ClientID: clientID, Project: sandbox.ProjectName, Flow: flow,
		Authority: e.sb.AuthorityURL(), CDFURL: e.sb.CDFURL()}
	if flow == profiles.FlowSecret {
		p.ClientSecret = "env:SANDBOX_SECRET"
	}
	for _, m := range mod {
		m(&p)
	}
	f := e.factory(&bytes.Buffer{}, &bytes.Buffer{})
	store, err := cmdutil.Store(f)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := store.Add(p); err != nil {
		e.t.Fatalf("add profile %s: %v", name, err)
	}
	return p
}

// login signs username in with the device flow (approved in the sandbox).
func (e *insightEnv) login(p profiles.Profile, username string) error {
	e.t.Helper()
	svc, err := cmdutil.Service(e.factory(&bytes.Buffer{}, &bytes.Buffer{}))
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tok, err := svc.Login(ctx, p, profiles.FlowDevice, func(ev flows.Event) {
		if dc, ok := ev.(flows.DeviceCode); ok {
			if err := e.sb.ApproveDeviceCode(dc.UserCode, username); err != nil {
				e.t.Errorf("approve: %v", err)
			}
		}
	})
	if tok != nil {
		e.mu.Lock()
		e.tokens = append(e.tokens, tok.AccessToken, tok.IDToken)
		e.mu.Unlock()
	}
	return err
}

type cmdResult struct {
	out, errOut string
	err         error
}

// run runs cdflogin args through the real command tree.
func (e *insightEnv) run(args ...string) cmdResult {
	e.t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	cmd := root.NewCmd(e.factory(out, errOut))
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	r := cmdResult{out: out.String(), errOut: errOut.String(), err: err}
	e.noTokensIn(r.out + r.errOut)
	if err != nil {
		e.noTokensIn(err.Error())
		var d cmdutil.Detailer
		if errors.As(err, &d) {
			e.noTokensIn(d.Details())
		}
	}
	return r
}

func (e *insightEnv) noTokensIn(s string) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, tok := range e.tokens {
		if tok == "" {
			continue
		}
		sig := tok[strings.LastIndexByte(tok, '.')+1:]
		if strings.Contains(s, tok) || (len(sig) > 20 && strings.Contains(s, sig)) {
			e.t.Errorf("a token reached the output")
		}
	}
	if strings.Contains(s, sandbox.SecretAppSecret) {
		e.t.Errorf("the client secret reached the output")
	}
}

// rememberCachedTokens adds the tokens the commands got for profile
// (app flows get theirs inside the commands) to the no-secrets check.
func (e *insightEnv) rememberCachedTokens(profile string) {
	e.t.Helper()
	f := e.factory(&bytes.Buffer{}, &bytes.Buffer{})
	p, err := cmdutil.Profile(f, profile)
	if err != nil {
		e.t.Fatal(err)
	}
	svc, err := cmdutil.Service(f)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := svc.Cached(p)
	if err != nil || tok == nil || tok.AccessToken == "" {
		e.t.Fatalf("no cached token for %s: %v", profile, err)
	}
	e.mu.Lock()
	e.tokens = append(e.tokens, tok.AccessToken)
	e.mu.Unlock()
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

type doctorJSON struct {
	OK     bool `json:"ok"`
	Checks []struct {
		ID, Status, Message, Fix, Details string
	} `json:"checks"`
}

func (d doctorJSON) status(id string) string {
	for _, c := range d.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

func (d doctorJSON) text(id string) string {
	for _, c := range d.Checks {
		if c.ID == id {
			return c.Message + "\n" + c.Fix + "\n" + c.Details
		}
	}
	return ""
}

func TestInsightGroupsAgainstSandbox(t *testing.T) {
	e := newInsightEnv(t)
	alice := e.profile("alice", sandbox.DeviceAppID, profiles.FlowDevice)
	bob := e.profile("bob", sandbox.DeviceAppID, profiles.FlowDevice)
	olga := e.profile("olga", sandbox.DeviceAppID, profiles.FlowDevice)
	for p, user := range map[*profiles.Profile]string{&alice: sandbox.AliceUsername, &bob: sandbox.BobUsername, &olga: sandbox.OverageUsername} {
		if err := e.login(*p, user); err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
	}

	t.Run("matched groups", func(t *testing.T) {
		r := e.run("inspect", "-p", "alice", "--json")
		if r.err != nil {
			t.Fatalf("inspect: %v\n%s", r.err, r.errOut)
		}
		type group struct {
			Name     string `json:"name"`
			SourceID string `json:"sourceId"`
		}
		got := decode[struct {
			Access struct {
				HasAccess bool `json:"hasAccess"`
			} `json:"access"`
			GroupMapping struct {
				Matched []struct {
					EntraGroupID string  `json:"entraGroupId"`
					CDFGroups    []group `json:"cdfGroups"`
				} `json:"matched"`
				UnmatchedToken []string `json:"unmatchedTokenGroups"`
				UnmatchedCDF   []group  `json:"unmatchedCdfGroups"`
				Complete       bool     `json:"complete"`
			} `json:"groupMapping"`
		}](t, r.out)
		m := got.GroupMapping
		if !got.Access.HasAccess || len(m.Matched) != 2 || len(m.UnmatchedToken) != 0 {
			t.Fatalf("alice's mapping: %+v", got)
		}
		names := map[string]string{}
		for _, mg := range m.Matched {
			names[mg.EntraGroupID] = mg.CDFGroups[0].Name
		}
		if names[sandbox.GroupCDFAdmins] != "admins" || names[sandbox.GroupCDFReaders] != "readers" {
			t.Errorf("matched: %v", names)
		}
		var unmatched []string
		for _, g := range m.UnmatchedCDF {
			unmatched = append(unmatched, g.Name)
		}
		if !m.Complete || !strings.Contains(strings.Join(unmatched, ","), "retired-team") {
			t.Errorf("alice lists all groups (admin): complete=%v unmatched CDF %v", m.Complete, unmatched)
		}

		d := e.run("doctor", "-p", "alice")
		if d.err != nil {
			t.Fatalf("doctor on a healthy profile failed: %v\n%s", d.err, d.out)
		}
		for _, want := range []string{"✓ authority", "✓ device-code", "✓ token", "✓ claims/signature", "✓ cdf", "✓ project-access", "✓ group-mapping"} {
			if !strings.Contains(d.out, want) {
				t.Errorf("doctor lacks %q:\n%s", want, d.out)
			}
		}
	})

	t.Run("unmatched groups", func(t *testing.T) {
		r := e.run("inspect", "-p", "bob")
		if cmdutil.ExitCode(r.err) != cmdutil.ExitNoAccess {
			t.Fatalf("inspect: %v, want exit %d (no access to the project)", r.err, cmdutil.ExitNoAccess)
		}
		if !strings.Contains(r.out, "✗ "+sandbox.ProjectName+": no access") || !strings.Contains(r.out, "the token reaches no project") {
			t.Errorf("bob's inspect:\n%s", r.out)
		}
		d := decode[doctorJSON](t, e.run("doctor", "-p", "bob", "--json").out)
		if d.OK || d.status("project-access") != "fail" || d.status("claims/groups") != "ok" {
			t.Errorf("bob's doctor: %+v", d)
		}
	})

	t.Run("overage user", func(t *testing.T) {
		r := e.run("claims", "-p", "olga")
		if r.err != nil {
			t.Fatalf("claims: %v", r.err)
		}
		if !strings.Contains(r.out, "✗ groups-overage") || !strings.Contains(r.out, "_claim_names") || !strings.Contains(r.out, "group callback") {
			t.Errorf("olga's claims:\n%s", r.out)
		}
		js := decode[struct {
			Findings []struct{ Severity, ID string }
		}](t, e.run("claims", "-p", "olga", "--json").out)
		found := false
		for _, f := range js.Findings {
			found = found || (f.ID == "groups-overage" && f.Severity == "error")
		}
		if !found {
			t.Errorf("JSON findings: %+v", js.Findings)
		}
		in := decode[struct {
			GroupsOverage bool `json:"groupsOverage"`
		}](t, e.run("inspect", "-p", "olga", "--json").out)
		if !in.GroupsOverage {
			t.Error("inspect does not report the overage")
		}
	})

	t.Run("id token", func(t *testing.T) {
		r := e.run("claims", "-p", "alice", "--id-token")
		if r.err != nil || !strings.Contains(r.out, "ID token of profile alice") || !strings.Contains(r.out, "✓ audience") {
			t.Errorf("id token: %v\n%s", r.err, r.out)
		}
	})
}

func TestInsightProfilesAgainstSandbox(t *testing.T) {
	e := newInsightEnv(t)
	e.profile("app", sandbox.SecretAppID, profiles.FlowSecret)
	e.profile("wrong-cluster", sandbox.SecretAppID, profiles.FlowSecret, func(p *profiles.Profile) {
		p.Scopes = []string{"https://westeurope-1.cognitedata.com/.default"}
	})
	e.profile("restricted", sandbox.SecretAppID, profiles.FlowSecret, func(p *profiles.Profile) { p.Project = sandbox.RestrictedProjectName })
	e.profile("nowhere", sandbox.DeviceAppID, profiles.FlowDevice, func(p *profiles.Profile) {
		p.Tenant = "0badbad0-0000-4000-8000-000000000000"
		p.Authority = strings.TrimSuffix(e.sb.AuthorityURL(), sandbox.TenantID) + p.Tenant
	})
	nopublic := e.profile("nopublic", sandbox.NoPublicAppID, profiles.FlowDevice)
	certApp, ok := e.sb.World().App(sandbox.AppCertificate)
	if !ok || len(certApp.Certificates) == 0 {
		t.Fatal("the sandbox has no certificate app")
	}
	pemPath := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(pemPath, certApp.Certificates[0].PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	e.profile("cert", sandbox.CertificateAppID, profiles.FlowCertificate, func(p *profiles.Profile) { p.Certificate = pemPath })

	t.Run("app token healthy", func(t *testing.T) {
		r := e.run("doctor", "-p", "app")
		e.rememberCachedTokens("app")
		e.noTokensIn(r.out)
		if r.err != nil {
			t.Fatalf("doctor: %v\n%s", r.err, r.out)
		}
		if !strings.Contains(r.out, "✓ claims/token-kind") || !strings.Contains(r.out, "✓ group-mapping") {
			t.Errorf("doctor:\n%s", r.out)
		}
	})

	t.Run("certificate app healthy", func(t *testing.T) {
		r := e.run("doctor", "-p", "cert")
		e.rememberCachedTokens("cert")
		e.noTokensIn(r.out)
		if r.err != nil {
			t.Fatalf("doctor: %v\n%s", r.err, r.out)
		}
		thumb := certApp.Certificates[0].ThumbprintSHA1()
		if !strings.Contains(r.out, "✓ certificate") || !strings.Contains(r.out, thumb) || !strings.Contains(r.out, "✓ group-mapping") {
			t.Errorf("doctor:\n%s", r.out)
		}
	})

	t.Run("wrong cluster gets 401", func(t *testing.T) {
		out := e.run("doctor", "-p", "wrong-cluster", "--json").out
		e.rememberCachedTokens("wrong-cluster")
		e.noTokensIn(out)
		d := decode[doctorJSON](t, out)
		// The token is for the cluster its scopes name; CDF at the
		// profile's cdf_url refuses it: the audience is information (the
		// cdf_url alone does not make the token wrong), CDF's 401 the
		// failure, whose fix names both.
		if d.OK || d.status("claims/audience") != "info" || d.status("cdf") != "fail" || d.status("project-access") != "skip" {
			t.Fatalf("doctor: %+v", d)
		}
		if !strings.Contains(d.text("cdf"), "401") || !strings.Contains(d.text("cdf"), "The token is for https://westeurope-1.cognitedata.com") ||
			!strings.Contains(d.text("claims/audience"), "westeurope-1") {
			t.Errorf("cdf: %s\naudience: %s", d.text("cdf"), d.text("claims/audience"))
		}
		r := e.run("inspect", "-p", "wrong-cluster")
		if cmdutil.ExitCode(r.err) != cmdutil.ExitError || !strings.Contains(r.err.Error(), "401") || !strings.Contains(r.err.Error(), "request ID") {
			t.Errorf("inspect: %v", r.err)
		}
		var det cmdutil.Detailer
		if !errors.As(r.err, &det) || !strings.Contains(det.Details(), "cdflogin claims") {
			t.Errorf("inspect's 401 has no advice: %v", r.err)
		}
	})

	t.Run("project without access", func(t *testing.T) {
		r := e.run("doctor", "-p", "restricted")
		if cmdutil.ExitCode(r.err) != cmdutil.ExitError || !strings.Contains(r.out, "✗ project-access") || !strings.Contains(r.out, "it reaches: "+sandbox.ProjectName) {
			t.Errorf("doctor: %v\n%s", r.err, r.out)
		}
		in := e.run("inspect", "-p", "restricted")
		if !strings.Contains(in.out, "✗ "+sandbox.RestrictedProjectName+": no access") {
			t.Errorf("inspect:\n%s", in.out)
		}
	})

	t.Run("unknown tenant", func(t *testing.T) {
		r := e.run("doctor", "-p", "nowhere")
		if cmdutil.ExitCode(r.err) != cmdutil.ExitError {
			t.Fatalf("exit %d", cmdutil.ExitCode(r.err))
		}
		for _, want := range []string{"✗ authority", "AADSTS90002", "Directory (tenant) ID", "- device-code"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("doctor lacks %q:\n%s", want, r.out)
			}
		}
	})

	t.Run("public client flows off", func(t *testing.T) {
		// Entra (and the sandbox) only refuse after someone signs in, so
		// doctor can say no more than the hint before a sign-in.
		d := decode[doctorJSON](t, e.run("doctor", "-p", "nopublic", "--json").out)
		if d.status("device-code") != "ok" || !strings.Contains(d.text("device-code"), "AADSTS7000218") || d.status("token") != "fail" {
			t.Errorf("doctor before sign-in: %+v", d)
		}
		err := e.login(nopublic, sandbox.AliceUsername)
		var ae *aadsts.Error
		if !errors.As(err, &ae) || ae.AADSTS() != 7000218 {
			t.Fatalf("login with public client flows off: %v", err)
		}
		x := aadsts.Explain(ae, diagnosis.Context(nopublic, nopublic.Flow, ""))
		if !strings.Contains(x.Fix, "Allow public client flows") {
			t.Errorf("explanation: %+v", x)
		}
	})
}

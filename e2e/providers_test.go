package e2e_test

// End-to-end tests of the Cognito and OIDC sign-ins against the sandbox's
// user pool and OpenID provider over TLS: every flow each provider
// supports, silent refresh, logout, the flows each refuses, and what CDF
// and cdflogin's insight make of the tokens.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// providerEnv is a flowEnv whose secrets include the sandbox's Cognito
// and OIDC app client secrets, on a sandbox whose public app clients
// accept a free loopback port (the default world's Cognito client lists
// http://localhost:53000 only, which tests must not bind).
func providerEnv(t *testing.T) (*flowEnv, int) {
	t.Helper()
	port := flowsFreePort(t)
	w := sandbox.DefaultWorld()
	for i := range w.IdPClients {
		if len(w.IdPClients[i].CallbackURLs) > 0 {
			w.IdPClients[i].CallbackURLs = append(w.IdPClients[i].CallbackURLs, "http://localhost:"+strconv.Itoa(port))
		}
	}
	e := newFlowEnv(t, sandbox.Options{World: &w})
	e.withDeps(func(d *flows.Deps) {
		base := d.Secret
		d.Secret = func(p profiles.Profile, field string) (string, error) {
			switch p.ClientSecret {
			case "env:COGNITO_SECRET":
				return sandbox.CognitoClientSecret, nil
			case "env:OIDC_SECRET":
				return sandbox.OIDCClientSecret, nil
			}
			return base(p, field)
		}
	})
	return e, port
}

func cognitoProfile(e *flowEnv, flow profiles.Flow, port int) profiles.Profile {
	p := profiles.Profile{Name: "sb-cognito-" + string(flow), Provider: profiles.ProviderCognito, Issuer: e.sb.CognitoIssuer(),
		ClientID: sandbox.CognitoPublicClientID, Flow: flow, CDFURL: e.sb.CDFURL(), Project: sandbox.CognitoProjectName}
	switch flow {
	case profiles.FlowSecret:
		p.ClientID = sandbox.CognitoSecretClientID
		p.ClientSecret = "env:COGNITO_SECRET"
	case profiles.FlowBrowser:
		p.RedirectPort = port
	}
	return p
}

// judge runs claims' checks on the token as `cdflogin claims` does, and
// CDF's token/inspect with the group mapping as `cdflogin inspect` does.
func judge(t *testing.T, e *flowEnv, p profiles.Profile, tok *flows.Tokens) *insight.InspectResult {
	t.Helper()
	ct, err := claims.Decode(tok.AccessToken)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	for _, f := range claims.Check(ct, insight.ExpectFor(p, time.Now(), true)) {
		if f.Severity >= claims.SeverityWarn {
			t.Errorf("claims check %s: %s (fix: %s)", f.ID, f.Message, f.Fix)
		}
	}
	deps := insight.Deps{HTTPClient: func(profiles.Profile) (*http.Client, error) { return e.sb.HTTPClient(), nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := insight.Inspect(ctx, deps, insight.InspectInput{Profile: p, AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	if !res.HasAccess() {
		t.Errorf("CDF gives the token no access to %s: %+v", p.Project, res.Report.Access)
	}
	return res
}

func mappedNames(res *insight.InspectResult) []string {
	var out []string
	if res.Report.Mapping == nil {
		return nil
	}
	for _, m := range res.Report.Mapping.Matched {
		for _, g := range m.CDFGroups {
			out = append(out, g.Name)
		}
	}
	return out
}

func TestCognitoClientCredentials(t *testing.T) {
	e, port := providerEnv(t)
	p := cognitoProfile(e, profiles.FlowSecret, port)
	tok, err := e.login(p, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	again, err := e.silent(p, flows.SilentOptions{})
	if err != nil || !again.FromCache || again.AccessToken != tok.AccessToken {
		t.Fatalf("silent from cache: %+v, %v", again, err)
	}
	fresh, err := e.silent(p, flows.SilentOptions{Force: true})
	if err != nil || fresh.FromCache || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("forced refresh: %+v, %v", fresh, err)
	}
	res := judge(t, e, p, fresh)
	if names := mappedNames(res); !slices.Contains(names, "robots") {
		t.Errorf("token groups %v mapped to %v, want robots", res.TokenGroups, names)
	}
	// A wrong secret: Cognito's invalid_client, explained.
	bad := p
	bad.Name, bad.ClientSecret = "sb-cognito-bad", "env:WRONG_SECRET"
	_, err = e.login(bad, nil)
	var pe *flows.ProviderError
	if !errors.As(err, &pe) || pe.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v", err)
	}
	if removed, err := e.svc.Logout(p); err != nil || len(removed) == 0 {
		t.Fatalf("logout: %v, %v", removed, err)
	}
	if _, err := e.silent(p, flows.SilentOptions{}); err != nil {
		t.Fatalf("an app signs in again silently after logout: %v", err)
	}
}

func TestCognitoBrowser(t *testing.T) {
	e, port := providerEnv(t)
	p := cognitoProfile(e, profiles.FlowBrowser, port)
	tok, err := e.login(p, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if tok.Account.Username == "" || tok.IDToken == "" {
		t.Fatalf("account %+v", tok.Account)
	}
	res := judge(t, e, p, tok)
	if names := mappedNames(res); !slices.Contains(names, "admins") || !slices.Contains(names, "readers") {
		t.Errorf("alice's cognito:groups %v mapped to %v, want admins and readers", res.TokenGroups, names)
	}
	// An hour later: refreshed with the refresh token (Cognito gives no
	// new one), twice.
	for i := range 2 {
		e.sb.Advance(58 * time.Minute)
		e.offset.Add(int64(58 * time.Minute))
		r, err := e.silent(p, flows.SilentOptions{})
		if err != nil || r.FromCache || r.AccessToken == tok.AccessToken {
			t.Fatalf("refresh %d: %+v, %v", i, r, err)
		}
		tok = r
	}
	if _, err := e.svc.Logout(p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.silent(p, flows.SilentOptions{}); !errors.Is(err, flows.ErrLoginRequired) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestCognitoRefusesDeviceAndCertificate(t *testing.T) {
	e, port := providerEnv(t)
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowCertificate} {
		p := cognitoProfile(e, flow, port)
		_, err := e.login(p, nil)
		var fe *flows.FlowUnsupportedError
		if !errors.As(err, &fe) || fe.Try == "" {
			t.Errorf("%s: %v", flow, err)
		}
	}
	// Discovery agrees: no device endpoint.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := e.svc.Discover(ctx, cognitoProfile(e, profiles.FlowBrowser, port))
	if err != nil {
		t.Fatal(err)
	}
	if d.DeviceEndpoint != "" || fmt.Sprint(d.Flows(cognitoProfile(e, profiles.FlowBrowser, port))) != "[browser secret]" {
		t.Errorf("discovery: device %q, flows %v", d.DeviceEndpoint, d.Flows(cognitoProfile(e, profiles.FlowBrowser, port)))
	}
}

func TestCognitoDoctor(t *testing.T) {
	e, port := providerEnv(t)
	p := cognitoProfile(e, profiles.FlowSecret, port)
	p.ClientSecret = "env:COGNITO_SECRET"
	deps := insight.Deps{
		Flows:      func() (insight.Silenter, error) { return e.svc, nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return e.sb.HTTPClient(), nil },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep := insight.Doctor(ctx, deps, insight.DoctorInput{Name: p.Name, Profile: p})
	seen := map[string]insight.Check{}
	for _, c := range rep.Checks {
		seen[c.ID] = c
		if c.Status == insight.StatusFail || c.Status == insight.StatusWarn {
			t.Errorf("%s %s: %s (fix: %s)", c.Status, c.ID, c.Message, c.Fix)
		}
	}
	for _, id := range []string{insight.CheckAuthority, insight.CheckFlows, insight.CheckToken, insight.CheckCDF, insight.CheckProject, insight.CheckGroups, "claims/signature", "claims/client-id"} {
		if seen[id].Status != insight.StatusOK {
			t.Errorf("check %s: %+v", id, seen[id])
		}
	}
	if m := seen[insight.CheckFlows].Message; !strings.Contains(m, "no device-code endpoint") || !strings.Contains(m, "browser, secret") {
		t.Errorf("flows check: %q", m)
	}

	// A pool that does not exist: discovery fails, and doctor names it.
	bad := p
	bad.Issuer += "x"
	rep = insight.Doctor(ctx, deps, insight.DoctorInput{Name: bad.Name, Profile: bad})
	if c := rep.Checks[1]; c.ID != insight.CheckAuthority || c.Status != insight.StatusFail || !strings.Contains(c.Fix, bad.Issuer+"/.well-known/openid-configuration") {
		t.Errorf("unknown pool: %+v", c)
	}
}

func oidcProfile(e *flowEnv, flow profiles.Flow, port int) profiles.Profile {
	p := profiles.Profile{Name: "sb-oidc-" + string(flow), Provider: profiles.ProviderOIDC, Issuer: e.sb.OIDCIssuer(),
		ClientID: sandbox.OIDCPublicClientID, Flow: flow, CDFURL: e.sb.CDFURL(), Project: sandbox.OIDCProjectName,
		Audience: sandbox.OIDCAudience, GroupsClaimName: sandbox.OIDCGroupsClaim}
	switch flow {
	case profiles.FlowSecret:
		p.ClientID = sandbox.OIDCSecretClientID
		p.ClientSecret = "env:OIDC_SECRET"
	case profiles.FlowCertificate:
		p.ClientID = sandbox.OIDCCertificateClientID
	case profiles.FlowBrowser:
		p.RedirectPort = port
	}
	return p
}

func TestOIDCAppFlows(t *testing.T) {
	e, port := providerEnv(t)
	app, _ := e.sb.World().App(sandbox.AppCertificate)
	pemPath := filepath.Join(t.TempDir(), "robot.pem")
	if err := os.WriteFile(pemPath, app.Certificates[0].PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flow := range []profiles.Flow{profiles.FlowSecret, profiles.FlowCertificate} {
		t.Run(string(flow), func(t *testing.T) {
			p := oidcProfile(e, flow, port)
			p.Certificate = pemPath
			if flow == profiles.FlowSecret {
				p.Certificate = ""
			}
			tok, err := e.login(p, nil)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			res := judge(t, e, p, tok)
			if names := mappedNames(res); !slices.Contains(names, "robots") {
				t.Errorf("groups %v mapped to %v, want robots", res.TokenGroups, names)
			}
			if c, err := e.silent(p, flows.SilentOptions{}); err != nil || !c.FromCache {
				t.Fatalf("silent: %+v, %v", c, err)
			}
			if c, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil || c.FromCache {
				t.Fatalf("forced: %+v, %v", c, err)
			}
		})
	}
	// Without the audience the token is for the client, which CDF's
	// project does not accept: the claims check says so.
	p := oidcProfile(e, profiles.FlowSecret, port)
	p.Name, p.Audience = "sb-oidc-noaud", ""
	p.Scopes = []string{"openid"}
	tok, err := e.login(p, nil)
	if err != nil {
		t.Fatalf("login without audience: %v", err)
	}
	ct, _ := claims.Decode(tok.AccessToken)
	withAud := oidcProfile(e, profiles.FlowSecret, port)
	for _, f := range claims.Check(ct, insight.ExpectFor(withAud, time.Now(), true)) {
		if f.ID == claims.IDAudience && f.Severity != claims.SeverityError {
			t.Errorf("audience finding for a token without the audience: %+v", f)
		}
	}
}

func TestOIDCBrowserAndDevice(t *testing.T) {
	e, port := providerEnv(t)
	t.Run("browser", func(t *testing.T) {
		p := oidcProfile(e, profiles.FlowBrowser, port)
		tok, err := e.login(p, nil)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		if tok.Account.Username != sandbox.AliceUsername {
			t.Errorf("account %+v", tok.Account)
		}
		res := judge(t, e, p, tok)
		if names := mappedNames(res); !slices.Contains(names, "admins") {
			t.Errorf("groups %v mapped to %v", res.TokenGroups, names)
		}
		// Rotating refresh tokens: each refresh keeps the new one.
		for i := range 2 {
			e.sb.Advance(58 * time.Minute)
			e.offset.Add(int64(58 * time.Minute))
			r, err := e.silent(p, flows.SilentOptions{})
			if err != nil || r.FromCache {
				t.Fatalf("refresh %d: %+v, %v", i, r, err)
			}
		}
	})
	t.Run("device", func(t *testing.T) {
		p := oidcProfile(e, profiles.FlowDevice, port)
		events, got := e.events(e.approve(sandbox.BobUsername))
		tok, err := e.login(p, events)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		var dc flows.DeviceCode
		for _, ev := range got() {
			if d, ok := ev.(flows.DeviceCode); ok {
				dc = d
			}
		}
		if dc.UserCode == "" || dc.VerificationURL != e.sb.OIDCDeviceLoginURL() {
			t.Errorf("device code event %+v", dc)
		}
		if tok.Account.Username != sandbox.BobUsername {
			t.Errorf("account %+v", tok.Account)
		}
		ct, _ := claims.Decode(tok.AccessToken)
		if g := insight.TokenGroups(p, ct); fmt.Sprint(g) != "[marketing]" {
			t.Errorf("bob's groups %v", g)
		}
	})
}

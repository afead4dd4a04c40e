package claims

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

// issuerClient serves discovery and keys for
// https://login.example.test/<tenant> without a network.
func issuerClient(jwks []byte) *http.Client {
	mux := http.NewServeMux()
	mux.HandleFunc("/"+claimstest.TenantID+"/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"issuer":"https://login.example.test/` + claimstest.TenantID + `/v2.0","token_endpoint":"https://login.example.test/t/token","jwks_uri":"https://login.example.test/keys"}`))
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(jwks) })
	return &http.Client{Transport: cmdtest.HandlerTransport{Handler: mux}}
}

func profile(flow profiles.Flow) profiles.Profile {
	return profiles.Profile{Name: "dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID,
		Cluster: "westeurope-1", Project: "acme", Flow: flow, Authority: "https://login.example.test/" + claimstest.TenantID}
}

type env struct {
	opts   *Options
	out    *bytes.Buffer
	errOut *bytes.Buffer
}

func newEnv(t *testing.T, p profiles.Profile, svc insight.Silenter, jwks []byte) env {
	t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	opts := &Options{
		IO:         &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		Now:        func() time.Time { return now },
		Location:   time.UTC,
		Profile:    func(name string) (profiles.Profile, error) { return p, nil },
		Flows:      func() (insight.Silenter, error) { return svc, nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return issuerClient(jwks), nil },
	}
	return env{opts, out, errOut}
}

func run(t *testing.T, e env, args ...string) error {
	t.Helper()
	cmd := newCmd(e.opts, Run)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SetOut(e.out)
	cmd.SetErr(e.errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

// keys are generated once per test binary: RSA key generation is slow.
var keys = sync.OnceValues(func() ([2]*claimstest.Signer, error) {
	var out [2]*claimstest.Signer
	for i := range out {
		s, err := claimstest.NewSigner("kid-1")
		if err != nil {
			return out, err
		}
		out[i] = s
	}
	return out, nil
})

// signer returns the issuer's signer (n=0) or another key with the same
// kid (n=1).
func signer(t *testing.T, n ...int) *claimstest.Signer {
	t.Helper()
	ks, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	if len(n) > 0 {
		return ks[n[0]]
	}
	return ks[0]
}

func sign(t *testing.T, s *claimstest.Signer, payload any) string {
	t.Helper()
	tok, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func assertNoToken(t *testing.T, out, tok string) {
	t.Helper()
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	if strings.Contains(out, sig) || strings.Contains(out, tok[:40]) {
		t.Errorf("output carries the raw token:\n%s", out)
	}
}

func TestClaimsUserGolden(t *testing.T) {
	s := signer(t)
	tok := sign(t, s, claimstest.V2User(now.Add(-7*time.Minute)))
	e := newEnv(t, profile(profiles.FlowBrowser), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok, FromCache: true}}, s.JWKS())
	if err := run(t, e, "-p", "dev"); err != nil {
		t.Fatal(err)
	}
	assertNoToken(t, e.out.String(), tok)
	golden.RequireEqual(t, e.out.Bytes())
}

func TestClaimsAppProblemsGolden(t *testing.T) {
	s, other := signer(t), signer(t, 1)
	payload := claimstest.With(claimstest.V1App(now.Add(-2*time.Hour)),
		"aud", "https://api.cognitedata.com", "groups", nil, "_claim_names", map[string]any{"groups": "src1"},
		"_claim_sources", map[string]any{"src1": map[string]any{"endpoint": "https://graph.windows.net/t/servicePrincipals/x/getMemberObjects"}})
	tok := sign(t, other, payload) // signed by a key the issuer does not publish
	e := newEnv(t, profile(profiles.FlowSecret), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok, FromCache: true}}, s.JWKS())
	if err := run(t, e); err != nil {
		t.Fatal(err)
	}
	assertNoToken(t, e.out.String(), tok)
	golden.RequireEqual(t, e.out.Bytes())
}

func TestClaimsJSONGolden(t *testing.T) {
	s := signer(t)
	tok := sign(t, s, claimstest.V2User(now.Add(-7*time.Minute)))
	e := newEnv(t, profile(profiles.FlowDevice), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok}}, s.JWKS())
	if err := run(t, e, "--json"); err != nil {
		t.Fatal(err)
	}
	assertNoToken(t, e.out.String(), tok)
	golden.RequireEqual(t, e.out.Bytes())
}

func TestClaimsIDToken(t *testing.T) {
	s := signer(t)
	id := sign(t, s, claimstest.With(claimstest.V2User(now), "aud", claimstest.ClientID, "scp", nil, "groups", nil))
	access := sign(t, s, claimstest.V2User(now))
	e := newEnv(t, profile(profiles.FlowDevice), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: access, IDToken: id}}, s.JWKS())
	if err := run(t, e, "--id-token", "--no-verify"); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, want := range []string{"ID token of profile dev", "✓ audience", "aud is the profile's client ID"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "scopes") || strings.Contains(out, "signature") {
		t.Errorf("ID token output has access-token checks or a signature check despite --no-verify:\n%s", out)
	}

	e = newEnv(t, profile(profiles.FlowSecret), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: access}}, s.JWKS())
	if err := run(t, e, "--id-token"); err == nil || !strings.Contains(err.Error(), "has no ID token") {
		t.Errorf("app profile --id-token: %v", err)
	}
}

func TestClaimsStdin(t *testing.T) {
	s := signer(t)
	v2 := sign(t, s, claimstest.With(claimstest.V2User(now), "iss", "https://login.example.test/"+claimstest.TenantID+"/v2.0"))
	msIssued := sign(t, s, claimstest.With(claimstest.V2User(now), "iss", "https://login.microsoftonline.com/"+claimstest.TenantID+"/v2.0"))
	tests := []struct {
		name, in string
		args     []string
		wantErr  string
		want     []string
		not      []string
	}{
		{"no profile", v2, nil, "", []string{"Access token — alice@contoso.example", "i signature", "signature not checked: the issuer is not a Microsoft login host"}, []string{"✓ audience", "✓ tenant"}},
		{"with profile", "Bearer " + v2 + "\n", []string{"-p", "dev"}, "", []string{"Access token of profile dev", "✓ audience", "✓ tenant", "✓ signature"}, nil},
		{"microsoft issuer no profile", msIssued, []string{"--no-verify"}, "", []string{"v2.0 token from https://login.microsoftonline.com/"}, []string{"signature "}},
		{"microsoft issuer verified", msIssued, nil, "", []string{"✓ signature       signature verified (RS256, key kid-1) against the keys of https://login.microsoftonline.com/" + claimstest.TenantID}, nil},
		{"opaque", "0.AR8AabcDEF", nil, "standard input: token is not a readable JWT: it has 2 dot-separated parts", nil, nil},
		{"empty", "", nil, "the input is empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, profile(profiles.FlowDevice), &cmdtest.FakeFlows{SilentErr: errors.New("must not be called")}, s.JWKS())
			e.opts.IO.In = strings.NewReader(tt.in)
			err := run(t, e, append([]string{"--token-stdin"}, tt.args...)...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, e.out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(e.out.String(), n) {
					t.Errorf("output has %q:\n%s", n, e.out)
				}
			}
		})
	}
}

func TestClaimsErrors(t *testing.T) {
	lr := &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}
	tests := []struct {
		name string
		svc  insight.Silenter
		args []string
		code int
		say  string
	}{
		{"login required", &cmdtest.FakeFlows{SilentErr: lr}, nil, cmdutil.ExitLoginRequired, "cdflogin login -p dev"},
		{"opaque access token", &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: "opaque"}}, nil, cmdutil.ExitError, `profile "dev"'s access token: token is not a readable JWT`},
		{"usage", &cmdtest.FakeFlows{}, []string{"--id-token", "--token-stdin"}, cmdutil.ExitUsage, "cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, profile(profiles.FlowDevice), tt.svc, nil)
			err := run(t, e, tt.args...)
			if cmdutil.ExitCode(err) != tt.code || !strings.Contains(err.Error(), tt.say) {
				t.Errorf("err = %v (exit %d), want exit %d saying %q", err, cmdutil.ExitCode(err), tt.code, tt.say)
			}
		})
	}
}

// hostile is text a token, CDF or Entra could carry to move a terminal:
// OSC 52 (write the clipboard), OSC 0 (the title), CSI 2J (clear the
// screen), a CR that forges the start of a line, C1 CSI and a bidi
// override.
const hostile = "x\x1b]52;c;cGF5bG9hZA==\x07\x1b]0;pwned\x07\x1b[2J\r✓ signature verified\u009b31m\u202egnp"

// assertSafe fails when out holds anything textsafe would not let
// through to a terminal.
func assertSafe(t *testing.T, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("plain output carries %q:\n%q", bad, out)
		}
	}
	if !textsafe.Safe(strings.ReplaceAll(out, "\n", " ")) {
		t.Errorf("plain output is not terminal-safe:\n%q", out)
	}
}

// TestClaimsPlainOutputIsSafe (issue 16): claim names and values, and the
// findings that quote them, reach the terminal only through textsafe.
func TestClaimsPlainOutputIsSafe(t *testing.T) {
	s := signer(t)
	payload := claimstest.With(claimstest.V2User(now), "name", hostile, "aud", hostile, "groups", []any{hostile, "g2"},
		"x"+hostile, "planted claim name", "scp", hostile)
	tok := sign(t, s, payload)
	e := newEnv(t, profile(profiles.FlowDevice), &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: tok, FromCache: true}}, s.JWKS())
	if err := run(t, e, "-p", "dev"); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	assertSafe(t, out)
	if !strings.Contains(out, "\ufffd]52;c;cGF5bG9hZA==") {
		t.Errorf("the planted value is not shown, made harmless:\n%s", out)
	}
}

package login

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

var devProfile = profiles.Profile{Name: "dev", Tenant: "tid", ClientID: "cid", Cluster: "westeurope-1", Flow: profiles.FlowDevice}

type result struct {
	stdout, stderr string
	err            error
	interactive    []profiles.Flow
}

func run(t *testing.T, ctx context.Context, io *cmdutil.IOStreams, fake *cmdtest.FakeFlows, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	io.Out, io.ErrOut = &out, &errOut
	var r result
	opts := &Options{
		IO:      io,
		Now:     func() time.Time { return now },
		Profile: func(string) (profiles.Profile, error) { return devProfile, nil },
		Flows:   func() (cmdutil.Flows, error) { return fake, nil },
		Interactive: func(ctx context.Context, p profiles.Profile, flow profiles.Flow) error {
			r.interactive = append(r.interactive, flow)
			return nil
		},
	}
	cmd := newCmd(opts, Run)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	r.err = cmd.ExecuteContext(ctx)
	r.stdout, r.stderr = out.String(), errOut.String()
	return r
}

func userTokens(flow profiles.Flow) *flows.Tokens {
	return &flows.Tokens{Profile: "dev", Flow: flow, AccessToken: "at-secret-value", ExpiresOn: now.Add(time.Hour),
		Account: flows.Account{Username: "alice@contoso.example", Name: "Alice"}}
}

// linesInOrder checks that every want appears in s, each after the last.
func linesInOrder(t *testing.T, s string, want ...string) {
	t.Helper()
	rest := s
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order):\n%s", w, s)
		}
		rest = rest[i+len(w):]
	}
}

func TestPlainDevice(t *testing.T) {
	fake := &cmdtest.FakeFlows{
		LoginEvents: []flows.Event{flows.DeviceCode{UserCode: "ABCD-EFGH", VerificationURL: "https://microsoft.com/devicelogin",
			Message:   "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate.",
			ExpiresAt: now.Add(15 * time.Minute)}},
		LoginTokens: userTokens(profiles.FlowDevice),
	}
	r := run(t, context.Background(), &cmdutil.IOStreams{}, fake, "--plain")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stdout != "" {
		t.Errorf("stdout must stay empty: %q", r.stdout)
	}
	linesInOrder(t, r.stderr,
		"To sign in, open https://microsoft.com/devicelogin and enter the code ABCD-EFGH\n",
		"Signed in as Alice <alice@contoso.example> (token valid until ",
		", in 1h00m)")
	// Said once: Entra's message says the same as cdflogin's line.
	if strings.Contains(r.stderr, "To sign in, use a web browser") {
		t.Errorf("the device code instruction is said twice:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "at-secret-value") {
		t.Error("the token must never be printed")
	}
	if len(fake.LoginCalls) != 1 || fake.LoginCalls[0] != profiles.FlowDevice {
		t.Errorf("Login calls %v", fake.LoginCalls)
	}
}

func TestPlainBrowserPrintsURLBeforeTheBrowser(t *testing.T) {
	url := "https://login.example/tid/oauth2/v2.0/authorize?client_id=cid&code_challenge=x"
	fake := &cmdtest.FakeFlows{
		LoginEvents: []flows.Event{
			flows.WaitingForRedirect{Addr: "localhost:53000", Deadline: now.Add(5 * time.Minute)},
			flows.BrowserOpening{URL: url},
			flows.BrowserFailed{URL: url, Err: errors.New("no DISPLAY")},
			flows.Redeeming{},
		},
		LoginTokens: userTokens(profiles.FlowBrowser),
	}
	r := run(t, context.Background(), &cmdutil.IOStreams{}, fake, "--flow", "browser")
	if r.err != nil {
		t.Fatal(r.err)
	}
	linesInOrder(t, r.stderr, "http://localhost:53000", url, "Could not open a browser (no DISPLAY): open the URL above in a browser on this machine.\n", "redeeming", "Signed in as Alice <alice@contoso.example>")
	if fake.LoginCalls[0] != profiles.FlowBrowser {
		t.Errorf("--flow must override the profile's flow: %v", fake.LoginCalls)
	}
}

func TestPlainApp(t *testing.T) {
	fake := &cmdtest.FakeFlows{LoginTokens: &flows.Tokens{Flow: profiles.FlowSecret, AccessToken: "x", ExpiresOn: now.Add(time.Hour)}}
	r := run(t, context.Background(), &cmdutil.IOStreams{}, fake, "--flow", "secret")
	if r.err != nil || !strings.Contains(r.stderr, "Signed in as app cid (token valid until") {
		t.Errorf("err %v stderr %q", r.err, r.stderr)
	}
}

func TestModeSelection(t *testing.T) {
	tty := func(in, out, errOut bool) *cmdutil.IOStreams {
		return &cmdutil.IOStreams{InTTY: in, OutTTY: out, ErrTTY: errOut}
	}
	tests := []struct {
		name            string
		io              *cmdutil.IOStreams
		args            []string
		wantInteractive bool
	}{
		{"all terminals", tty(true, true, true), nil, true},
		{"all terminals but --plain", tty(true, true, true), []string{"--plain"}, false},
		{"stdout piped", tty(true, false, true), nil, false},
		{"stderr piped", tty(true, true, false), nil, false},
		{"stdin piped", tty(false, true, true), nil, false},
		{"nothing is a terminal", tty(false, false, false), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &cmdtest.FakeFlows{LoginTokens: userTokens(profiles.FlowDevice)}
			r := run(t, context.Background(), tt.io, fake, tt.args...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if got := len(r.interactive) == 1; got != tt.wantInteractive {
				t.Errorf("interactive = %v, want %v", got, tt.wantInteractive)
			}
			if plain := len(fake.LoginCalls) == 1; plain == tt.wantInteractive {
				t.Errorf("plain Login calls %v", fake.LoginCalls)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	entra := &aadsts.Error{Code: "invalid_client", Description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", Codes: []int{7000218}, CorrelationID: "c-1"}
	r := run(t, context.Background(), &cmdutil.IOStreams{}, &cmdtest.FakeFlows{LoginErr: &flows.EntraError{Op: "device-code sign-in", Err: entra}})
	var d cmdutil.Detailer
	if cmdutil.ExitCode(r.err) != cmdutil.ExitError || !errors.As(r.err, &d) || !strings.Contains(d.Details(), "c-1") {
		t.Errorf("Entra error: %v", r.err)
	}
	r = run(t, context.Background(), &cmdutil.IOStreams{}, &cmdtest.FakeFlows{}, "--flow", "magic")
	if cmdutil.ExitCode(r.err) != cmdutil.ExitUsage || !strings.Contains(r.err.Error(), "browser, device, secret, certificate") {
		t.Errorf("bad flow: %v", r.err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	fake := &cmdtest.FakeFlows{
		LoginEvents: []flows.Event{flows.DeviceCode{UserCode: "ABCD", VerificationURL: "https://v"}},
		LoginWait:   true,
	}
	done := make(chan result, 1)
	go func() { done <- run(t, ctx, &cmdutil.IOStreams{}, fake) }()
	cancel()
	r := <-done
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", r.err)
	}
	// Said once: the command prints the error's message (exit 130), so
	// login itself prints nothing about it.
	if r.err.Error() != "sign-in cancelled; the token cache is unchanged" || strings.Contains(r.stderr, "cancelled") {
		t.Errorf("err %q, stderr %q", r.err, r.stderr)
	}
}

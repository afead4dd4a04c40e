package e2e_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// explained is what the command line prints for err: the error line,
// the details under it, and the exit code.
func explained(err error, p profiles.Profile) (line, details string, code int) {
	out := cmdutil.FlowError(err, p, p.Flow)
	var d cmdutil.Detailer
	if errors.As(out, &d) {
		details = d.Details()
	}
	return out.Error(), details, cmdutil.ExitCode(out)
}

// TestExplainExpiredDeviceCode: a device code that runs out on a tenant
// whose codes live 3 seconds is explained with that lifetime (what
// Entra's answer said), not "15 minutes", and with no "Entra:" line when
// Entra sent nothing.
func TestExplainExpiredDeviceCode(t *testing.T) {
	e := newFlowEnv(t, sandbox.Options{DeviceCodeLifetime: 3 * time.Second, DeviceInterval: time.Second})
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	_, err := e.login(p, nil)
	if !errors.Is(err, flows.ErrDeviceCodeExpired) {
		t.Fatalf("login: %v, want an expired device code", err)
	}
	line, details, code := explained(err, p)
	t.Logf("%s\n%s", line, details)
	if code != cmdutil.ExitError {
		t.Errorf("exit %d", code)
	}
	for _, w := range []string{"Device code expired", "this tenant's device codes live 3s", "Run cdflogin login -p " + p.Name + " again"} {
		if !strings.Contains(strings.Join(strings.Fields(details), " "), w) {
			t.Errorf("details do not say %q:\n%s\n%s", w, line, details)
		}
	}
	if strings.Contains(details, "15 minutes") {
		t.Errorf("details assume Entra's default lifetime:\n%s", details)
	}
	polled := e.requests("token", "") > 0
	if strings.Contains(line+details, "expired_token") && !polled {
		t.Errorf("an answer quoted that Entra never sent:\n%s\n%s", line, details)
	}
	if strings.Contains(details, "Entra: ") && !strings.Contains(details, "This device code has expired") {
		t.Errorf("an Entra: line with words Entra did not send:\n%s", details)
	}
}

// TestExplainRefreshAfterTenantRestart: a refresh token the tenant no
// longer knows (the sandbox restarted, its tokens gone) is refused with
// AADSTS9002313; the command line exits 4 and says to sign in again with
// -p, not to report a malformed request.
func TestExplainRefreshAfterTenantRestart(t *testing.T) {
	first, err := sandbox.Start(sandbox.Options{DeviceInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	entraAddr := strings.TrimPrefix(first.BaseURL(), "https://")
	cdfAddr := strings.TrimPrefix(first.CDFURL(), "https://")
	cache := filepath.Join(t.TempDir(), "cache")
	p := profiles.Profile{Name: "sb-device", Tenant: sandbox.TenantID, ClientID: sandbox.DeviceAppID, Cluster: "sandbox",
		Project: sandbox.ProjectName, Flow: profiles.FlowDevice, Authority: first.AuthorityURL(), CDFURL: first.CDFURL()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := flows.New(flows.Deps{HTTPClient: first.HTTPClient(), CacheDir: cache})
	if _, err := svc.Login(ctx, p, "", func(ev flows.Event) {
		if dc, ok := ev.(flows.DeviceCode); ok {
			_ = first.ApproveDeviceCode(dc.UserCode, sandbox.AliceUsername)
		}
	}); err != nil {
		t.Fatalf("login: %v", err)
	}
	_ = first.Close()

	// The tenant comes back on the same address, knowing none of the
	// tokens it issued before.
	second, err := sandbox.Start(sandbox.Options{Addr: entraAddr, CDFAddr: cdfAddr})
	if err != nil {
		t.Skipf("the sandbox's address could not be taken again: %v", err)
	}
	t.Cleanup(func() { _ = second.Close() })
	svc = flows.New(flows.Deps{HTTPClient: second.HTTPClient(), CacheDir: cache})
	_, err = svc.Silent(ctx, p, flows.SilentOptions{Force: true})
	if err == nil {
		t.Fatal("a refresh token the tenant never issued was redeemed")
	}
	line, details, code := explained(err, p)
	t.Logf("%s\n%s", line, details)
	if code != cmdutil.ExitLoginRequired || !strings.Contains(line, "cdflogin login -p sb-device") {
		t.Errorf("exit %d, line %q: want 4 and the command", code, line)
	}
	text := strings.Join(strings.Fields(details), " ")
	for _, w := range []string{"AADSTS9002313", "refresh token", "Sign in again: cdflogin login -p sb-device"} {
		if !strings.Contains(text, w) {
			t.Errorf("details do not say %q:\n%s", w, details)
		}
	}
	if strings.Contains(text, "report it to cdflogin") {
		t.Errorf("a refused refresh token explained as a cdflogin bug:\n%s", details)
	}
}

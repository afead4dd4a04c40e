package e2e_test

// The fault catalogue: every failure a sign-in meets in the field (IdP
// 5xx with and without Retry-After, resets, DNS, TLS, timeouts, malformed
// and HTML answers, slow_down, Conditional Access, CDF 401/403/5xx, clock
// skew, a read-only or corrupted cache, a locked keyring) run against the
// sandbox's fault hooks. Each case ends in a typed error with a message a
// person can act on, no panic, no goroutine left behind, and the cached
// sign-in intact where there was one.
//
// Cases already covered elsewhere are not repeated here: device code
// expired/declined, 65001, 7000218, wrong secret (TestFlowsAADSTS), refresh
// 700082 (TestFlowsDeviceRefreshExpiry), 503/429/reset/close/HTML on a
// refresh (TestFlowsNetworkFaults), port in use and a browser that cannot
// start (TestFlowsBrowserErrors), a corrupted profiles.yaml
// (testdata/script/profile_corrupt.txtar). The CLI's words for these are
// in testdata/script/faults_cli.txtar.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/httplog"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/internal/unprivileged"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// noGoroutineLeak fails the test when, after it ends, more goroutines run
// than before it started, not counting the HTTP keep-alive machinery
// (the flows clone their transport per call, so idle client connections
// cannot be closed from here; they time out on their own). It waits up to 5 s for goroutines to
// settle (timers firing, contexts ending), as go.uber.org/goleak does.
func noGoroutineLeak(t *testing.T, clients ...*http.Client) {
	t.Helper()
	before := len(interestingGoroutines())
	t.Cleanup(func() {
		var now []string
		for i := 0; i < 100; i++ {
			for _, c := range clients {
				c.CloseIdleConnections()
			}
			now = interestingGoroutines()
			if len(now) <= before {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Errorf("goroutine leak: %d before, %d after:\n%s", before, len(now), strings.Join(now, "\n\n"))
	})
}

// interestingGoroutines returns the stacks of the goroutines that are not
// the caller, the test framework or idle HTTP connections.
func interestingGoroutines() []string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	// Listeners (a loopback redirect listener left open) are not ignored:
	// the shared sandbox's accept loops run before and after alike.
	ignore := []string{
		"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop", // idle client connections
		"net/http.(*conn).serve",                                                         // the server side of those connections
		"testing.(*T).Run", "testing.tRunner.func1", "testing.runTests", "testing.(*M).", // the framework
		"os/signal.signal_recv", "interestingGoroutines",
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		skip := false
		for _, ig := range ignore {
			if strings.Contains(g, ig) {
				skip = true
				break
			}
		}
		if !skip && strings.TrimSpace(g) != "" {
			out = append(out, g)
		}
	}
	return out
}

// signedIn returns a flowEnv with the device profile signed in as alice.
func signedIn(t *testing.T, sb *sandbox.Sandbox) (*flowEnv, profiles.Profile, *flows.Tokens) {
	t.Helper()
	e := newFlowEnvOn(t, sb)
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	events, _ := e.events(e.approve(sandbox.AliceUsername))
	tok, err := e.login(p, events)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	return e, p, tok
}

// TestFaultsEntra: the identity provider misbehaves during a sign-in or a
// refresh.
func TestFaultsEntra(t *testing.T) {
	const token, discovery = "/oauth2/v2.0/token", "/v2.0/.well-known/openid-configuration"
	tests := []struct {
		name  string
		fault sandbox.Fault
		// refresh: the fault hits a forced refresh of a signed-in device
		// profile; otherwise a client-secret sign-in.
		refresh bool
		timeout time.Duration // context of the call; default 60 s
		// hang: requests whose path ends with it get no answer until the
		// caller gives up (see hangingTransport), and the caller's wait
		// runs out as soon as one is parked there (see waitCtx), instead
		// of fault and timeout.
		hang string
		// want
		network   bool   // errors.Is(err, flows.ErrNetwork)
		deadline  bool   // errors.Is(err, context.DeadlineExceeded)
		loginReq  bool   // errors.Is(err, flows.ErrLoginRequired)
		code      int    // AADSTS code in the chain
		msg       string // in err.Error()
		noMessage string // must not be in err.Error() (raw bodies)
		anyKind   bool   // network or not: either is defensible
	}{
		{name: "token 500 without Retry-After", fault: sandbox.Fault{Path: token, Status: 500},
			network: true, msg: "Entra ID could not be reached"},
		{name: "token 503 with Retry-After", fault: sandbox.Fault{Path: token, Status: 503, RetryAfter: 30},
			network: true, msg: "Entra ID could not be reached"},
		{name: "refresh 500 without Retry-After keeps the cache", refresh: true, fault: sandbox.Fault{Path: token, Status: 500},
			network: true, msg: "refresh"},
		{name: "discovery 503", fault: sandbox.Fault{Path: discovery, Status: 503, RetryAfter: 5},
			network: true, msg: "Entra ID could not be reached"},
		{name: "discovery connection reset", fault: sandbox.Fault{Path: discovery, Kind: sandbox.FaultReset},
			network: true, msg: "Entra ID could not be reached"},
		{name: "token connection reset", fault: sandbox.Fault{Path: token, Kind: sandbox.FaultReset},
			network: true, msg: "Entra ID could not be reached"},
		{name: "discovery HTML page from a proxy", fault: sandbox.Fault{Path: discovery, Kind: sandbox.FaultHTML},
			network: true, noMessage: "<html>"},
		{name: "token HTML page with 200", fault: sandbox.Fault{Path: token, Kind: sandbox.FaultHTML, Status: 200},
			noMessage: "<html>", anyKind: true},
		{name: "token malformed JSON", fault: sandbox.Fault{Path: token, Kind: sandbox.FaultMalformed},
			noMessage: "eyJ0eXAi", anyKind: true},
		{name: "discovery malformed JSON", fault: sandbox.Fault{Path: discovery, Kind: sandbox.FaultMalformed, Body: `{"token_endpoint":`},
			noMessage: `{"token_endpoint"`, anyKind: true},
		{name: "token endpoint slower than the caller waits", hang: token, deadline: true},
		{name: "refresh slower than the caller waits", refresh: true, fault: sandbox.Fault{Path: token, Delay: 30 * time.Second},
			timeout: 300 * time.Millisecond, deadline: true},
		{name: "Conditional Access 53003 on refresh", refresh: true, fault: sandbox.Fault{Path: token, Status: 400,
			Body: `{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.","error_codes":[53003],"suberror":"message_only"}`},
			loginReq: true, code: 53003, msg: "Conditional Access"},
		{name: "Conditional Access 53003 on client credentials", fault: sandbox.Fault{Path: token, Status: 400,
			Body: `{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003]}`},
			code: 53003},
		{name: "consent needed 65001 on refresh", refresh: true, fault: sandbox.Fault{Path: token, Status: 400,
			Body: `{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application.","error_codes":[65001],"suberror":"consent_required"}`},
			loginReq: true, code: 65001, msg: "consent"},
	}
	sb := startFlowSandbox(t, sandbox.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *flowEnv
			var p profiles.Profile
			var before *flows.Tokens
			if tt.refresh {
				e, p, before = signedIn(t, sb)
			} else {
				e = newFlowEnvOn(t, sb)
				p = e.profile(sandbox.AppSecret, profiles.FlowSecret)
			}
			noGoroutineLeak(t, sb.HTTPClient())
			sb.ClearFaults()
			if tt.fault.Path != "" {
				tt.fault.Server = "entra"
				if err := sb.InjectFault(tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(sb.ClearFaults)

			var ctx context.Context
			var hang *hangingTransport
			if tt.hang != "" {
				wait := newWaitCtx(time.Minute)
				defer wait.expire()
				hang = newHangingTransport(e.deps.HTTPClient.Transport, tt.hang, wait.expire)
				hc := *e.deps.HTTPClient
				hc.Transport = hang
				e.deps.HTTPClient = &hc
				e.svc = flows.New(e.deps)
				ctx = wait
			} else {
				timeout := tt.timeout
				if timeout == 0 {
					timeout = 60 * time.Second
				}
				c, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				ctx = c
			}
			var err error
			if tt.refresh {
				_, err = e.keep(e.svc.Silent(ctx, p, flows.SilentOptions{Force: true}))
			} else {
				_, err = e.keep(e.svc.Login(ctx, p, "", nil))
			}
			if err == nil {
				t.Fatal("no error")
			}
			if hang != nil && hang.parked.Load() == 0 {
				t.Errorf("no request reached %s before the wait ran out", tt.hang)
			}
			if got := errors.Is(err, flows.ErrNetwork); got != tt.network && !tt.anyKind {
				t.Errorf("errors.Is(ErrNetwork) = %v, want %v: %v", got, tt.network, err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.deadline {
				t.Errorf("errors.Is(DeadlineExceeded) = %v, want %v: %v", got, tt.deadline, err)
			}
			if got := errors.Is(err, flows.ErrLoginRequired); got != tt.loginReq {
				t.Errorf("errors.Is(ErrLoginRequired) = %v, want %v: %v", got, tt.loginReq, err)
			}
			if tt.code != 0 {
				var ae *aadsts.Error
				if !errors.As(err, &ae) || ae.AADSTS() != tt.code {
					t.Errorf("want AADSTS%d in the chain: %v", tt.code, err)
				} else if ex := aadsts.Explain(ae, diagnosis.Context(p, "", "")); ex.Fix == "" {
					t.Errorf("AADSTS%d has no fix in the catalogue: %+v", tt.code, ex)
				}
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not say %q", err, tt.msg)
			}
			faultErr := err
			rawBody := tt.noMessage != "" && strings.Contains(err.Error(), tt.noMessage)
			if tt.refresh {
				// Nothing lost: the earlier token is still served from the cache.
				got, cerr := e.svc.Cached(p)
				if cerr != nil || got == nil || got.AccessToken != before.AccessToken {
					t.Errorf("Cached after the fault = %v, %v; want the earlier token", got != nil, cerr)
				}
			}
			// Once the fault is gone the same call succeeds.
			sb.ClearFaults()
			if hang != nil {
				hang.off()
			}
			ctx2, cancel2 := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel2()
			if tt.refresh {
				_, err = e.keep(e.svc.Silent(ctx2, p, flows.SilentOptions{Force: true}))
			} else {
				_, err = e.keep(e.svc.Login(ctx2, p, "", nil))
			}
			if err != nil {
				t.Errorf("after the fault cleared: %v", err)
			}
			if rawBody {
				t.Errorf("message carries the raw answer (%q): %v", tt.noMessage, faultErr)
			}
		})
	}
}

// TestFaultsSlowDown: Entra answers a device-code poll with slow_down; the
// sign-in does not end there: it polls again after a pause, not at once,
// and completes. (MSAL Go backs off 50 ms, 150 ms, 450 ms … between polls
// whatever the answer; Entra documents no slow_down.) What the client did
// is read from the sandbox's request log: the polls and their times. The
// pause is checked from below only (a wait is never shorter than asked,
// however loaded the machine), so the check cannot flake.
func TestFaultsSlowDown(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	e := newFlowEnvOn(t, sb)
	noGoroutineLeak(t, sb.HTTPClient())
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	if err := sb.InjectFault(sandbox.Fault{Server: "entra", Path: "/oauth2/v2.0/token", Status: 400, Times: 1,
		Body: `{"error":"slow_down","error_description":"AADSTS70000: slow down","error_codes":[70000]}`}); err != nil {
		t.Fatal(err)
	}
	approved := make(chan struct{})
	events, _ := e.events(func(dc flows.DeviceCode) {
		// Approve only after the slow_down answer has been given and
		// the client has polled again.
		go func() {
			defer close(approved)
			for i := 0; i < 600 && sb.Count("token:device_code") < 2; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			_ = sb.ApproveDeviceCode(dc.UserCode, sandbox.AliceUsername)
		}()
	})
	tok, err := e.login(p, events)
	<-approved
	if err != nil {
		t.Fatalf("a slow_down answer ended the sign-in: %v", err)
	}
	if tok.AccessToken == "" {
		t.Fatal("no token")
	}

	var polls []sandbox.Request
	for _, r := range sb.Requests() {
		if r.Endpoint == "token" && r.Grant == "device_code" {
			polls = append(polls, r)
		}
	}
	if len(polls) < 2 || !polls[0].Fault || polls[0].Status != 400 {
		t.Fatalf("polls %+v: want the first answered slow_down (the fault), then more", polls)
	}
	last := polls[len(polls)-1]
	if last.Status != http.StatusOK || last.Fault {
		t.Errorf("the last poll was answered %d: want the token (200)", last.Status)
	}
	// Not at once: MSAL's next wait after its first poll is 150 ms; a
	// client that polled again at once after slow_down would be here in
	// a few milliseconds.
	if gap := polls[1].Time.Sub(polls[0].Time); gap < 100*time.Millisecond {
		t.Errorf("the poll after slow_down came %v after it: want a pause (at least 100 ms), not a poll at once", gap)
	}
	// And not in a loop: the user approved after the second poll, so a
	// few polls, not dozens.
	if len(polls) > 5 {
		t.Errorf("%d polls for one sign-in with a slow_down: want a few (no tight loop)", len(polls))
	}
}

// TestFaultsTransport: the authority cannot be resolved or its TLS
// certificate is not trusted.
func TestFaultsTransport(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	tests := []struct {
		name   string
		mutate func(e *flowEnv, p *profiles.Profile)
		check  func(t *testing.T, err error)
	}{
		{name: "DNS failure", mutate: func(e *flowEnv, p *profiles.Profile) {
			p.Authority = "https://nonexistent.invalid/" + sandbox.TenantID
		}, check: func(t *testing.T, err error) {
			var de *net.DNSError
			if !errors.As(err, &de) && !strings.Contains(err.Error(), "no such host") {
				t.Errorf("want a DNS error in the chain: %v", err)
			}
			if !strings.Contains(err.Error(), "nonexistent.invalid") {
				t.Errorf("the message does not name the host: %v", err)
			}
		}},
		{name: "TLS: sandbox CA not trusted", mutate: func(e *flowEnv, p *profiles.Profile) {
			e.withDeps(func(d *flows.Deps) { d.HTTPClient = &http.Client{Transport: &http.Transport{}} })
		}, check: func(t *testing.T, err error) {
			var ue x509.UnknownAuthorityError
			if !errors.As(err, &ue) && !strings.Contains(err.Error(), "unknown authority") {
				t.Errorf("want an unknown-authority error: %v", err)
			}
		}},
		{name: "TLS: ca_file fixes it", mutate: func(e *flowEnv, p *profiles.Profile) {
			ca := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(ca, sb.CAPEM(), 0o600); err != nil {
				t.Fatal(err)
			}
			p.CAFile = ca
			e.withDeps(func(d *flows.Deps) { d.HTTPClient = &http.Client{Transport: &http.Transport{}} })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFlowEnvOn(t, sb)
			noGoroutineLeak(t, sb.HTTPClient())
			p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
			tt.mutate(e, &p)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			_, err := e.keep(e.svc.Login(ctx, p, "", nil))
			if tt.check == nil {
				if err != nil {
					t.Fatalf("sign-in: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, flows.ErrNetwork) {
				t.Errorf("want ErrNetwork: %v", err)
			}
			tt.check(t, err)
			if c, _ := e.svc.Cached(p); c != nil {
				t.Error("a failed sign-in left a token in the cache")
			}
		})
	}
}

// TestFaultsCDF: CDF refuses or fails; the error carries the status,
// CDF's message, the request ID and what to do.
func TestFaultsCDF(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	e := newFlowEnvOn(t, sb)
	p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
	tok, err := e.login(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fault   sandbox.Fault
		status  int
		details string
	}{
		{name: "401", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Status: 401}, status: 401, details: "cdflogin claims"},
		{name: "403", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Status: 403}, status: 403, details: "cdflogin inspect"},
		{name: "500", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Status: 500}, status: 500},
		{name: "503 with Retry-After", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Status: 503, RetryAfter: 10}, status: 503},
		{name: "HTML from a proxy", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Kind: sandbox.FaultHTML}, status: 502},
		{name: "connection reset", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Kind: sandbox.FaultReset}, status: 0, details: ": connection cut"},
		{name: "malformed JSON", fault: sandbox.Fault{Path: "/api/v1/token/inspect", Kind: sandbox.FaultMalformed, Body: `{"subject":`}, status: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noGoroutineLeak(t, sb.HTTPClient())
			sb.ClearFaults()
			tt.fault.Server = "cdf"
			if err := sb.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sb.ClearFaults)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := cdf.New(sb.CDFURL(), sb.HTTPClient(), tok.AccessToken).InspectToken(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			e.record(err.Error())
			var ce *cdf.Error
			if tt.status >= 0 {
				if !errors.As(err, &ce) || ce.Status != tt.status {
					t.Fatalf("want a *cdf.Error with status %d: %v", tt.status, err)
				}
				if tt.status > 0 && ce.RequestID == "" {
					t.Errorf("no request ID for Cognite support: %v", err)
				}
				if tt.details != "" && !strings.Contains(ce.Details(), tt.details) {
					t.Errorf("Details() = %q, want it to say %q", ce.Details(), tt.details)
				}
			}
			if strings.Contains(err.Error(), tok.AccessToken) {
				t.Errorf("error carries the token: %v", err)
			}
			if strings.Contains(err.Error(), "<") {
				t.Errorf("the proxy's page is in the message: %q", err)
			}
			if tt.fault.Kind == sandbox.FaultHTML && !strings.Contains(err.Error(), "HTML page (a proxy or load balancer?)") {
				t.Errorf("the message does not say a proxy's HTML page came: %q", err)
			}
		})
	}
}

// TestFaultsClockSkew: this machine's clock is off. A token fresh from
// Entra gets a clock-skew finding, and a clock far ahead makes the cached
// token look expired, so Silent refreshes instead of handing it out.
func TestFaultsClockSkew(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	e, p, tok := signedIn(t, sb)
	noGoroutineLeak(t, sb.HTTPClient())

	parsed, err := claims.Decode(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, skew := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
		findings := claims.Check(parsed, claims.Expect{Now: time.Now().Add(skew), Fresh: true, CDFURL: p.CDFURL, Tenant: p.Tenant, ClientID: p.ClientID})
		found := false
		for _, f := range findings {
			if f.ID == claims.IDClockSkew {
				found = true
				if f.Fix == "" && !strings.Contains(strings.ToLower(f.Message), "clock") {
					t.Errorf("skew %v: finding without a fix: %+v", skew, f)
				}
			}
		}
		if !found {
			t.Errorf("skew %v: no %s finding in %+v", skew, claims.IDClockSkew, findings)
		}
	}

	// Clock two hours ahead: the cached token looks expired; Silent
	// refreshes rather than handing out a token it believes expired.
	e.offset.Store(int64(2 * time.Hour))
	sb.ResetRequests()
	got, err := e.silent(p, flows.SilentOptions{})
	if err != nil {
		t.Fatalf("Silent with the clock ahead: %v", err)
	}
	if got.AccessToken == tok.AccessToken {
		t.Error("Silent handed out a token the clock says has expired")
	}
	if n := e.requests("token", "refresh_token"); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
}

// TestFaultsCache: the token cache is unreadable, unwritable or garbage.
func TestFaultsCache(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	t.Run("corrupted cache file", func(t *testing.T) {
		e, p, _ := signedIn(t, sb)
		noGoroutineLeak(t, sb.HTTPClient())
		path := filepath.Join(e.dir, tokencache.FileName(p.Name))
		if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := e.silent(p, flows.SilentOptions{})
		if err == nil {
			t.Fatal("Silent on a corrupted cache returned a token")
		}
		if !errors.Is(err, flows.ErrLoginRequired) && !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), "cache") {
			t.Errorf("the message neither asks for a sign-in nor names the cache: %v", err)
		}
		// A new sign-in replaces the garbage with a valid cache.
		events, _ := e.events(e.approve(sandbox.AliceUsername))
		if _, err := e.login(p, events); err != nil {
			t.Fatalf("sign-in over a corrupted cache: %v", err)
		}
		if c, err := e.svc.Cached(p); err != nil || c == nil {
			t.Fatalf("Cached after the new sign-in = %v, %v", c != nil, err)
		}
	})
	t.Run("read-only cache folder", func(t *testing.T) {
		// Root ignores file modes: as root the case runs again as an
		// unprivileged user (TestFaultsReadOnly also runs it on a
		// read-only mount).
		if unprivileged.Rerun(t) {
			return
		}
		e := newFlowEnvOn(t, sb)
		noGoroutineLeak(t, sb.HTTPClient())
		var warnings []string
		e.withDeps(func(d *flows.Deps) {
			d.Warnf = func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
		})
		p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
		if err := os.MkdirAll(e.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(e.dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(e.dir, 0o700) })
		// The sign-in succeeded: its token is handed out, with a warning
		// that it is not kept, naming the folder and the fix.
		tok, err := e.login(p, nil)
		if err != nil || tok == nil || tok.AccessToken == "" {
			t.Fatalf("a sign-in into a read-only cache folder lost its token: %v", err)
		}
		if len(warnings) != 1 {
			t.Fatalf("warnings %q, want one", warnings)
		}
		for _, w := range []string{"not kept", "permission denied", "the folder " + e.dir + " is read-only for you", "make it writable", "CDFLOGIN_HOME"} {
			if !strings.Contains(warnings[0], w) {
				t.Errorf("the warning lacks %q: %s", w, warnings[0])
			}
		}
		if entries, _ := os.ReadDir(e.dir); len(entries) != 0 {
			t.Errorf("the read-only folder has %d entries", len(entries))
		}
		if c, err := e.svc.Cached(p); err != nil || c != nil {
			t.Errorf("Cached = %v, %v; want nothing (login reports this as not saved)", c != nil, err)
		}
	})
	t.Run("cache folder cannot be created (a file is in the way)", func(t *testing.T) {
		// Runs as root too, where modes are ignored.
		e := newFlowEnvOn(t, sb)
		noGoroutineLeak(t, sb.HTTPClient())
		blocker := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(blocker, "cache")
		e.withDeps(func(d *flows.Deps) { d.CacheDir = dir })
		p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
		_, err := e.login(p, nil)
		if err == nil {
			t.Fatal("a sign-in that cannot create its cache folder reported success")
		}
		if !strings.Contains(err.Error(), blocker) || !strings.Contains(err.Error(), "cache") {
			t.Errorf("the message does not name the cache and the path in the way: %v", err)
		}
		if data, _ := os.ReadFile(blocker); string(data) != "x" {
			t.Error("the file in the way was changed")
		}
		if errors.Is(err, flows.ErrNetwork) || strings.Contains(err.Error(), "Entra ID") {
			t.Errorf("a local file problem reported as a network failure: %v", err)
		}
	})
	t.Run("read-only parent of the cache folder", func(t *testing.T) {
		if unprivileged.Rerun(t) { // root ignores file modes
			return
		}
		e := newFlowEnvOn(t, sb)
		noGoroutineLeak(t, sb.HTTPClient())
		parent := filepath.Dir(e.dir)
		if err := os.Chmod(parent, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(parent, 0o700) })
		p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
		_, err := e.login(p, nil)
		if err == nil {
			t.Fatal("a sign-in that cannot create its cache folder reported success")
		}
		if !strings.Contains(err.Error(), e.dir) {
			t.Errorf("the message does not name the folder: %v", err)
		}
	})
}

// TestFaultsKeyring: the client secret lives in a keyring that is locked
// or absent; the sign-in stops before any request with a message naming
// the keyring and the other place a secret can live.
func TestFaultsKeyring(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	tests := []struct {
		name string
		ring secrets.Keyring
	}{
		{"absent", secrets.Unavailable{Reason: "no Secret Service on D-Bus"}},
		{"locked", secrets.Unavailable{Reason: "the keyring is locked"}},
		{"empty", secrets.NewMemory()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFlowEnvOn(t, sb)
			noGoroutineLeak(t, sb.HTTPClient())
			r := secrets.Resolver{Keyring: tt.ring, Getenv: func(string) string { return "" }}
			e.withDeps(func(d *flows.Deps) { d.Secret = r.Secret })
			p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
			p.ClientSecret = profiles.RefKeyring
			sb.ResetRequests()
			_, err := e.login(p, nil)
			if err == nil {
				t.Fatal("a sign-in without its secret succeeded")
			}
			if !strings.Contains(strings.ToLower(err.Error()), "keyring") {
				t.Errorf("the message does not name the keyring: %v", err)
			}
			if n := e.requests("token", ""); n != 0 {
				t.Errorf("%d token requests without a secret", n)
			}
		})
	}
}

// TestFaultsHTTPTimeoutWithVerbose: without --verbose the flows' HTTP
// client gives up on a silent server after a bounded time; with --verbose
// (or --debug-log) the tracing client replaces it and must keep a bound
// too, or a hung IdP hangs cdflogin until ctrl+c.
func TestFaultsHTTPTimeoutWithVerbose(t *testing.T) {
	p := profiles.Profile{Name: "dev"}
	plain, err := flows.HTTPClient(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Timeout <= 0 {
		t.Fatalf("the default client has no timeout")
	}
	traced, err := flows.HTTPClient(httplog.Wrap(nil, io.Discard), p)
	if err != nil {
		t.Fatal(err)
	}
	if traced.Timeout <= 0 {
		t.Errorf("the client built on a tracing client without a timeout has none (Timeout %v)", traced.Timeout)
	}
}

// hangingTransport is an endpoint slower than any caller waits, on the
// client's side of the connection: a request whose path ends with path is
// parked until its context is done (the caller gave up) and then fails
// with the context's error, as Go's transport does; onParked is called
// once it is parked. Other requests, and all requests after off, go to
// base. (Not the sandbox's Delay fault: that one answers an empty 200 as
// soon as the client hangs up, and on a loaded machine Go's transport
// can hand that answer to the caller, whose TLS close_notify went out
// before its connection closed; persistConn.roundTrip then takes "the
// response that raced the close". MSAL reads it as "response is missing
// access_token".)
type hangingTransport struct {
	base     http.RoundTripper
	path     string
	onParked func()
	parked   atomic.Int64 // requests parked so far
	stopped  atomic.Bool
}

func newHangingTransport(base http.RoundTripper, path string, onParked func()) *hangingTransport {
	return &hangingTransport{base: base, path: path, onParked: onParked}
}

func (t *hangingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.stopped.Load() || !strings.HasSuffix(req.URL.Path, t.path) {
		return t.base.RoundTrip(req)
	}
	if req.Body != nil {
		_ = req.Body.Close() // a RoundTripper closes the body, even on error
	}
	t.parked.Add(1)
	t.onParked()
	<-req.Context().Done()
	return nil, context.Cause(req.Context())
}

// off lets every request through.
func (t *hangingTransport) off() { t.stopped.Store(true) }

// waitCtx is a caller's context whose wait runs out when expire is
// called, at a moment the test picks rather than after a time that a
// loaded machine may spend anywhere: its Err is then
// context.DeadlineExceeded, as for a deadline that passed. It also
// expires on its own at its Deadline, a backstop.
type waitCtx struct {
	context.Context // values: none
	deadline        time.Time
	done            chan struct{}
	once            sync.Once
	timer           *time.Timer
}

func newWaitCtx(backstop time.Duration) *waitCtx {
	c := &waitCtx{Context: context.Background(), deadline: time.Now().Add(backstop), done: make(chan struct{})}
	c.timer = time.AfterFunc(backstop, c.expire)
	return c
}

func (c *waitCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *waitCtx) Done() <-chan struct{}       { return c.done }

func (c *waitCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// expire ends the wait (once; later calls do nothing).
func (c *waitCtx) expire() {
	c.once.Do(func() {
		c.timer.Stop()
		close(c.done)
	})
}

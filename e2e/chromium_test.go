//go:build unix

package e2e_test

// The browser sign-in in a real browser (issue 21): headless Chromium
// (Debian's chromium, driven with chromedp over the DevTools protocol)
// gets the sign-in URL from cdflogin's opener ($BROWSER for the binary, the
// injected opener for the interactive program), loads the sandbox's
// sign-in page, signs in the way a person does (typing, clicks), follows
// the redirect to cdflogin's loopback listener, and cdflogin holds the
// token. Also: Cancel on the sign-in page, an app that asks for consent, a
// stray request to the listener before the answer, a second tab replaying
// the answer, MSAL Go's own form_post sign-in, form_post without script,
// and the device-code pages. Every page a person sees is checked (title,
// words, no sideways scrolling or tiny text at 1280×800 and 390×844, no
// console error, no CSP violation) and captured for docs/screens
// (CDFLOGIN_UPDATE_SCREENS=1 writes them).
//
// Skipped when chromium is not installed, except under CI=true.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/tui"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

// What the pages must be. Titles are exact; says are sentences of the
// visible text.
var (
	wantSignIn = pageWant{shot: "sandbox-signin", title: "Sign in – cdflogin sandbox",
		says: []string{"Sign in", "to continue to", "Email or username", "Sandbox accounts (no password): alice@sandbox.onmicrosoft.com"}}
	wantUnknownUser = pageWant{title: "Sign in – cdflogin sandbox",
		says: []string{"We couldn't find an account with that username.", "(AADSTS50034)"}}
	wantConsent = pageWant{shot: "sandbox-consent", title: "Permissions requested – cdflogin sandbox",
		says: []string{"Permissions requested", sandbox.AliceUsername, "cdflogin without consent (sandbox)", "This app would like to:",
			"Sign you in and read your profile", "Maintain access to data you have given it access to"}}
	wantSuccess = pageWant{shot: "loopback-success", title: "Sign-in received · cdflogin",
		says: []string{"Sign-in received", "You can close this tab and return to the terminal."}}
	wantDeclined = pageWant{shot: "loopback-error", title: "Sign-in failed · cdflogin",
		says: []string{"Sign-in failed", "AADSTS65004 · access_denied Consent declined",
			"Fix: Sign in again and accept; or have an admin pre-consent (Microsoft Entra admin center › App registrations › (app " + sandbox.BrowserAppID + ") › API permissions › Grant admin consent)",
			"Close this tab and return to the terminal"}}
	wantAlreadyDone = pageWant{shot: "loopback-already-done", title: "Already done · cdflogin",
		says: []string{"This sign-in is already done", "You can close this tab and return to the terminal."}}
	wantEntraError = pageWant{shot: "sandbox-error", title: "Sign in – cdflogin sandbox",
		says: []string{"Sorry, but we're having trouble signing you in.", "AADSTS50011: The redirect URI", "Correlation Id:"}}
	wantDeviceCode = pageWant{shot: "sandbox-devicelogin", title: "Enter code – cdflogin sandbox",
		says: []string{"Enter the code displayed on your app or device."}}
	wantDeviceConfirm = pageWant{shot: "sandbox-deviceconfirm", title: "Are you trying to sign in? – cdflogin sandbox",
		says: []string{"Only continue if you got this code from cdflogin device code (sandbox)", "Alice Anders alice@sandbox.onmicrosoft.com", "Bob Berg bob@sandbox.onmicrosoft.com"}}
	wantDeviceDone = pageWant{shot: "sandbox-devicedone", title: "You're signed in – cdflogin sandbox",
		says: []string{"You have signed in to the application on your device. You may now close this window."}}
)

func TestBrowserSignInInChromium(t *testing.T) {
	findChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sb := startFlowSandbox(t, sandbox.Options{})
	b := startChromium(t, ctx, sb)
	cli := newChromiumCLI(t, sb)

	t.Run("login signs in by typing and clicking", func(t *testing.T) {
		run := cli.login(ctx, t, "web")
		u := opened(ctx, t, run.urls)
		checkAuthorizeURL(t, sb, u, cli.ports["web"])
		tb := b.newTab(t)
		tb.open(u)
		tb.checkPage(wantSignIn)
		tb.typeInto("username", "nobody@"+sandbox.TenantDomain)
		tb.expectLoad("sign in as an unknown user", sb.BaseURL()+"/", chromedp.Click(chromedp.ID("next")))
		tb.checkPage(wantUnknownUser)
		tb.typeInto("username", sandbox.AliceUsername)
		tb.expectLoad("sign in", cli.redirect("web"), chromedp.Click(chromedp.ID("next")))
		tb.checkPage(wantSuccess)
		// Entra's default for response_type=code (cdflogin asks for no
		// response_mode): the answer comes in the query.
		if q := tb.location(); !strings.Contains(q, "code=") || !strings.Contains(q, "state=") {
			t.Errorf("the listener's page is %s, want the code and state in the query", redactQuery(q))
		}
		run.wait(t, 0)
		run.stderrHas(t, "Signed in as Alice Anders <alice@sandbox.onmicrosoft.com>")
		tb.finish()
	})

	t.Run("Cancel on the sign-in page", func(t *testing.T) {
		run := cli.login(ctx, t, "web")
		tb := b.newTab(t)
		tb.open(opened(ctx, t, run.urls))
		tb.expectLoad("cancel", cli.redirect("web"), chromedp.Click(chromedp.ID("cancel")))
		tb.checkPage(wantDeclined)
		run.wait(t, 1)
		// cdflogin's explanation, with the fix for this app.
		run.stderrHas(t, "access_denied", "AADSTS65004: Consent declined", "Fix:   Sign in again and accept",
			"(app "+sandbox.BrowserAppID+")")
		run.stderrHasNot(t, "Signed in as")
		tb.finish()
	})

	t.Run("an error Entra shows on its own page", func(t *testing.T) {
		// A redirect URI with a path is not registered (AADSTS50011): Entra
		// shows the error and never redirects.
		q := url.Values{"client_id": {sandbox.BrowserAppID}, "response_type": {"code"}, "redirect_uri": {cli.redirect("web") + "/callback"},
			"scope": {sb.CDFURL() + "/.default openid"}, "state": {"s"}}
		tb := b.newTab(t)
		tb.open(sb.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
		tb.checkPage(wantEntraError)
		tb.finish()
	})

	t.Run("an app nobody consented to asks for consent", func(t *testing.T) {
		run := cli.login(ctx, t, "consent")
		tb := b.newTab(t)
		tb.open(opened(ctx, t, run.urls))
		tb.typeInto("username", sandbox.AliceUsername)
		tb.expectLoad("sign in", sb.BaseURL()+"/", chromedp.Click(chromedp.ID("next")))
		want := wantConsent
		want.says = append(want.says, "Access the Cognite API ("+sb.CDFURL()+") as you")
		tb.checkPage(want)
		tb.expectLoad("accept", cli.redirect("consent"), chromedp.Click(chromedp.ID("accept")))
		tb.checkPage(pageWant{title: wantSuccess.title, says: wantSuccess.says})
		run.wait(t, 0)
		run.stderrHas(t, "Signed in as Alice Anders")
		tb.finish()
	})

	t.Run("a stray request before the answer does not end the sign-in", func(t *testing.T) {
		run := cli.login(ctx, t, "web")
		u := opened(ctx, t, run.urls)
		// MSAL's own listener ends the sign-in on any GET, such as a
		// browser's /favicon.ico; cdflogin's answers it and keeps waiting.
		stray := b.newTab(t)
		stray.open(cli.redirect("web") + "/favicon.ico")
		if got := evalIn[string](stray, "read the page", "document.title"); got != "Not found · cdflogin" {
			t.Errorf("/favicon.ico on the listener shows %q", got)
		}
		stray.open(cli.redirect("web") + "/")
		if got := evalIn[string](stray, "read the page", "document.body.innerText"); !strings.Contains(got, "Finish signing in in the tab cdflogin opened") {
			t.Errorf("/ before the answer shows %q", got)
		}
		tb := b.newTab(t)
		tb.open(u)
		tb.typeInto("username", sandbox.BobUsername)
		tb.expectLoad("sign in", cli.redirect("web"), chromedp.Click(chromedp.ID("next")))
		tb.checkPage(pageWant{title: wantSuccess.title, says: wantSuccess.says})
		run.wait(t, 0)
		run.stderrHas(t, "Signed in as Bob Berg <bob@sandbox.onmicrosoft.com>")
		tb.finish()
	})

	t.Run("the interactive program signs in through the injected opener", func(t *testing.T) {
		testTUIInChromium(ctx, t, sb, b)
	})

	t.Run("a second tab replaying the answer changes nothing", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		opener := newChanBrowser()
		gate := newGateTransport(sb.HTTPClient().Transport)
		e.withDeps(func(d *flows.Deps) {
			d.OpenBrowser = opener.Open
			d.HTTPClient = &http.Client{Transport: gate}
		})
		p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
		done := make(chan loginResult, 1)
		go func() { tok, err := e.login(p, nil); done <- loginResult{tok, err} }()
		tb := b.newTab(t)
		tb.open(opened(ctx, t, opener.urls))
		tb.typeInto("username", sandbox.AliceUsername)
		redirect := "http://localhost:" + strconv.Itoa(p.RedirectPort)
		tb.expectLoad("sign in", redirect, chromedp.Click(chromedp.ID("next")))
		answer := tb.location()
		select {
		case <-gate.held: // cdflogin is redeeming the first answer; its listener is still up
		case <-ctx.Done():
			t.Fatal("cdflogin never redeemed the code")
		}
		replay := b.newTab(t)
		replay.open(answer)
		replay.checkPage(wantAlreadyDone)
		gate.open()
		r := <-done
		if r.err != nil || r.tok.Account.Username != sandbox.AliceUsername {
			t.Fatalf("login after the replay: %v, %+v", r.err, r.tok)
		}
		tb.finish()
		replay.finish()
	})

	t.Run("MSAL Go's own interactive sign-in uses form_post", func(t *testing.T) {
		testMSALFormPostInChromium(ctx, t, sb, b)
	})

	t.Run("form_post without script: the Submit button", func(t *testing.T) {
		l, err := loopback.Listen(ctx, loopback.Config{State: "nojs-state", FindProcess: loopback.NoProcessLookup})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		q := url.Values{"client_id": {sandbox.BrowserAppID}, "response_type": {"code"}, "redirect_uri": {l.RedirectURI()},
			"scope": {sb.CDFURL() + "/.default openid offline_access profile"}, "state": {"nojs-state"}, "response_mode": {"form_post"}}
		tb := b.newTab(t)
		tb.do("turn script off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		tb.open(sb.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
		tb.typeInto("username", sandbox.AliceUsername)
		tb.expectLoad("sign in", sb.BaseURL()+"/", chromedp.Click(chromedp.ID("next")))
		if got := evalIn[string](tb, "read the page", "document.title"); got != "Working..." {
			t.Fatalf("after the sign-in without script the tab shows %q, want the form_post page", got)
		}
		tb.expectLoad("press Submit", l.RedirectURI(), chromedp.Click(chromedp.CSS(`input[type=submit]`)))
		res, err := l.Wait(ctx)
		if err != nil || res.Code == "" {
			t.Fatalf("the listener got %v, %v", res, err)
		}
		tb.checkPage(pageWant{title: wantSuccess.title, says: wantSuccess.says})
		tb.finish()
	})

	t.Run("the device-code pages", func(t *testing.T) {
		e := newFlowEnvOn(t, sb)
		p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
		codes := make(chan flows.DeviceCode, 1)
		events, _ := e.events(func(dc flows.DeviceCode) { codes <- dc })
		done := make(chan loginResult, 1)
		go func() { tok, err := e.login(p, events); done <- loginResult{tok, err} }()
		var dc flows.DeviceCode
		select {
		case dc = <-codes:
		case r := <-done:
			t.Fatalf("login ended before a device code: %v", r.err)
		}
		tb := b.newTab(t)
		tb.open(dc.VerificationURL)
		tb.checkPage(wantDeviceCode)
		tb.typeInto("otc", dc.UserCode)
		tb.expectLoad("enter the code", sb.BaseURL()+"/devicelogin", chromedp.Click(chromedp.ID("next")))
		tb.checkPage(wantDeviceConfirm)
		tb.do("choose Alice", chromedp.Click(chromedp.CSS(`input[value="`+sandbox.AliceUsername+`"]`)))
		tb.expectLoad("continue", sb.BaseURL()+"/devicelogin", chromedp.Click(chromedp.ID("approve")))
		tb.checkPage(wantDeviceDone)
		r := <-done
		if r.err != nil || r.tok.Account.Username != sandbox.AliceUsername {
			t.Fatalf("device login: %v, %+v", r.err, r.tok)
		}
		tb.finish()
	})

	b.shots.save(t)
}

type loginResult struct {
	tok *flows.Tokens
	err error
}

// checkAuthorizeURL checks the URL cdflogin opened: the sandbox's authorize
// endpoint with PKCE S256, a state, the loopback redirect URI, and no
// response_mode (so the query, Entra's default for a code).
func checkAuthorizeURL(t *testing.T, sb *sandbox.Sandbox, u string, port int) {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(u, sb.AuthorityURL()+"/oauth2/v2.0/authorize?") {
		t.Fatalf("cdflogin opened %q, want the sandbox's authorize endpoint", redactQuery(u))
	}
	q := pu.Query()
	for k, want := range map[string]string{"client_id": sandbox.BrowserAppID, "response_type": "code",
		"redirect_uri": "http://localhost:" + strconv.Itoa(port), "code_challenge_method": "S256", "response_mode": ""} {
		if got := q.Get(k); got != want {
			t.Errorf("authorize URL %s=%q, want %q", k, got, want)
		}
	}
	if q.Get("state") == "" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("authorize URL without state or S256 challenge: %v", q)
	}
}

// chromiumCLI runs the cdflogin binary with its own home, the sandbox's
// CA in SSL_CERT_FILE and BROWSER set to the test's browser.
type chromiumCLI struct {
	bin     string
	env     []string
	browser *fifoBrowser
	ports   map[string]int
}

func newChromiumCLI(t *testing.T, sb *sandbox.Sandbox) *chromiumCLI {
	t.Helper()
	dir := t.TempDir()
	c := &chromiumCLI{bin: filepath.Join(dir, "cdflogin"), browser: newFIFOBrowser(t), ports: map[string]int{}}
	goBuild(t, c.bin, "..")
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "sandbox-ca.pem")
	if err := os.WriteFile(ca, sb.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	var y strings.Builder
	y.WriteString("profiles:\n")
	for _, p := range []struct{ name, clientID string }{{"web", sandbox.BrowserAppID}, {"consent", sandbox.NoConsentAppID}} {
		c.ports[p.name] = flowsFreePort(t)
		fmt.Fprintf(&y, "  %s:\n    tenant: %s\n    client_id: %s\n    cluster: westeurope-1\n    project: %s\n    flow: browser\n"+
			"    redirect_port: %d\n    authority: %s\n    cdf_url: %s\n",
			p.name, sandbox.TenantID, p.clientID, sandbox.ProjectName, c.ports[p.name], sb.AuthorityURL(), sb.CDFURL())
	}
	if err := os.WriteFile(filepath.Join(home, "profiles.yaml"), []byte(y.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CDFLOGIN_") || strings.HasPrefix(k, "SSL_CERT_") || k == "BROWSER" || k == "DISPLAY" || k == "WAYLAND_DISPLAY" {
			continue
		}
		c.env = append(c.env, kv)
	}
	c.env = append(c.env, "CDFLOGIN_HOME="+home, "SSL_CERT_FILE="+ca, "NO_COLOR=1")
	c.env = append(c.env, c.browser.env()...)
	return c
}

// redirect is the profile's loopback address.
func (c *chromiumCLI) redirect(profile string) string {
	return "http://localhost:" + strconv.Itoa(c.ports[profile])
}

// cliRun is one running `cdflogin login`.
type cliRun struct {
	urls           <-chan string
	stdout, stderr *syncBuffer
	done           chan error
}

// login starts `cdflogin login -p profile`; the URL it opens arrives on
// urls.
func (c *chromiumCLI) login(ctx context.Context, t *testing.T, profile string) *cliRun {
	t.Helper()
	r := &cliRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	r.urls = c.browser.next(ctx)
	cmd := exec.CommandContext(ctx, c.bin, "login", "-p", profile)
	cmd.Env = c.env
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cdflogin: %v", err)
	}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // nothing when it has exited
		r.done <- <-r.done
	})
	return r
}

// wait waits for cdflogin to exit with code.
func (r *cliRun) wait(t *testing.T, code int) {
	t.Helper()
	err := <-r.done
	r.done <- err // for the cleanup
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("cdflogin: %v", err)
	}
	if got != code {
		t.Fatalf("cdflogin exited with %d, want %d; stderr:\n%s", got, code, r.stderr.String())
	}
}

func (r *cliRun) stderrHas(t *testing.T, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(r.stderr.String(), w) {
			t.Errorf("cdflogin's stderr does not say %q:\n%s", w, r.stderr.String())
		}
	}
}

func (r *cliRun) stderrHasNot(t *testing.T, words ...string) {
	t.Helper()
	for _, w := range words {
		if strings.Contains(r.stderr.String(), w) {
			t.Errorf("cdflogin's stderr says %q:\n%s", w, r.stderr.String())
		}
	}
}

// testTUIInChromium runs the interactive program (as plain `cdflogin`
// wires it) with the Factory's opener handing the URL to Chromium, picks
// the profile and the browser flow with keys, signs in in the browser and
// sees the token screen.
func testTUIInChromium(ctx context.Context, t *testing.T, sb *sandbox.Sandbox, b *browser) {
	opener := newChanBrowser()
	env := map[string]string{"CDFLOGIN_HOME": t.TempDir()}
	f := &cmdutil.Factory{
		IO:         &cmdutil.IOStreams{In: strings.NewReader(""), Out: &syncBuffer{}, ErrOut: &syncBuffer{}},
		Getenv:     func(k string) string { return env[k] },
		Now:        time.Now,
		HTTPClient: sb.HTTPClient(),
		Browser:    opener,
	}
	cfg, err := tui.Config(f)
	if err != nil {
		t.Fatal(err)
	}
	port := flowsFreePort(t)
	p := profiles.Profile{Name: "sandbox-web", Tenant: sandbox.TenantID, ClientID: sandbox.BrowserAppID, Cluster: "westeurope-1",
		Project: sandbox.ProjectName, Flow: profiles.FlowBrowser, Authority: sb.AuthorityURL(), CDFURL: sb.CDFURL(), RedirectPort: port}
	if err := cfg.Store.Add(p); err != nil {
		t.Fatal(err)
	}
	in, keys := io.Pipe()
	defer func() { _ = keys.Close() }()
	out := &syncBuffer{}
	var mu sync.Mutex
	var signedIn []*flows.Tokens
	cfg.In, cfg.Out, cfg.Width, cfg.Height, cfg.Accessible = in, out, 100, 30, true
	cfg.OnSignedIn = func(tok *flows.Tokens) { mu.Lock(); signedIn = append(signedIn, tok); mu.Unlock() }
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ui.Run(runCtx, cfg) }()
	press := func(s string) {
		t.Helper()
		if _, err := keys.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	out.waitFor(ctx, t, "sandbox-web", done)
	press("\r")
	out.waitFor(ctx, t, "Browser (auth code + PKCE)", done)
	press("\r")
	var u string
	select {
	case u = <-opener.urls:
	case err := <-done:
		t.Fatalf("the program ended (%v) before opening the browser:\n%s", err, out.String())
	case <-ctx.Done():
		t.Fatalf("the program opened no URL:\n%s", out.String())
	}
	tb := b.newTab(t)
	tb.open(u)
	tb.typeInto("username", sandbox.AliceUsername)
	tb.expectLoad("sign in", "http://localhost:"+strconv.Itoa(port), chromedp.Click(chromedp.ID("next")))
	tb.checkPage(pageWant{title: wantSuccess.title, says: wantSuccess.says})
	out.waitFor(ctx, t, "Alice Anders", done)
	press("q")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the program ended with %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the program did not quit")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(signedIn) != 1 || signedIn[0].Account.Username != sandbox.AliceUsername || signedIn[0].AccessToken == "" {
		t.Errorf("the program signed in %d times: %+v", len(signedIn), signedIn)
	}
	tb.finish()
}

// testMSALFormPostInChromium signs in with MSAL Go's AcquireTokenInteractive,
// a client that is not cdflogin's: it asks for response_mode=form_post and
// its own listener accepts only a POST, so the token proves that the
// sandbox's form_post page submits itself in a real browser under its
// Content-Security-Policy.
func testMSALFormPostInChromium(ctx context.Context, t *testing.T, sb *sandbox.Sandbox, b *browser) {
	app, err := public.New(sandbox.BrowserAppID, public.WithAuthority(sb.AuthorityURL()), public.WithHTTPClient(sb.HTTPClient()),
		public.WithInstanceDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	type result struct {
		ar  public.AuthResult
		err error
	}
	done := make(chan result, 1)
	port := flowsFreePort(t)
	go func() {
		ar, err := app.AcquireTokenInteractive(ctx, []string{sb.CDFURL() + "/.default"},
			public.WithRedirectURI("http://localhost:"+strconv.Itoa(port)),
			public.WithOpenURL(func(u string) error { urls <- u; return nil }))
		done <- result{ar, err}
	}()
	var u string
	select {
	case u = <-urls:
	case r := <-done:
		t.Fatalf("MSAL ended before opening the browser: %v", r.err)
	}
	if pu, err := url.Parse(u); err != nil || pu.Query().Get("response_mode") != "form_post" {
		t.Fatalf("MSAL's URL %s has no response_mode=form_post", redactQuery(u))
	}
	tb := b.newTab(t)
	tb.open(u)
	tb.typeInto("username", sandbox.AliceUsername)
	tb.expectLoad("sign in", "http://localhost:"+strconv.Itoa(port), chromedp.Click(chromedp.ID("next")))
	r := <-done
	if r.err != nil {
		t.Fatalf("MSAL: %v", r.err)
	}
	if r.ar.Account.PreferredUsername != sandbox.AliceUsername || r.ar.AccessToken == "" {
		t.Errorf("MSAL signed in %q", r.ar.Account.PreferredUsername)
	}
	// The sandbox's pages on the way (sign-in, form_post) raised no
	// console error or CSP violation; MSAL's own page is not ours.
	for _, p := range tb.newProblems() {
		if !strings.Contains(p, "localhost:"+strconv.Itoa(port)) {
			t.Errorf("sandbox page: %s", p)
		}
	}
}

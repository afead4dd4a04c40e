package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// The sandbox must behave like Entra for any OAuth client, not only for
// the one cdflogin is built on (MSAL Go). These tests drive it over TLS
// with golang.org/x/oauth2, a second client that shares no code with
// cdflogin's and polls the device code its own way (it waits the interval
// before the first poll and honours slow_down), and with the polling rhythm
// of MSAL Node (a poll at once, then one per interval, any answer but
// authorization_pending fatal).

// answerLog records the "error" value of every answer of the token
// endpoint whose path ends with suffix that the client under test
// received, so a test can say what the sandbox told it.
type answerLog struct {
	base   http.RoundTripper
	suffix string // "/oauth2/v2.0/token" (Entra), "/oidc/token"
	mu     sync.Mutex
	errs   []string // "" for a success
}

func (l *answerLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, l.suffix) {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	l.mu.Lock()
	l.errs = append(l.errs, e.Error)
	l.mu.Unlock()
	return resp, nil
}

func (l *answerLog) answers() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// oauth2Sandbox starts a sandbox and returns it with a context whose HTTP
// client (for golang.org/x/oauth2) trusts it and logs token answers.
func oauth2Sandbox(t *testing.T, opts sandbox.Options) (*sandbox.Sandbox, context.Context, *answerLog) {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	hc := sb.HTTPClient()
	log := &answerLog{base: hc.Transport, suffix: "/oauth2/v2.0/token"}
	hc.Transport = log
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return sb, context.WithValue(ctx, oauth2.HTTPClient, hc), log
}

func endpoint(sb *sandbox.Sandbox) oauth2.Endpoint {
	a := sb.AuthorityURL() + "/oauth2/v2.0/"
	return oauth2.Endpoint{AuthURL: a + "authorize", TokenURL: a + "token", DeviceAuthURL: a + "devicecode",
		AuthStyle: oauth2.AuthStyleInParams}
}

// checkCDFToken asks the sandbox CDF whether it accepts the access token.
func checkCDFToken(t *testing.T, sb *sandbox.Sandbox, tok string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, sb.CDFURL()+"/api/v1/token/inspect", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := sb.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("CDF token/inspect answered %d for the token", resp.StatusCode)
	}
}

// TestSandboxOAuth2DeviceCode: golang.org/x/oauth2's DeviceAuth and
// DeviceAccessToken (the interval first, slow_down honoured) sign in;
// every poll before the approval is answered authorization_pending.
func TestSandboxOAuth2DeviceCode(t *testing.T) {
	sb, ctx, log := oauth2Sandbox(t, sandbox.Options{DeviceInterval: time.Second})
	conf := &oauth2.Config{ClientID: sandbox.DeviceAppID, Endpoint: endpoint(sb),
		Scopes: []string{sb.CDFURL() + "/.default", "openid", "profile", "offline_access"}}
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	if da.UserCode == "" || da.VerificationURI != sb.DeviceLoginURL() || da.Interval != 1 || da.Expiry.IsZero() {
		t.Errorf("device auth answer: %+v", da)
	}
	// The person approves on the verification page once the client has
	// polled (and been told to wait) at least once.
	approved := make(chan error, 1)
	go func() {
		for len(log.answers()) == 0 {
			select {
			case <-ctx.Done():
				approved <- ctx.Err()
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
		approved <- sandbox.ApproveDeviceCodeHTTP(ctx, sb.HTTPClient(), da.VerificationURI, da.UserCode, sandbox.AliceUsername)
	}()
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v (answers %v)", err, log.answers())
	}
	if err := <-approved; err != nil {
		t.Fatalf("approve: %v", err)
	}
	answers := log.answers()
	if len(answers) < 2 || answers[len(answers)-1] != "" {
		t.Fatalf("answers %v: want authorization_pending, then a token", answers)
	}
	for _, e := range answers[:len(answers)-1] {
		if e != "authorization_pending" {
			t.Errorf("a poll before the approval got %q, want authorization_pending (answers %v)", e, answers)
		}
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Errorf("token lacks refresh or ID token: %+v", tok)
	}
	checkCDFToken(t, sb, tok.AccessToken)
}

// TestSandboxMSALNodePolling: MSAL Node polls at once and then once per
// interval, and treats any answer but authorization_pending as fatal. Its
// device sign-in failed against the sandbox every time while the sandbox
// answered the first poll slow_down.
func TestSandboxMSALNodePolling(t *testing.T) {
	sb, ctx, _ := oauth2Sandbox(t, sandbox.Options{DeviceInterval: time.Second})
	hc := sb.HTTPClient()
	base := sb.AuthorityURL() + "/oauth2/v2.0/"
	post := func(endpoint string, form url.Values) (int, map[string]any) {
		t.Helper()
		resp, err := hc.PostForm(base+endpoint, form)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	status, dc := post("devicecode", url.Values{"client_id": {sandbox.DeviceAppID}, "scope": {sb.CDFURL() + "/.default offline_access"}})
	if status != 200 {
		t.Fatalf("devicecode: %d %v", status, dc)
	}
	interval := time.Duration(dc["interval"].(float64)) * time.Second
	for poll := 0; ; poll++ {
		if poll == 2 {
			if err := sandbox.ApproveDeviceCodeHTTP(ctx, hc, dc["verification_uri"].(string), dc["user_code"].(string), sandbox.BobUsername); err != nil {
				t.Fatal(err)
			}
		}
		status, a := post("token", url.Values{"grant_type": {"device_code"}, "client_id": {sandbox.DeviceAppID},
			"device_code": {dc["device_code"].(string)}})
		if status == 200 {
			if poll != 2 {
				t.Errorf("token after poll %d, want after the approval before poll 2", poll)
			}
			checkCDFToken(t, sb, a["access_token"].(string))
			return
		}
		if a["error"] != "authorization_pending" {
			t.Fatalf("poll %d: %v — MSAL Node gives up on anything but authorization_pending", poll, a["error"])
		}
		if poll > 5 {
			t.Fatal("no token after the approval")
		}
		if poll > 0 {
			time.Sleep(interval)
		}
	}
}

// TestSandboxOAuth2AuthCodePKCE: AuthCodeURL with S256ChallengeOption, the
// sign-in page as a browser sees it, Exchange with VerifierOption, then a
// refresh through the token source; with the sandbox in its RFC 9207 mode
// the answer names the issuer its discovery gives.
func TestSandboxOAuth2AuthCodePKCE(t *testing.T) {
	for _, iss := range []bool{false, true} {
		name := "entra"
		if iss {
			name = "rfc9207"
		}
		t.Run(name, func(t *testing.T) {
			sb, ctx, log := oauth2Sandbox(t, sandbox.Options{IssParameter: iss})
			redirect, delivered := redirectCatcher(t)
			conf := &oauth2.Config{ClientID: sandbox.BrowserAppID, Endpoint: endpoint(sb), RedirectURL: redirect,
				Scopes: []string{sb.CDFURL() + "/.default", "openid", "profile", "offline_access"}}
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("state-7", oauth2.S256ChallengeOption(verifier))
			if status, err := sandbox.SignInAs(ctx, sb.HTTPClient(), authURL, sandbox.AliceUsername); err != nil || status != 200 {
				t.Fatalf("sign-in: %d %v", status, err)
			}
			answer := <-delivered
			if answer.Get("state") != "state-7" || answer.Get("code") == "" {
				t.Fatalf("redirect answer: %v", answer)
			}
			if got, want := answer.Get("iss"), map[bool]string{true: sb.Issuer()}[iss]; got != want {
				t.Errorf("iss %q, want %q", got, want)
			}
			if _, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption("the-wrong-verifier-"+strings.Repeat("x", 30))); err == nil {
				t.Error("a code was redeemed with the wrong PKCE verifier")
			}
			// A code is redeemed once (AADSTS54005): the wrong verifier above
			// used it up, so sign in again for the real exchange.
			verifier = oauth2.GenerateVerifier()
			authURL = conf.AuthCodeURL("state-8", oauth2.S256ChallengeOption(verifier))
			if _, err := sandbox.SignInAs(ctx, sb.HTTPClient(), authURL, sandbox.AliceUsername); err != nil {
				t.Fatal(err)
			}
			answer = <-delivered
			tok, err := conf.Exchange(ctx, answer.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v (answers %v)", err, log.answers())
			}
			if tok.RefreshToken == "" || tok.Extra("id_token") == nil || tok.Expiry.IsZero() {
				t.Errorf("token: %+v", tok)
			}
			checkCDFToken(t, sb, tok.AccessToken)

			// Refresh: the token source redeems the refresh token of a token
			// it sees as expired; Entra rotates the refresh token.
			old := *tok
			old.Expiry = time.Now().Add(-time.Minute)
			fresh, err := conf.TokenSource(ctx, &old).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == "" || fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
				t.Errorf("refreshed token: %+v", fresh)
			}
			checkCDFToken(t, sb, fresh.AccessToken)
			if n := sb.Count("token:refresh_token"); n != 1 {
				t.Errorf("%d refresh requests, want 1", n)
			}
		})
	}
}

// redirectCatcher is a redirect URI on localhost that hands over what the
// browser delivered to it.
func redirectCatcher(t *testing.T) (string, <-chan url.Values) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan url.Values, 4)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got <- r.Form
		_, _ = io.WriteString(w, "signed in")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://localhost:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:"), got
}

// TestSandboxOAuth2ClientCredentials: clientcredentials with the secret in
// the body (client_secret_post) and in a Basic header (client_secret_basic,
// form-urlencoded as RFC 6749 says).
func TestSandboxOAuth2ClientCredentials(t *testing.T) {
	sb, ctx, _ := oauth2Sandbox(t, sandbox.Options{})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
		conf := &clientcredentials.Config{ClientID: sandbox.SecretAppID, ClientSecret: sandbox.SecretAppSecret,
			TokenURL: endpoint(sb).TokenURL, Scopes: []string{sb.CDFURL() + "/.default"}, AuthStyle: style}
		tok, err := conf.Token(ctx)
		if err != nil {
			t.Fatalf("auth style %d: %v", style, err)
		}
		checkCDFToken(t, sb, tok.AccessToken)
		wrong := *conf
		wrong.ClientSecret = "not-the-secret"
		var re *oauth2.RetrieveError
		if _, err := wrong.Token(ctx); !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
			t.Errorf("auth style %d, wrong secret: %v", style, err)
		}
	}
}

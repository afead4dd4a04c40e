package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/profiles"
)

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// browserDouble GETs the authorize URL like a browser (following the
// redirect to the loopback listener) in the background, as a real opener
// returns before the person signs in.
func browserDouble(t *testing.T, h *harness) (open func(string) error, wait func()) {
	var wg sync.WaitGroup
	client := h.entra.srv.Client()
	open = func(u string) error {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(u)
			if err != nil {
				t.Errorf("browser double: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
	return open, wg.Wait
}

func TestBrowserLogin(t *testing.T) {
	h := newHarness(t)
	open, wait := browserDouble(t, h)
	h.svc.deps.OpenBrowser = open
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = freePort(t)
	p.LoginHint = "ada@example.com"

	var events []Event
	tok, err := h.svc.Login(ctxT(t), p, "", func(e Event) { events = append(events, e) })
	wait()
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.Flow != profiles.FlowBrowser || tok.Account.Username != "ada@example.com" || tok.AccessToken == "" {
		t.Fatalf("tokens = %+v", tok)
	}
	if len(events) != 3 {
		t.Fatalf("events = %#v", events)
	}
	bo, ok := events[0].(BrowserOpening)
	if !ok {
		t.Fatalf("first event %T", events[0])
	}
	u, _ := url.Parse(bo.URL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 16 || q.Get("login_hint") != "ada@example.com" ||
		q.Get("redirect_uri") != p.RedirectURI() || q.Get("client_id") != p.ClientID {
		t.Errorf("authorize URL query = %v", q)
	}
	if w, ok := events[1].(WaitingForRedirect); !ok || w.Addr != strings.TrimPrefix(p.RedirectURI(), "http://") || w.Deadline.IsZero() {
		t.Errorf("second event %#v", events[1])
	}
	if _, ok := events[2].(Redeeming); !ok {
		t.Errorf("third event %#v", events[2])
	}
	// Refresh works for browser sign-ins too.
	r, err := h.svc.Silent(ctxT(t), p, SilentOptions{Force: true})
	if err != nil || r.FromCache || r.AccessToken == tok.AccessToken {
		t.Fatalf("forced Silent = %+v, %v", r, err)
	}
}

func TestBrowserOpenFailsKeepsWaiting(t *testing.T) {
	h := newHarness(t)
	open, wait := browserDouble(t, h)
	h.svc.deps.OpenBrowser = func(string) error { return errors.New("no display") }
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = freePort(t)
	var failed []BrowserFailed
	tok, err := h.svc.Login(ctxT(t), p, "", func(e Event) {
		switch e := e.(type) {
		case BrowserFailed:
			failed = append(failed, e)
		case WaitingForRedirect:
			// The person opens the URL by hand.
			_ = open(failed[0].URL)
		}
	})
	wait()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("Login = %v", err)
	}
	if len(failed) != 1 || failed[0].Err == nil || failed[0].URL == "" {
		t.Fatalf("BrowserFailed events = %#v", failed)
	}
}

func TestBrowserDeclined(t *testing.T) {
	h := newHarness(t)
	open, wait := browserDouble(t, h)
	h.svc.deps.OpenBrowser = open
	h.entra.set(func(f *fakeEntra) { f.authorizeErr = "access_denied" })
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = freePort(t)
	_, err := h.svc.Login(ctxT(t), p, "", nil)
	wait()
	var ae *aadsts.Error
	if !errors.As(err, &ae) || ae.Code != "access_denied" || ae.AADSTS() != 65004 || !errors.Is(err, ErrDeclined) {
		t.Fatalf("err = %v", err)
	}
}

func TestBrowserPortInUse(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := h.profile(profiles.FlowBrowser)
	p.RedirectPort = ln.Addr().(*net.TCPAddr).Port
	_, err = h.svc.Login(ctxT(t), p, "", nil)
	var pe *loopback.PortInUseError
	if !errors.As(err, &pe) || pe.Port != p.RedirectPort {
		t.Fatalf("err = %v, want *loopback.PortInUseError", err)
	}
}

func TestBrowserTimeoutAndCancel(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		h := newHarness(t)
		h.svc.deps.RedirectTimeout = 50 * time.Millisecond
		p := h.profile(profiles.FlowBrowser)
		p.RedirectPort = freePort(t)
		_, err := h.svc.Login(ctxT(t), p, "", nil)
		var te *loopback.TimeoutError
		if !errors.As(err, &te) {
			t.Fatalf("err = %v, want *loopback.TimeoutError", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		h := newHarness(t)
		p := h.profile(profiles.FlowBrowser)
		p.RedirectPort = freePort(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := h.svc.Login(ctx, p, "", func(e Event) {
			if _, ok := e.(WaitingForRedirect); ok {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestPKCE(t *testing.T) {
	v, c, err := pkcePair()
	if err != nil || len(v) != 43 || len(c) != 43 || v == c {
		t.Fatalf("pkcePair = %q %q %v", v, c, err)
	}
	v2, _, _ := pkcePair()
	if v2 == v {
		t.Fatal("two verifiers are equal")
	}
	got, err := addPKCE("https://h/t/oauth2/v2.0/authorize?client_id=c&scope=a+b", "st", "ch")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	if q := u.Query(); q.Get("state") != "st" || q.Get("code_challenge") != "ch" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != "a b" {
		t.Fatalf("addPKCE = %s", got)
	}
	if got := withOIDCScopes([]string{"https://x/.default", "OpenID"}); strings.Join(got, " ") != "https://x/.default OpenID offline_access profile" {
		t.Fatalf("withOIDCScopes = %v", got)
	}
}

// TestIssuerToRequire: the issuer a browser answer must name comes from
// the OpenID configuration MSAL fetched through the recording client, or,
// if MSAL fetched none, from the authority's own; only a configuration
// that says its answers name the issuer (RFC 9207) asks for one.
func TestIssuerToRequire(t *testing.T) {
	const issuer = "https://login.example.test/tid/v2.0"
	tests := []struct {
		name string
		doc  string
		want string
		bad  bool
	}{
		{"entra (no flag)", `{"issuer":"` + issuer + `"}`, "", false},
		{"flag false", `{"issuer":"` + issuer + `","authorization_response_iss_parameter_supported":false}`, "", false},
		{"flag true", `{"issuer":"` + issuer + `","authorization_response_iss_parameter_supported":true}`, issuer, false},
		{"flag true, no issuer", `{"authorization_response_iss_parameter_supported":true}`, "", true},
	}
	for _, tt := range tests {
		for _, seen := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/msal fetched it %v", tt.name, seen), func(t *testing.T) {
				fetched := 0
				srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/tid/v2.0/.well-known/openid-configuration" {
						http.NotFound(w, r)
						return
					}
					fetched++
					_, _ = io.WriteString(w, tt.doc)
				}))
				defer srv.Close()
				p := profiles.Profile{Name: "dev", Authority: srv.URL + "/tid"}
				svc := New(Deps{HTTPClient: srv.Client()})
				hc, log := recording(srv.Client())
				if seen {
					// What MSAL does while building the sign-in URL.
					resp, err := hc.Get(srv.URL + "/tid/v2.0/.well-known/openid-configuration")
					if err != nil {
						t.Fatal(err)
					}
					if b, _ := io.ReadAll(resp.Body); string(b) != tt.doc {
						t.Errorf("MSAL would read %q, not the document", b)
					}
					resp.Body.Close()
				}
				got, err := svc.issuerToRequire(ctxT(t), p, log)
				if (err != nil) != tt.bad || got != tt.want {
					t.Errorf("issuer %q, %v; want %q (error: %v)", got, err, tt.want, tt.bad)
				}
				if fetched != 1 {
					t.Errorf("the configuration was fetched %d times, want once", fetched)
				}
			})
		}
	}
}

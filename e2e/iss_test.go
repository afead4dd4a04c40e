package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// tamperingBrowser signs in at the sandbox as a browser would, but changes
// the iss of the answer it delivers to the redirect URI: what a
// mix-up attacker who knows the state could deliver.
type tamperingBrowser struct {
	base http.RoundTripper
	iss  func(q url.Values)
}

func (b tamperingBrowser) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Host, "localhost:") {
		return b.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	q := r.URL.Query()
	b.iss(q)
	r.URL.RawQuery = q.Encode()
	return b.base.RoundTrip(r)
}

// TestBrowserSignInChecksIss (RFC 9207): against an authority whose
// discovery says its answers name the issuer, a browser sign-in succeeds
// with the right iss and is refused (the code never redeemed) when iss is
// another server's or missing. Against Entra, which names no issuer, iss
// is not looked at.
func TestBrowserSignInChecksIss(t *testing.T) {
	const foreign = "https://login.evil.example/5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f/v2.0"
	tests := []struct {
		name    string
		rfc9207 bool
		iss     func(q url.Values)
		refused bool
	}{
		{"rfc9207, iss as sent", true, func(url.Values) {}, false},
		{"rfc9207, foreign iss", true, func(q url.Values) { q.Set("iss", foreign) }, true},
		{"rfc9207, iss removed", true, func(q url.Values) { q.Del("iss") }, true},
		{"rfc9207, iss twice", true, func(q url.Values) { q.Add("iss", foreign) }, true},
		{"entra, foreign iss ignored", false, func(q url.Values) { q.Set("iss", foreign) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFlowEnv(t, sandbox.Options{IssParameter: tt.rfc9207})
			e.withDeps(func(d *flows.Deps) {
				d.OpenBrowser = func(u string) error {
					go func() {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						defer cancel()
						c := e.sb.HTTPClient()
						c.Transport = tamperingBrowser{base: c.Transport, iss: tt.iss}
						_, _ = sandbox.SignInAs(ctx, c, u, sandbox.AliceUsername)
					}()
					return nil
				}
			})
			p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
			tok, err := e.login(p, nil)
			var ie *loopback.IssuerError
			if got := errors.As(err, &ie); got != tt.refused {
				t.Fatalf("refused %v (%v), want %v", got, err, tt.refused)
			}
			redeemed := e.requests("token", "authorization_code")
			if tt.refused {
				if redeemed != 0 {
					t.Errorf("%d code redemption(s) after a refused answer", redeemed)
				}
				if ie.Want != e.sb.Issuer() || !strings.Contains(err.Error(), "RFC 9207") {
					t.Errorf("error %v: want it to name %s", err, e.sb.Issuer())
				}
				return
			}
			if err != nil || tok.AccessToken == "" || redeemed != 1 {
				t.Fatalf("login: %v, %d redemption(s)", err, redeemed)
			}
		})
	}
}

package insight

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

// handlerTransport serves each request with a handler, in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// silent is a Silenter that returns what it is given.
type silent struct {
	tok *flows.Tokens
	err error
}

func (s silent) Silent(context.Context, profiles.Profile, flows.SilentOptions) (*flows.Tokens, error) {
	return s.tok, s.err
}

func deps(h http.Handler, s Silenter) Deps {
	return Deps{
		Flows:      func() (Silenter, error) { return s, nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return &http.Client{Transport: handlerTransport{h}}, nil },
		Now:        func() time.Time { return now },
		PortFree:   func(int) error { return nil },
	}
}

func devProfile(flow profiles.Flow, mod ...func(*profiles.Profile)) profiles.Profile {
	p := profiles.Profile{Name: "dev", Tenant: claimstest.TenantID, ClientID: claimstest.ClientID, Cluster: "westeurope-1",
		Project: "acme", Flow: flow, Authority: "https://login.example.test/" + claimstest.TenantID}
	for _, m := range mod {
		m(&p)
	}
	return p
}

func TestTenantOf(t *testing.T) {
	tests := []struct {
		p    profiles.Profile
		want string
	}{
		{profiles.Profile{Tenant: "t1"}, "t1"},
		{profiles.Profile{Authority: "https://127.0.0.1:8443/" + claimstest.TenantID + "/"}, claimstest.TenantID},
		{profiles.Profile{Authority: "https://login.example/a/b"}, "b"},
	}
	for _, tt := range tests {
		if got := TenantOf(tt.p); got != tt.want {
			t.Errorf("TenantOf(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// TestExpectForAudience: the audience a profile's tokens are judged
// against is CDF's (issue 15): the project's audience when CDF tells it,
// else the resource of the profile's scopes, else the cluster's URL; a
// cdf_url that is not the cluster never makes a token wrong.
func TestExpectForAudience(t *testing.T) {
	cluster := "https://westeurope-1.cognitedata.com"
	tests := []struct {
		name     string
		p        profiles.Profile
		project  string // the project's audience in CDF
		aud      string // the token's
		severity claims.Severity
		says     string
	}{
		{"default scopes", devProfile(profiles.FlowDevice), "", cluster, claims.SeverityOK, "is the profile's CDF URL"},
		{"default scopes, other cluster", devProfile(profiles.FlowDevice), "", "https://api.cognitedata.com", claims.SeverityError, "is not the profile's CDF URL"},
		{"proxy cdf_url, cluster scopes", devProfile(profiles.FlowDevice, func(p *profiles.Profile) {
			p.CDFURL, p.Scopes = "https://cdf.proxy.example", []string{cluster + "/.default"}
		}), "", cluster, claims.SeverityInfo, "is the resource the profile's scopes ask for; CDF is reached at https://cdf.proxy.example"},
		{"proxy cdf_url, delegated scope", devProfile(profiles.FlowDevice, func(p *profiles.Profile) {
			p.CDFURL, p.Scopes = "https://127.0.0.1:8443", []string{cluster + "/user_impersonation", "offline_access"}
		}), "", cluster + "/", claims.SeverityInfo, "scopes ask for"},
		{"project audience wins", devProfile(profiles.FlowDevice), "api://acme", "api://acme", claims.SeverityOK, "project acme's audience in CDF"},
		{"project audience differs", devProfile(profiles.FlowDevice), "api://acme", cluster, claims.SeverityError, "is not project acme's audience in CDF api://acme"},
		{"only OIDC scopes: the cluster", devProfile(profiles.FlowDevice, func(p *profiles.Profile) { p.Scopes = []string{"openid"} }), "", cluster, claims.SeverityOK, "the profile's cluster URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := claims.Decode(claimstest.Unsigned(claimstest.With(claimstest.V2User(now), "aud", tt.aud)))
			if err != nil {
				t.Fatal(err)
			}
			exp := WithProjectAudience(ExpectFor(tt.p, now, false), tt.p, tt.project)
			var got *claims.Finding
			for _, f := range claims.Check(tok, exp) {
				if f.ID == claims.IDAudience {
					got = &f
				}
			}
			if got == nil || got.Severity != tt.severity || !strings.Contains(got.Message, tt.says) {
				t.Fatalf("audience finding %+v, want %v saying %q", got, tt.severity, tt.says)
			}
			if got.Severity != claims.SeverityOK && got.Fix == "" {
				t.Error("no fix")
			}
		})
	}
}

// TestClaimsAsksCDFForTheProjectAudience: the claims use case judges the
// audience against the project's own (as doctor does), and falls back to
// the scopes when CDF will not say; --no-verify asks nothing.
func TestClaimsAsksCDFForTheProjectAudience(t *testing.T) {
	raw := claimstest.Unsigned(claimstest.With(claimstest.V2User(now), "aud", "api://acme"))
	for _, tt := range []struct {
		name     string
		answer   string // the project's answer; "" = 403
		noVerify bool
		severity claims.Severity
	}{
		{"project answers", `{"name":"acme","urlName":"acme","oidcConfiguration":{"audience":"api://acme"}}`, false, claims.SeverityOK},
		{"project forbidden", "", false, claims.SeverityError},
		{"no-verify asks nothing", `{"name":"acme","urlName":"acme","oidcConfiguration":{"audience":"api://acme"}}`, true, claims.SeverityError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			asked := 0
			mux := http.NewServeMux()
			mux.HandleFunc("/api/v1/projects/acme", func(w http.ResponseWriter, r *http.Request) {
				asked++
				if tt.answer == "" {
					w.WriteHeader(403)
					_, _ = fmt.Fprint(w, `{"error":{"code":403,"message":"Forbidden"}}`)
					return
				}
				_, _ = fmt.Fprint(w, tt.answer)
			})
			p := devProfile(profiles.FlowDevice)
			rep, err := Claims(context.Background(), deps(mux, silent{tok: &flows.Tokens{AccessToken: raw}}), ClaimsInput{Profile: &p, NoVerify: tt.noVerify})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.ID == claims.IDAudience && f.Severity != tt.severity {
					t.Errorf("audience %v (%s), want %v", f.Severity, f.Message, tt.severity)
				}
			}
			if tt.noVerify && asked != 0 {
				t.Errorf("--no-verify asked CDF %d time(s)", asked)
			}
		})
	}
}

func TestListenFree(t *testing.T) {
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Skipf("no loopback: %v", err)
	}
	defer func() { _ = ln.Close() }()
	port := ln.Addr().(*net.TCPAddr).Port
	err = listenFree(port)
	var inUse *loopback.PortInUseError
	if !errors.As(err, &inUse) || inUse.Port != port {
		t.Errorf("port %d is taken but listenFree says %v", port, err)
	}
	_ = ln.Close()
	if err := listenFree(port); err != nil {
		t.Errorf("port %d was released but listenFree says %v", port, err)
	}
}

func TestCertificateCheck(t *testing.T) {
	info := flows.CertInfo{Subject: "CN=cdf-app", Format: "PEM", SHA1: "AB12", NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)}
	with := func(f func(*flows.CertInfo)) flows.CertInfo { i := info; f(&i); return i }
	tests := []struct {
		name   string
		info   flows.CertInfo
		err    error
		status Status
		say    string
	}{
		{"valid", info, nil, StatusOK, "thumbprint AB12"},
		{"expiring", with(func(i *flows.CertInfo) { i.NotAfter = now.Add(72 * time.Hour) }), nil, StatusWarn, "expires in 3 days"},
		{"expired", with(func(i *flows.CertInfo) { i.NotAfter = now.Add(-time.Hour) }), nil, StatusFail, "expired 1 h ago"},
		{"not yet valid", with(func(i *flows.CertInfo) { i.NotBefore = now.Add(time.Hour) }), nil, StatusFail, "not valid before"},
		{"unreadable", flows.CertInfo{}, errors.New("certificate: open /x.pem: no such file"), StatusFail, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := &doctor{p: devProfile(profiles.FlowCertificate), d: Deps{Now: func() time.Time { return now },
				CertInfo: func(profiles.Profile) (flows.CertInfo, error) { return tt.info, tt.err }}}
			dr.certificate()
			if len(dr.checks) != 1 {
				t.Fatalf("checks: %+v", dr.checks)
			}
			c := dr.checks[0]
			if c.ID != CheckCertificate || c.Status != tt.status || !strings.Contains(c.Message, tt.say) {
				t.Errorf("got %+v, want %s saying %q", c, tt.status, tt.say)
			}
			if c.Status != StatusOK && c.Fix == "" {
				t.Error("no fix")
			}
		})
	}
}

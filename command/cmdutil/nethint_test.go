package cmdutil

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

// realTLSError is what Go's client really returns for a server whose CA
// is not trusted.
func realTLSError(t *testing.T) error {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(srv.URL)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("an untrusted server was accepted")
	}
	return err
}

// realRefused is what dialing a closed port really returns.
func realRefused(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	conn, err := net.Dial("tcp", addr)
	if err == nil {
		_ = conn.Close()
		t.Skip("the closed port was taken again")
	}
	return &url.Error{Op: "Post", URL: "https://" + addr + "/tid/oauth2/v2.0/token", Err: err}
}

// TestNetworkErrors: Error gives a failure to reach Entra ID or CDF
// nethint's advice with the profile's name, ca_file and addresses, keeps
// the error line and the chain, and leaves other errors' own details
// alone.
func TestNetworkErrors(t *testing.T) {
	tlsErr := realTLSError(t)
	entra := func(err error) error {
		return &flows.NetworkError{Op: `request a new token with the client secret of profile "dev"`, Err: err}
	}
	tests := []struct {
		name    string
		err     error
		caFile  string
		want    nethint.Kind // None: not hinted
		details []string     // in Details()
	}{
		{"unknown CA from Entra, real", entra(tlsErr), "", nethint.UnknownCA,
			[]string{"Cannot reach Entra ID at 127.0.0.1:", "profiles.dev.ca_file", "cdflogin profile edit dev --ca-file", "SSL_CERT_FILE", "TLS-inspecting", "HTTPS_PROXY"}},
		{"unknown CA, flattened by MSAL", entra(errors.New(`Post "https://login.microsoftonline.com/tid/oauth2/v2.0/token": tls: failed to verify certificate: x509: certificate signed by unknown authority`)), "",
			nethint.UnknownCA, []string{"Cannot reach Entra ID at login.microsoftonline.com: untrusted certificate"}},
		{"unknown CA with a ca_file", entra(tlsErr), "/etc/proxy-ca.pem", nethint.UnknownCA, []string{"now /etc/proxy-ca.pem"}},
		{"unknown CA talking to CDF", &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Err: tlsErr}, "", nethint.UnknownCA,
			[]string{"Cannot reach CDF at 127.0.0.1:", "profiles.dev.ca_file"}},
		{"refused, real", entra(realRefused(t)), "", nethint.Refused, []string{"Cannot reach Entra ID at 127.0.0.1:", "connection refused", "authority"}},
		{"Entra error with no host: the profile's authority", entra(errors.New("dial tcp: connection refused")), "", nethint.Refused,
			[]string{"Cannot reach Entra ID at login.microsoftonline.com: connection refused"}},
		{"Entra 503", entra(errors.New("HTTP 503 from login.microsoftonline.com")), "", nethint.Unavailable, []string{"Retry in a minute"}},
		{"other network failure", entra(errors.New("something odd")), "", nethint.Other, []string{"Cannot reach Entra ID", "HTTPS_PROXY"}},
		{"CDF refused the token: its own details", &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Status: 401}, "", nethint.None,
			[]string{"cdflogin claims"}},
		{"browser wait ran out: its own details", fmt.Errorf("browser sign-in: %w", &loopback.TimeoutError{Timeout: 5 * time.Minute, Addr: "localhost:53127"}), "",
			nethint.None, []string{"AADSTS50011"}},
		{"something else answered for Entra: its own message", &flows.AnswerError{Op: "sign in", Expected: "a token response", Problem: "an HTML page"}, "",
			nethint.None, nil},
		{"not network: EOF in a file", errors.New("read token cache: unexpected EOF"), "", nethint.None, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profiles.Profile{Name: "dev", ClientID: "app-id", Tenant: "tid", Cluster: "westeurope-1", Flow: profiles.FlowSecret, CAFile: tt.caFile}
			got := FlowError(tt.err, p, p.Flow)
			if !errors.Is(got, tt.err) {
				t.Errorf("the cause left the chain")
			}
			if got.Error() != tt.err.Error() {
				t.Errorf("the error line changed: %q", got.Error())
			}
			var h *Hinted
			if hinted := errors.As(got, &h); hinted != (tt.want != nethint.None) {
				t.Fatalf("hinted = %v, want %v", hinted, tt.want != nethint.None)
			}
			if h != nil && h.Advice.Kind != tt.want {
				t.Errorf("kind %q, want %q", h.Advice.Kind, tt.want)
			}
			var d Detailer
			if !errors.As(got, &d) {
				if tt.details != nil {
					t.Fatal("no details")
				}
				return
			}
			for _, s := range tt.details {
				if !strings.Contains(strings.Join(strings.Fields(d.Details()), " "), s) {
					t.Errorf("details do not say %q:\n%s", s, d.Details())
				}
			}
		})
	}
}

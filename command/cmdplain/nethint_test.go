package cmdplain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/cognite-tools/cdflogin/cdf"
	"github.com/cognite-tools/cdflogin/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// realTLSError is what Go's client really returns for a server whose CA
// is not trusted.
func realTLSError(t *testing.T) (*x509.Certificate, error) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}
	resp, err := c.Get(srv.URL)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("an untrusted server was accepted")
	}
	c.CloseIdleConnections()
	return srv.Certificate(), err
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

func TestNetworkHint(t *testing.T) {
	cert, tlsErr := realTLSError(t)
	entra := func(err error) error {
		return &flows.NetworkError{Op: `request a new token with the client secret of profile "dev"`, Err: err}
	}
	dnsErr := &url.Error{Op: "Get", URL: "https://login.example.invalid/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.example.invalid", IsNotFound: true}}}
	tests := []struct {
		name   string
		err    error
		caFile string
		want   NetProblem
		says   []string
	}{
		{"unknown CA, real chain", entra(tlsErr), "", NetUnknownCA, []string{"ca_file", "profiles.dev.ca_file", "SSL_CERT_FILE", "TLS-inspecting", "HTTPS_PROXY"}},
		{"unknown CA, flattened by MSAL", entra(errors.New(`Post "https://login.microsoftonline.com/tid/oauth2/v2.0/token": tls: failed to verify certificate: x509: certificate signed by unknown authority`)), "", NetUnknownCA, []string{"ca_file", "SSL_CERT_FILE"}},
		{"unknown CA with a ca_file", entra(tlsErr), "/etc/proxy-ca.pem", NetUnknownCA, []string{"/etc/proxy-ca.pem", "SSL_CERT_FILE"}},
		{"unknown CA talking to CDF", &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Err: tlsErr}, "", NetUnknownCA, []string{"ca_file", "SSL_CERT_FILE"}},
		{"wrong host name", entra(&url.Error{Op: "Get", URL: "https://x", Err: x509.HostnameError{Certificate: cert, Host: "login.example.com"}}), "", NetCertificate, []string{"host", "clock", "SSL_CERT_FILE"}},
		{"expired certificate", entra(x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}), "", NetCertificate, []string{"clock", "ca_file"}},
		{"tls alert", entra(&net.OpError{Op: "remote error", Err: tls.AlertError(40)}), "", NetTLS, []string{"handshake", "HTTPS_PROXY"}},
		{"dns", entra(dnsErr), "", NetDNS, []string{"resolved", "authority", "DNS"}},
		{"dns to CDF", &cdf.Error{Method: "GET", Path: "/api/v1/token/inspect", Err: dnsErr.Err}, "", NetDNS, []string{"cdf_url"}},
		{"refused, real", entra(realRefused(t)), "", NetRefused, []string{"refused", "HTTPS_PROXY"}},
		{"timeout", entra(&url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}}), "", NetTimeout, []string{"No answer in time", "HTTPS_PROXY"}},
		{"client timeout, flattened", entra(errors.New(`Post "https://x": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)), "", NetTimeout, []string{"retry"}},
		{"context deadline", fmt.Errorf("sign in: %w", context.DeadlineExceeded), "", NetTimeout, []string{"No answer in time"}},
		{"reset", entra(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "", NetReset, []string{"cut", "HTTPS_PROXY"}},
		{"Entra 503", entra(errors.New("HTTP 503 from login.microsoftonline.com")), "", NetUnavailable, []string{"retry in a minute", "status", "proxy"}},
		{"Entra 429", entra(errors.New("HTTP 429 from login.microsoftonline.com")), "", NetUnavailable, []string{"too many requests"}},
		{"other network", entra(errors.New("something odd")), "", NetOther, []string{"HTTPS_PROXY", "ca_file"}},
		{"not network: EOF in a file", errors.New("read token cache: unexpected EOF"), "", NetNone, nil},
		{"not network: x509 text alone", errors.New("parse ca_file: x509: malformed certificate"), "", NetNone, nil},
		{"not network: plain", errors.New("disk full"), "", NetNone, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyNetwork(tt.err); got != tt.want {
				t.Fatalf("ClassifyNetwork = %q, want %q (err: %v)", got, tt.want, tt.err)
			}
			p := profiles.Profile{Name: "dev", ClientID: "app-id", Tenant: "tid", Flow: profiles.FlowSecret, CAFile: tt.caFile}
			got := Error(tt.err, p, p.Flow)
			if !errors.Is(got, tt.err) {
				t.Errorf("the cause left the chain")
			}
			if got.Error() != tt.err.Error() {
				t.Errorf("the error line changed: %q", got.Error())
			}
			var d cmdutil.Detailer
			if has := errors.As(got, &d); has != (tt.want != NetNone) {
				t.Fatalf("has details = %v, want %v", has, tt.want != NetNone)
			}
			if d == nil {
				return
			}
			if strings.Contains(d.Details(), "\n") {
				t.Errorf("the hint is more than one line: %q", d.Details())
			}
			for _, s := range tt.says {
				if !strings.Contains(d.Details(), s) {
					t.Errorf("hint %q does not say %q", d.Details(), s)
				}
			}
		})
	}
}

package flows

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // thumbprint
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

type testCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
	pem  []byte // CERTIFICATE + PRIVATE KEY
	pfx  []byte // password "pfx-pass"
}

var (
	testCertsOnce sync.Once
	testCerts     [2]testCert
	testCertsErr  error
)

// newTestCert returns one of two certificates generated once per test
// binary (RSA key generation is slow on a busy machine); i is 0 or 1.
func newTestCert(t testing.TB, i int) testCert {
	t.Helper()
	testCertsOnce.Do(func() {
		for j := range testCerts {
			testCerts[j], testCertsErr = generateTestCert()
			if testCertsErr != nil {
				return
			}
		}
	})
	if testCertsErr != nil {
		t.Fatal(testCertsErr)
	}
	return testCerts[i]
}

func generateTestCert() (testCert, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return testCert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "cdflogin-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return testCert{}, err
	}
	cert, _ := x509.ParseCertificate(der)
	pk8, _ := x509.MarshalPKCS8PrivateKey(key)
	pemData := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8})...)
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, "pfx-pass")
	if err != nil {
		return testCert{}, err
	}
	return testCert{cert: cert, key: key, pem: pemData, pfx: pfx}, nil
}

func TestCertificateLoginAndInfo(t *testing.T) {
	tc := newTestCert(t, 0)
	dir := t.TempDir()
	pemPath := filepath.Join(dir, "app.pem")
	pfxPath := filepath.Join(dir, "app.pfx")
	if err := os.WriteFile(pemPath, tc.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pfxPath, tc.pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(tc.cert.Raw) //nolint:gosec // thumbprint
	wantSHA1 := strings.ToUpper(hex.EncodeToString(sum[:]))

	for _, c := range []struct {
		name, path, password string
	}{
		{"PEM", pemPath, ""},
		{"PFX", pfxPath, "env:PFX_PASS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.svc.deps.Secret = func(p profiles.Profile, field string) (string, error) {
				if field == "certificate_password" && p.CertificatePassword == "env:PFX_PASS" {
					return "pfx-pass", nil
				}
				return "", fmt.Errorf("%s not set", field)
			}
			p := h.profile(profiles.FlowCertificate)
			p.Certificate = c.path
			p.CertificatePassword = c.password

			info, err := CertificateInfo(p, h.svc.deps)
			if err != nil {
				t.Fatalf("CertificateInfo: %v", err)
			}
			if info.SHA1 != wantSHA1 || len(info.SHA256) != 64 || info.Format != c.name || !strings.Contains(info.Subject, "cdflogin-test") || info.X5TS256 == "" {
				t.Fatalf("info = %+v", info)
			}
			h.entra.set(func(f *fakeEntra) { f.certX5T = info.X5TS256 })

			tok, err := h.svc.Login(ctxT(t), p, "", nil)
			if err != nil || tok.AccessToken == "" || tok.Flow != profiles.FlowCertificate {
				t.Fatalf("Login = %+v, %v", tok, err)
			}
			again, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
			if err != nil || !again.FromCache {
				t.Fatalf("Silent = %+v, %v", again, err)
			}

			// A certificate the app registration does not know.
			h.entra.set(func(f *fakeEntra) { f.certX5T = "other" })
			_, err = h.svc.Silent(ctxT(t), p, SilentOptions{Force: true})
			var ae *aadsts.Error
			if !errors.As(err, &ae) || ae.AADSTS() != 700027 {
				t.Fatalf("err = %v, want AADSTS700027", err)
			}
		})
	}
}

func TestCertificateErrors(t *testing.T) {
	tc := newTestCert(t, 0)
	other := newTestCert(t, 1)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	certOnly := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tc.cert.Raw})
	mismatched := append(append([]byte{}, certOnly...), other.pem[len(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.cert.Raw})):]...)
	tests := []struct {
		name     string
		path     string
		password string
		want     string
	}{
		{"no file set", "", "", "no certificate file"},
		{"missing file", filepath.Join(dir, "nope.pem"), "", "read certificate"},
		{"cert without key", write("c.pem", certOnly), "", "no private key"},
		{"key of another cert", write("m.pem", mismatched), "", "does not belong"},
		{"EC key", write("ec.pem", append(append([]byte{}, certOnly...), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})...)), "", "RSA"},
		{"garbage", write("g.bin", []byte("not a certificate")), "", "not a PEM file"},
		{"PFX wrong password", write("a.pfx", tc.pfx), "env:WRONG", "wrong password"},
		{"PFX password unresolvable", write("b.pfx", tc.pfx), "env:UNSET", "certificate_password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profiles.Profile{Name: "app", Certificate: tt.path, CertificatePassword: tt.password}
			deps := Deps{Secret: func(_ profiles.Profile, field string) (string, error) {
				if tt.password == "env:WRONG" {
					return "wrong", nil
				}
				return "", errors.New("not set")
			}}
			_, err := CertificateInfo(p, deps)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "pfx-pass") || strings.Contains(err.Error(), "PRIVATE KEY-----\nMI") {
				t.Fatalf("error leaks secret material: %v", err)
			}
		})
	}
}

// FuzzParseCertificate checks that no file content makes the certificate
// parser panic.
func FuzzParseCertificate(f *testing.F) {
	tc := newTestCert(f, 0)
	f.Add(tc.pem, "")
	f.Add(tc.pfx, "pfx-pass")
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		chain, _, err := parseCertificate(data, password)
		if err == nil {
			if _, err := matchingCert(chain); err != nil && len(chain.certs) == 0 {
				t.Fatalf("parsed a chain without certificates")
			}
		}
	})
}

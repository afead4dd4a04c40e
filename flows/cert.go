package flows

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SHA-1 is the thumbprint Entra shows; not used for security.
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/cognite-tools/cdflogin/profiles"
)

// CertInfo describes the certificate of a certificate profile, for
// matching against the app registration (Certificates & secrets ›
// Certificates shows the SHA-1 thumbprint).
type CertInfo struct {
	Path      string
	Format    string // "PEM" or "PFX"
	Subject   string
	Issuer    string
	Serial    string
	NotBefore time.Time
	NotAfter  time.Time
	// SHA1 is the thumbprint as the Entra admin center shows it
	// (upper-case hex).
	SHA1 string
	// SHA256 is the SHA-256 thumbprint (upper-case hex).
	SHA256 string
	// X5TS256 is the SHA-256 thumbprint as MSAL sends it in the client
	// assertion header x5t#S256 (standard base64).
	X5TS256 string
}

// CertificateInfo loads the profile's certificate (and key, to check they
// match) and describes it. It makes no network request.
func CertificateInfo(p profiles.Profile, deps Deps) (CertInfo, error) {
	cert, _, format, err := loadCertificate(p, deps)
	if err != nil {
		return CertInfo{}, err
	}
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // thumbprint, not security
	s256 := sha256.Sum256(cert.Raw)
	return CertInfo{
		Path:      p.Certificate,
		Format:    format,
		Subject:   cert.Subject.String(),
		Issuer:    cert.Issuer.String(),
		Serial:    cert.SerialNumber.Text(16),
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
		SHA1:      strings.ToUpper(hex.EncodeToString(s1[:])),
		SHA256:    strings.ToUpper(hex.EncodeToString(s256[:])),
		X5TS256:   base64.StdEncoding.EncodeToString(s256[:]),
	}, nil
}

// certCredential builds MSAL's credential from the profile's certificate.
func certCredential(p profiles.Profile, deps Deps) (confidential.Credential, error) {
	_, chain, _, err := loadCertificate(p, deps)
	if err != nil {
		return confidential.Credential{}, err
	}
	cred, err := confidential.NewCredFromCert(chain.certs, chain.key)
	if err != nil {
		return confidential.Credential{}, fmt.Errorf("profile %q: certificate %s: %w", p.Name, p.Certificate, err)
	}
	return cred, nil
}

type certChain struct {
	certs []*x509.Certificate
	key   crypto.PrivateKey
}

// loadCertificate reads a PEM (CERTIFICATE + RSA key) or PFX file and
// returns the certificate that matches the key.
func loadCertificate(p profiles.Profile, deps Deps) (*x509.Certificate, certChain, string, error) {
	if p.Certificate == "" {
		return nil, certChain{}, "", fmt.Errorf("profile %q has no certificate file: set certificate to a PEM or PFX file", p.Name)
	}
	data, err := profiles.ReadFileRef("certificate", p.Certificate)
	if err != nil {
		return nil, certChain{}, "", fmt.Errorf("profile %q: read certificate: %w", p.Name, err)
	}
	password := ""
	if p.CertificatePassword != "" {
		password, err = resolveSecret(p, deps, "certificate_password")
		if err != nil {
			return nil, certChain{}, "", err
		}
	}
	chain, format, err := parseCertificate(data, password)
	if err != nil {
		return nil, certChain{}, "", fmt.Errorf("profile %q: certificate %s: %w", p.Name, p.Certificate, err)
	}
	leaf, err := matchingCert(chain)
	if err != nil {
		return nil, certChain{}, "", fmt.Errorf("profile %q: certificate %s: %w", p.Name, p.Certificate, err)
	}
	return leaf, chain, format, nil
}

// parseCertificate decodes a PEM file (CERTIFICATE blocks and an
// unencrypted RSA key, PKCS#1 or PKCS#8) or a PKCS#12/PFX file. Error
// messages never include the file's bytes or the password.
func parseCertificate(data []byte, password string) (certChain, string, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		certs, key, err := confidential.CertFromPEM(data, "")
		if err != nil {
			return certChain{}, "PEM", fmt.Errorf("PEM file: %w (it must hold a CERTIFICATE block and an unencrypted RSA PRIVATE KEY or PRIVATE KEY block)", err)
		}
		if _, ok := key.(*rsa.PrivateKey); !ok {
			return certChain{}, "PEM", fmt.Errorf("PEM file: the private key is %T; Entra client assertions from cdflogin need an RSA key", key)
		}
		return certChain{certs: certs, key: key}, "PEM", nil
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return certChain{}, "PFX", errors.New("PFX file: wrong password (certificate_password)")
		}
		return certChain{}, "PFX", fmt.Errorf("not a PEM file, and not a readable PFX file: %w", err)
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return certChain{}, "PFX", fmt.Errorf("PFX file: the private key is %T; Entra client assertions from cdflogin need an RSA key", key)
	}
	return certChain{certs: append([]*x509.Certificate{cert}, cas...), key: key}, "PFX", nil
}

// matchingCert returns the certificate whose public key is the chain's key.
func matchingCert(c certChain) (*x509.Certificate, error) {
	k, ok := c.key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key")
	}
	for _, cert := range c.certs {
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.E == k.E && pub.N.Cmp(k.N) == 0 {
			return cert, nil
		}
	}
	return nil, errors.New("the private key does not belong to any certificate in the file")
}

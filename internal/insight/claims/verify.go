package claims

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
)

// OIDCConfig is the part of an OpenID Connect discovery document cdflogin
// uses.
type OIDCConfig struct {
	Issuer                      string `json:"issuer"`
	AuthorizationEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	JWKSURI                     string `json:"jwks_uri"`
}

// HTTPError is a non-2xx answer from the authority. Error() ends with the
// answer's body after a newline (as MSAL's errors do), so that an Entra
// error body (AADSTS90002 for an unknown tenant) can be parsed from it.
type HTTPError struct {
	URL    string
	Status int
	Body   string // at most 4 KiB
}

// Error is the request, the status and (after a newline) the body.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: reply status code was %d:\n%s", e.URL, e.Status, e.Body)
}

const maxDocBytes = 1 << 20

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("build request for %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes))
	if err != nil {
		return fmt.Errorf("read %s: %w", url, err)
	}
	if resp.StatusCode/100 != 2 {
		b := string(body)
		if len(b) > 4096 {
			b = b[:4096]
		}
		return &HTTPError{URL: url, Status: resp.StatusCode, Body: b}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: the answer is not the expected JSON: %w", url, err)
	}
	return nil
}

// DiscoveryURL is where the OIDC discovery document of an authority
// (https://login.microsoftonline.com/<tenant>) lives.
func DiscoveryURL(authority string) string {
	return strings.TrimRight(authority, "/") + "/v2.0/.well-known/openid-configuration"
}

// Discover fetches the authority's OIDC discovery document. An unknown
// tenant gives an *HTTPError whose body carries AADSTS90002.
func Discover(ctx context.Context, client *http.Client, authority string) (*OIDCConfig, error) {
	var cfg OIDCConfig
	if err := getJSON(ctx, client, DiscoveryURL(authority), &cfg); err != nil {
		return nil, fmt.Errorf("OIDC discovery of %s: %w", authority, err)
	}
	if cfg.JWKSURI == "" || cfg.TokenEndpoint == "" {
		return nil, fmt.Errorf("OIDC discovery of %s: the document has no jwks_uri or token_endpoint", authority)
	}
	return &cfg, nil
}

// JWK is one public key of a JWKS.
type JWK struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	Use string   `json:"use,omitempty"`
	Alg string   `json:"alg,omitempty"`
	N   string   `json:"n,omitempty"`
	E   string   `json:"e,omitempty"`
	Crv string   `json:"crv,omitempty"`
	X   string   `json:"x,omitempty"`
	Y   string   `json:"y,omitempty"`
	X5c []string `json:"x5c,omitempty"`
	X5t string   `json:"x5t,omitempty"`
}

// JWKS is a key set as published at an issuer's jwks_uri.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// ParseJWKS reads a JWKS document.
func ParseJWKS(data []byte) (*JWKS, error) {
	var set JWKS
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("JWKS is not valid JSON: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New("JWKS has no keys member")
	}
	return &set, nil
}

// FetchJWKS downloads the key set at uri.
func FetchJWKS(ctx context.Context, client *http.Client, uri string) (*JWKS, error) {
	var set JWKS
	if err := getJSON(ctx, client, uri, &set); err != nil {
		return nil, fmt.Errorf("fetch signing keys: %w", err)
	}
	return &set, nil
}

// PublicKey returns the key's RSA or ECDSA public key.
func (k JWK) PublicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		if k.N == "" && len(k.X5c) > 0 {
			return certKey(k.X5c[0])
		}
		n, err := b64(k.N)
		if err != nil || len(n) == 0 {
			return nil, fmt.Errorf("key %s: bad modulus", k.Kid)
		}
		e, err := b64(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("key %s: bad exponent", k.Kid)
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 {
			return nil, fmt.Errorf("key %s: bad exponent", k.Kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("key %s: unsupported curve %q", k.Kid, k.Crv)
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("key %s: bad coordinates", k.Kid)
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, fmt.Errorf("key %s: bad coordinates", k.Kid)
		}
		raw := append([]byte{4}, append(x, y...)...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.Kid, err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("key %s: unsupported key type %q", k.Kid, k.Kty)
}

func certKey(b64der string) (crypto.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(b64der)
	if err != nil {
		return nil, fmt.Errorf("x5c is not base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("x5c: %w", err)
	}
	return cert.PublicKey, nil
}

// ErrUnverifiable means the token's signature cannot be checked outside
// its audience (Microsoft Graph tokens carry a nonce in the header).
var ErrUnverifiable = errors.New("signature can only be checked by the token's audience")

// Verify checks the token's signature with the key of the set its kid (or
// x5t) names. It does not look at any claim.
func (s *JWKS) Verify(tok *Token) error {
	if tok.HeaderString("nonce") != "" {
		return ErrUnverifiable
	}
	alg := tok.HeaderString("alg")
	kid, x5t := tok.HeaderString("kid"), tok.HeaderString("x5t")
	var key *JWK
	for i := range s.Keys {
		k := &s.Keys[i]
		if (kid != "" && k.Kid == kid) || (kid == "" && x5t != "" && (k.X5t == x5t || k.Kid == x5t)) {
			key = k
			break
		}
	}
	if key == nil {
		return fmt.Errorf("no key with kid %q in the issuer's key set (%d keys)", kid, len(s.Keys))
	}
	pub, err := key.PublicKey()
	if err != nil {
		return err
	}
	return verifySig(alg, pub, []byte(tok.signing), tok.sig)
}

func verifySig(alg string, pub crypto.PublicKey, signed, sig []byte) error {
	var h crypto.Hash
	switch alg[min(2, len(alg)):] {
	case "256":
		h = crypto.SHA256
	case "384":
		h = crypto.SHA384
	case "512":
		h = crypto.SHA512
	default:
		return fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	hasher := h.New()
	hasher.Write(signed)
	digest := hasher.Sum(nil)
	switch {
	case strings.HasPrefix(alg, "RS"):
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA key", alg)
		}
		if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
			return errors.New("the signature does not match the issuer's key")
		}
		return nil
	case strings.HasPrefix(alg, "PS"):
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA key", alg)
		}
		if err := rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			return errors.New("the signature does not match the issuer's key")
		}
		return nil
	case strings.HasPrefix(alg, "ES"):
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an EC key", alg)
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return errors.New("the signature does not match the issuer's key")
		}
		r := new(big.Int).SetBytes(sig[:size])
		sv := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(k, digest, r, sv) {
			return errors.New("the signature does not match the issuer's key")
		}
		return nil
	}
	return fmt.Errorf("unsupported signing algorithm %q", alg)
}

// VerifySignature finds the signing keys by OIDC discovery of authority
// and checks the token's signature. The result is a Finding, never a gate:
// a failed check is reported, the token is still shown.
func VerifySignature(ctx context.Context, client *http.Client, authority string, tok *Token) Finding {
	cfg, err := Discover(ctx, client, authority)
	if err != nil {
		return Finding{SeverityWarn, IDSignature, "signature not checked: " + firstLine(err.Error()), "Check that the profile's authority/tenant is right and that " + DiscoveryURL(authority) + " can be reached"}
	}
	return VerifySignatureWith(ctx, client, cfg, authority, tok)
}

// VerifySignatureWith is VerifySignature with the authority's discovery
// document already fetched (saves a request when the caller has it).
func VerifySignatureWith(ctx context.Context, client *http.Client, cfg *OIDCConfig, authority string, tok *Token) Finding {
	set, err := FetchJWKS(ctx, client, cfg.JWKSURI)
	if err != nil {
		return Finding{SeverityWarn, IDSignature, "signature not checked: " + firstLine(err.Error()), "Check that " + cfg.JWKSURI + " can be reached"}
	}
	switch err := set.Verify(tok); {
	case errors.Is(err, ErrUnverifiable):
		return Finding{SeverityInfo, IDSignature, "signature not checked: the header has a nonce, as Microsoft Graph tokens do; only Graph can check it", "Ask for a token for CDF (<cdf_url>/.default), not for Graph"}
	case err != nil:
		return Finding{SeverityError, IDSignature, fmt.Sprintf("the signature does not verify against %s's keys: %v", authority, err), "The token was not issued by this profile's authority (another tenant or cloud) or was altered; sign in again with the right authority"}
	}
	return Finding{SeverityOK, IDSignature, fmt.Sprintf("signature verified (%s, key %s) against the keys of %s", tok.HeaderString("alg"), tok.HeaderString("kid"), authority), ""}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimRight(s[:i], ": ")
	}
	return s
}

// Package claimstest crafts Entra-shaped JWTs for tests: unsigned ones for
// decoding and checks, and RS256-signed ones with a matching JWKS for
// signature verification. It is for tests only.
package claimstest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"
)

// Encode builds header.payload.signature from JSON-able values, with sig
// as the signature bytes.
func Encode(header, payload any, sig []byte) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("payload: %w", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(p) + "." + enc.EncodeToString(sig), nil
}

// Unsigned returns a token with an RS256 header and a dummy signature: it
// decodes, but does not verify.
func Unsigned(payload any) string {
	s, err := Encode(map[string]any{"typ": "JWT", "alg": "RS256", "kid": "test-unsigned"}, payload, []byte("not-a-signature"))
	if err != nil {
		panic(err) // payloads in tests are literals
	}
	return s
}

// Signer signs tokens with one RSA key and publishes it as a JWKS.
type Signer struct {
	Key *rsa.PrivateKey
	Kid string
}

// NewSigner makes a Signer with a fresh 2048-bit key.
func NewSigner(kid string) (*Signer, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return &Signer{Key: k, Kid: kid}, nil
}

// Sign returns an RS256 JWT of payload with the Signer's kid.
func (s *Signer) Sign(payload any) (string, error) {
	return s.SignHeader(map[string]any{"typ": "JWT", "alg": "RS256", "kid": s.Kid}, payload)
}

// SignHeader signs with RS256 under a header of your own.
func (s *Signer) SignHeader(header, payload any) (string, error) {
	unsigned, err := Encode(header, payload, nil)
	if err != nil {
		return "", err
	}
	signing := unsigned[:len(unsigned)-1] // drop the trailing "."
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// JWKS returns the key set document with the Signer's public key.
func (s *Signer) JWKS() []byte {
	enc := base64.RawURLEncoding
	doc := map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "kid": s.Kid,
		"n": enc.EncodeToString(s.Key.N.Bytes()),
		"e": enc.EncodeToString(big.NewInt(int64(s.Key.E)).Bytes()),
	}}}
	b, _ := json.Marshal(doc)
	return b
}

// Fixed IDs used by the fixtures.
const (
	TenantID  = "8f0c6f5e-3a2b-4c1d-9e8f-0a1b2c3d4e5f"
	ClientID  = "4a2c1d3e-5b6f-4789-8a9b-0c1d2e3f4a5b"
	UserOID   = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
	GroupA    = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	GroupB    = "6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c"
	AppSPOID  = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	CDFURL    = "https://westeurope-1.cognitedata.com"
	UserEmail = "alice@contoso.example"
)

// V2User is the payload of a real-shaped Entra v2.0 user access token for
// CDF, issued at now and valid for an hour.
func V2User(now time.Time) map[string]any {
	iat := now.Unix()
	return map[string]any{
		"aud": CDFURL, "iss": "https://login.microsoftonline.com/" + TenantID + "/v2.0",
		"iat": iat, "nbf": iat, "exp": iat + 3600,
		"aio": "AXQAi/8YAAAA", "azp": ClientID, "azpacr": "0",
		"groups": []string{GroupA, GroupB}, "name": "Alice Example", "oid": UserOID,
		"preferred_username": UserEmail, "rh": "1.AR8A", "scp": "IDENTITY user_impersonation",
		"sid": "00a1b2c3-d4e5-4f60-8172-839405a6b7c8", "sub": "mJ0c2VyX3N1YmplY3Q", "tid": TenantID,
		"uti": "pQrStUvWxYz", "ver": "2.0",
	}
}

// V1App is the payload of a real-shaped Entra v1.0 application
// (client credentials) access token for CDF, issued at now.
func V1App(now time.Time) map[string]any {
	iat := now.Unix()
	return map[string]any{
		"aud": CDFURL, "iss": "https://sts.windows.net/" + TenantID + "/",
		"iat": iat, "nbf": iat, "exp": iat + 3599,
		"aio": "E2ZgYJg", "appid": ClientID, "appidacr": "1", "groups": []string{GroupA},
		"idp": "https://sts.windows.net/" + TenantID + "/", "idtyp": "app", "oid": AppSPOID,
		"rh": "0.AR8A", "sub": AppSPOID, "tid": TenantID, "uti": "AbCdEf", "ver": "1.0",
	}
}

// With returns a copy of payload with the given claims set; a nil value
// removes the claim.
func With(payload map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(payload))
	for k, v := range payload {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

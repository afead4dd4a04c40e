package claims_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
)

// fakeIssuer serves OIDC discovery and a JWKS for tenant "good"; other
// tenants get Entra's AADSTS90002 answer.
func fakeIssuer(t *testing.T, jwks []byte) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good/v2.0/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{
				"issuer": srv.URL + "/good/v2.0", "token_endpoint": srv.URL + "/good/oauth2/v2.0/token",
				"authorization_endpoint": srv.URL + "/good/oauth2/v2.0/authorize", "jwks_uri": srv.URL + "/good/keys",
			})
		case "/nokeys/v2.0/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"token_endpoint": srv.URL + "/t", "jwks_uri": srv.URL + "/missing"})
		case "/good/keys":
			_, _ = w.Write(jwks)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'bad' not found.","error_codes":[90002]}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestVerifySignature(t *testing.T) {
	signer, err := claimstest.NewSigner("key-1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := claimstest.NewSigner("key-1")
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeIssuer(t, signer.JWKS())
	good, err := signer.Sign(claimstest.V2User(now))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Sign(claimstest.V2User(now))
	if err != nil {
		t.Fatal(err)
	}
	unknownKid, err := signer.SignHeader(map[string]any{"alg": "RS256", "kid": "key-2"}, claimstest.V2User(now))
	if err != nil {
		t.Fatal(err)
	}
	graph, err := signer.SignHeader(map[string]any{"alg": "RS256", "kid": "key-1", "nonce": "abc"}, claimstest.V2User(now))
	if err != nil {
		t.Fatal(err)
	}
	// Same header and signature, altered payload.
	parts := strings.Split(good, ".")
	altered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"x"}`)) + "." + parts[2]

	tests := []struct {
		name, authority, token string
		sev                    claims.Severity
		say                    string
	}{
		{"valid", srv.URL + "/good", good, claims.SeverityOK, "signature verified (RS256, key key-1)"},
		{"valid trailing slash", srv.URL + "/good/", good, claims.SeverityOK, "verified"},
		{"other key", srv.URL + "/good", forged, claims.SeverityError, "does not match"},
		{"altered", srv.URL + "/good", altered, claims.SeverityError, "does not match"},
		{"unknown kid", srv.URL + "/good", unknownKid, claims.SeverityError, `no key with kid "key-2"`},
		{"graph nonce", srv.URL + "/good", graph, claims.SeverityInfo, "nonce"},
		{"unknown tenant", srv.URL + "/bad", good, claims.SeverityWarn, "reply status code was 400"},
		{"jwks missing", srv.URL + "/nokeys", good, claims.SeverityWarn, "fetch signing keys"},
		{"unreachable", "https://127.0.0.1:1/good", good, claims.SeverityWarn, "signature not checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := claims.Decode(tt.token)
			if err != nil {
				t.Fatal(err)
			}
			f := claims.VerifySignature(context.Background(), srv.Client(), tt.authority, tok)
			if f.ID != claims.IDSignature || f.Severity != tt.sev || !strings.Contains(f.Message, tt.say) {
				t.Errorf("got %+v, want %v saying %q", f, tt.sev, tt.say)
			}
		})
	}
}

func TestDiscoverUnknownTenantKeepsBody(t *testing.T) {
	srv := fakeIssuer(t, []byte(`{"keys":[]}`))
	_, err := claims.Discover(context.Background(), srv.Client(), srv.URL+"/bad")
	var he *claims.HTTPError
	if !errors.As(err, &he) || he.Status != 400 || !strings.Contains(err.Error(), "\n{\"error\":\"invalid_tenant\"") {
		t.Fatalf("err = %v", err)
	}
	cfg, err := claims.Discover(context.Background(), srv.Client(), srv.URL+"/good")
	if err != nil || cfg.JWKSURI != srv.URL+"/good/keys" {
		t.Fatalf("cfg = %+v, %v", cfg, err)
	}
}

func TestJWKSES256AndErrors(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	b := base64.RawURLEncoding
	set := &claims.JWKS{Keys: []claims.JWK{{Kty: "EC", Kid: "ec", Crv: "P-256", X: b.EncodeToString(pub[1:33]), Y: b.EncodeToString(pub[33:])}}}
	signing := b.EncodeToString([]byte(`{"alg":"ES256","kid":"ec"}`)) + "." + b.EncodeToString([]byte(`{"sub":"x"}`))
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	tok, err := claims.Decode(signing + "." + b.EncodeToString(sig))
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Verify(tok); err != nil {
		t.Errorf("ES256: %v", err)
	}
	sig[0] ^= 1
	bad, _ := claims.Decode(signing + "." + b.EncodeToString(sig))
	if err := set.Verify(bad); err == nil {
		t.Error("altered ES256 signature verified")
	}

	keyErrs := []claims.JWK{
		{Kty: "oct", Kid: "k"},
		{Kty: "RSA", Kid: "k", N: "", E: "AQAB"},
		{Kty: "RSA", Kid: "k", N: "AQAB", E: ""},
		{Kty: "RSA", Kid: "k", N: "AQAB", E: "AQ"},
		{Kty: "RSA", Kid: "k", X5c: []string{"not base64!"}},
		{Kty: "RSA", Kid: "k", X5c: []string{"AAAA"}},
		{Kty: "EC", Kid: "k", Crv: "P-999"},
		{Kty: "EC", Kid: "k", Crv: "P-256", X: "AA", Y: "AA"},
	}
	for _, k := range keyErrs {
		if _, err := k.PublicKey(); err == nil {
			t.Errorf("PublicKey(%+v) accepted", k)
		}
	}
	for _, in := range []string{`nope`, `{}`, `{"keys":null}`} {
		if _, err := claims.ParseJWKS([]byte(in)); err == nil {
			t.Errorf("ParseJWKS(%s) accepted", in)
		}
	}
	noalg, _ := claims.Decode(b.EncodeToString([]byte(`{"alg":"none","kid":"ec"}`)) + "." + b.EncodeToString([]byte(`{}`)) + ".")
	if err := set.Verify(noalg); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("alg none: %v", err)
	}
}

package claims_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
)

// FuzzDecode feeds arbitrary text to the JWT decoder: it must never panic,
// must fail with ErrNotJWT or succeed, and a decoded token must survive
// every accessor, the renderer and the checks.
func FuzzDecode(f *testing.F) {
	f.Add("")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := claims.Decode(in)
		if err != nil {
			if !errors.Is(err, claims.ErrNotJWT) {
				t.Fatalf("error %v does not wrap ErrNotJWT", err)
			}
			return
		}
		now := time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)
		_ = tok.Explain(now, time.UTC)
		_ = tok.Header()
		_ = tok.PayloadJSON()
		_, _ = tok.Expiry()
		_ = tok.Subject()
		_ = tok.IsApp()
		_ = tok.GroupsOverage()
		yes := true
		fs := claims.Check(tok, claims.Expect{Now: now, Tenant: "8f0c6f5e-3a2b-4c1d-9e8f-0a1b2c3d4e5f", CDFURL: "https://westeurope-1.cognitedata.com", UserFlow: &yes, Fresh: true})
		for _, f := range fs {
			if f.ID == "" || f.Message == "" {
				t.Fatalf("empty finding %+v", f)
			}
		}
	})
}

// FuzzParseJWKS feeds arbitrary bytes to the JWKS parser and key decoding.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		set, err := claims.ParseJWKS(in)
		if err != nil {
			return
		}
		for _, k := range set.Keys {
			_, _ = k.PublicKey()
		}
	})
}

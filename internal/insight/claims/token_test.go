package claims_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
)

var now = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestDecodeErrors(t *testing.T) {
	hdr := enc(`{"alg":"RS256"}`)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"blank bearer", "Bearer   ", "empty"},
		{"opaque", "0.AR8AabcdefGHIJ", "2 dot-separated parts"},
		{"opaque no dots", "eyJ0eXAiOiJKV1Qi", "opaque token"},
		{"jwe", "a.b.c.d.e", "encrypted token (JWE)"},
		{"four parts", "a.b.c.d", "4 dot-separated parts"},
		{"bad header base64", "!!!." + enc(`{}`) + ".sig", "header is not base64url"},
		{"bad payload base64", hdr + ".%%%.sig", "payload is not base64url"},
		{"bad signature base64", hdr + "." + enc(`{}`) + ".***", "signature is not base64url"},
		{"header not object", enc(`[1]`) + "." + enc(`{}`) + ".", "header is not a JSON object"},
		{"payload array", hdr + "." + enc(`["a"]`) + ".", "payload is not a JSON object"},
		{"payload trailing", hdr + "." + enc(`{"a":1} {}`) + ".", "text after the object"},
		{"payload truncated", hdr + "." + enc(`{"a":`) + ".", "payload is not a JSON object"},
		{"huge", strings.Repeat("a", 2<<20), "far longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := claims.Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode = %v, want error", tok)
			}
			if !errors.Is(err, claims.ErrNotJWT) {
				t.Errorf("error %v does not wrap ErrNotJWT", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestDecodeKeepsOrderAndMeanings(t *testing.T) {
	raw := enc(`{"typ":"JWT","alg":"RS256","kid":"k1"}`) + "." +
		enc(`{"zzz":1,"aud":"https://x","exp":1700000000,"xms_foo":"v","aud":"https://y","nested":{"a":[1,2]}}`) + ".c2ln"
	tok, err := claims.Decode("  Bearer " + raw + "\n")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tok.Claims() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "zzz,aud,exp,xms_foo,nested" {
		t.Errorf("order = %s", got)
	}
	if got := tok.String("aud"); got != "https://y" {
		t.Errorf("duplicate aud = %q, want the last value", got)
	}
	cl := tok.Claims()
	if cl[0].Meaning != "" || cl[1].Meaning == "" || !strings.Contains(cl[3].Meaning, "xms_") {
		t.Errorf("meanings: %+v", cl)
	}
	if h := tok.Header(); len(h) != 3 || h[2].Name != "kid" || h[2].Meaning == "" {
		t.Errorf("header = %+v", h)
	}
	if e, ok := tok.Expiry(); !ok || e.Unix() != 1700000000 {
		t.Errorf("Expiry = %v %v", e, ok)
	}
	if !strings.HasPrefix(string(tok.PayloadJSON()), "{\n  \"zzz\": 1,\n  \"aud\": \"https://y\"") {
		t.Errorf("PayloadJSON = %s", tok.PayloadJSON())
	}
}

func TestAccessors(t *testing.T) {
	user, err := claims.Decode(claimstest.Unsigned(claimstest.V2User(now)))
	if err != nil {
		t.Fatal(err)
	}
	app, err := claims.Decode(claimstest.Unsigned(claimstest.V1App(now)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"user scopes", strings.Join(user.Scopes(), "|"), "IDENTITY|user_impersonation"},
		{"user groups", len(user.Groups()), 2},
		{"user is app", user.IsApp(), false},
		{"user name", user.Username(), claimstest.UserEmail},
		{"user subject", user.Subject(), claimstest.UserEmail},
		{"user client", user.ClientID(), claimstest.ClientID},
		{"user ver", user.Version(), "2.0"},
		{"app is app", app.IsApp(), true},
		{"app client", app.ClientID(), claimstest.ClientID},
		{"app subject", app.Subject(), claimstest.AppSPOID},
		{"app tid", app.TenantID(), claimstest.TenantID},
		{"app aud", strings.Join(app.Audience(), ","), claimstest.CDFURL},
		{"app roles", len(app.Roles()), 0},
		{"missing", app.String("nope"), ""},
		{"non-string", app.String("exp"), ""},
		{"overage no", user.GroupsOverage(), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestOverageAndKind(t *testing.T) {
	base := claimstest.V2User(now)
	tests := []struct {
		name    string
		payload map[string]any
		overage bool
		isApp   bool
	}{
		{"hasgroups true", claimstest.With(base, "groups", nil, "hasgroups", true), true, false},
		{"hasgroups string", claimstest.With(base, "groups", nil, "hasgroups", "true"), true, false},
		{"claim names", claimstest.With(base, "groups", nil, "_claim_names", map[string]any{"groups": "src1"}), true, false},
		{"claim names other", claimstest.With(base, "_claim_names", map[string]any{"other": "src1"}), false, false},
		{"idtyp app wins", claimstest.With(base, "idtyp", "app"), false, true},
		{"idtyp user wins", claimstest.With(base, "idtyp", "user", "scp", nil, "preferred_username", nil), false, false},
		{"no scp no name", claimstest.With(base, "scp", nil, "preferred_username", nil), false, true},
	}
	for _, tt := range tests {
		tok, err := claims.Decode(claimstest.Unsigned(tt.payload))
		if err != nil {
			t.Fatal(err)
		}
		if tok.GroupsOverage() != tt.overage || tok.IsApp() != tt.isApp {
			t.Errorf("%s: overage=%v isApp=%v, want %v %v", tt.name, tok.GroupsOverage(), tok.IsApp(), tt.overage, tt.isApp)
		}
	}
}

func TestTimeClaimForms(t *testing.T) {
	tests := []struct {
		payload string
		ok      bool
		unix    int64
	}{
		{`{"exp":1700000000}`, true, 1700000000},
		{`{"exp":1700000000.5}`, true, 1700000000},
		{`{"exp":"1700000000"}`, true, 1700000000},
		{`{"exp":"soon"}`, false, 0},
		{`{"exp":-5}`, false, 0},
		{`{"exp":1e300}`, false, 0},
		{`{"exp":true}`, false, 0},
		{`{}`, false, 0},
	}
	for _, tt := range tests {
		tok, err := claims.Decode(enc(`{}`) + "." + enc(tt.payload) + ".")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := tok.Expiry()
		if ok != tt.ok || (ok && got.Unix() != tt.unix) {
			t.Errorf("%s: %v %v", tt.payload, got, ok)
		}
	}
}

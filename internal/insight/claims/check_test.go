package claims_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
)

func find(fs []claims.Finding, id string) (claims.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return claims.Finding{}, false
}

func manyGroups(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = claimstest.GroupA
	}
	return out
}

// projectAud is the audience CDF says a project accepts.
var projectAud = claims.Audience{URL: "https://westeurope-1.cognitedata.com", From: "project acme's audience in CDF",
	Fix: "Ask for the scope of the project's audience", FromCDF: true}

func TestCheck(t *testing.T) {
	user := claimstest.V2User(now)
	app := claimstest.V1App(now)
	yes, no := true, false
	base := claims.Expect{Now: now, Tenant: claimstest.TenantID, CDFURL: claimstest.CDFURL}
	withExp := func(f func(*claims.Expect)) claims.Expect { e := base; f(&e); return e }

	tests := []struct {
		name    string
		payload map[string]any
		exp     claims.Expect
		id      string
		sev     claims.Severity
		say     string // part of the message
		fix     string // part of the fix
	}{
		{"valid", user, base, claims.IDExpiry, claims.SeverityOK, "in 1 h", ""},
		{"expired", claimstest.With(user, "exp", now.Add(-time.Minute).Unix()), base, claims.IDExpiry, claims.SeverityError, "expired 1 min ago", "cdflogin login"},
		{"expiring", claimstest.With(user, "exp", now.Add(2*time.Minute).Unix()), base, claims.IDExpiry, claims.SeverityWarn, "in 2 min", "refreshes"},
		{"no exp", claimstest.With(user, "exp", nil), base, claims.IDExpiry, claims.SeverityError, "no exp", ""},
		{"nbf slightly future", claimstest.With(user, "nbf", now.Add(time.Minute).Unix()), base, claims.IDNotBefore, claims.SeverityWarn, "not valid yet", "clock"},
		{"nbf far future", claimstest.With(user, "nbf", now.Add(time.Hour).Unix()), base, claims.IDNotBefore, claims.SeverityError, "in 1 h", "clock"},
		{"iat future skew", claimstest.With(user, "iat", now.Add(10*time.Minute).Unix()), base, claims.IDClockSkew, claims.SeverityWarn, "behind", "Synchronise"},
		{"iat past fresh", claimstest.With(user, "iat", now.Add(-10*time.Minute).Unix()), withExp(func(e *claims.Expect) { e.Fresh = true }), claims.IDClockSkew, claims.SeverityWarn, "ahead", "Synchronise"},
		{"iat past cached", claimstest.With(user, "iat", now.Add(-10*time.Minute).Unix()), base, claims.IDClockSkew, claims.SeverityOK, "no clock skew", ""},
		{"iat custom skew", claimstest.With(user, "iat", now.Add(2*time.Minute).Unix()), withExp(func(e *claims.Expect) { e.MaxSkew = time.Minute }), claims.IDClockSkew, claims.SeverityWarn, "behind", ""},

		{"aud ok", user, base, claims.IDAudience, claims.SeverityOK, "is the profile's CDF URL", ""},
		{"aud trailing slash and case", claimstest.With(user, "aud", "HTTPS://WestEurope-1.cognitedata.com/"), base, claims.IDAudience, claims.SeverityOK, "", ""},
		{"aud explicit port", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com:443"), base, claims.IDAudience, claims.SeverityOK, "", ""},
		{"aud array", claimstest.With(user, "aud", []string{"https://other", claimstest.CDFURL}), base, claims.IDAudience, claims.SeverityOK, "", ""},
		{"aud wrong cluster", claimstest.With(user, "aud", "https://api.cognitedata.com"), base, claims.IDAudience, claims.SeverityError, "another cluster", "cluster"},
		{"aud guid", claimstest.With(user, "aud", claimstest.ClientID), base, claims.IDAudience, claims.SeverityInfo, "application ID", "/.default"},
		{"aud missing", claimstest.With(user, "aud", nil), base, claims.IDAudience, claims.SeverityError, "no aud", "/.default"},
		// An aud that merely starts with the CDF URL is another API.
		{"aud longer host", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com.evil"), base, claims.IDAudience, claims.SeverityError, "is not the profile's CDF URL", "cluster"},
		{"aud longer path", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com/evil"), base, claims.IDAudience, claims.SeverityError, "is not the profile's CDF URL", "cluster"},
		{"aud other port", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com:4443"), base, claims.IDAudience, claims.SeverityError, "is not the profile's CDF URL", "cluster"},
		// The audience CDF accepts (from the project, the scopes or the cluster).
		{"aud of project ok", user, withExp(func(e *claims.Expect) { e.Audience = projectAud }), claims.IDAudience, claims.SeverityOK, "project acme's audience", ""},
		{"aud of project longer host", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com.evil"), withExp(func(e *claims.Expect) { e.Audience = projectAud }), claims.IDAudience, claims.SeverityError, "is not project acme's audience", "the project's audience"},
		{"aud of project longer path", claimstest.With(user, "aud", "https://westeurope-1.cognitedata.com/evil"), withExp(func(e *claims.Expect) { e.Audience = projectAud }), claims.IDAudience, claims.SeverityError, "is not project acme's audience", "the project's audience"},

		{"tid ok", user, base, claims.IDTenant, claims.SeverityOK, "", ""},
		{"tid case", user, withExp(func(e *claims.Expect) { e.Tenant = strings.ToUpper(claimstest.TenantID) }), claims.IDTenant, claims.SeverityOK, "", ""},
		{"tid other", user, withExp(func(e *claims.Expect) { e.Tenant = claimstest.ClientID }), claims.IDTenant, claims.SeverityError, "another directory", "Tenant ID"},
		{"tid domain", user, withExp(func(e *claims.Expect) { e.Tenant = "contoso.onmicrosoft.com" }), claims.IDTenant, claims.SeverityInfo, "cannot be compared", "GUID"},
		{"tid organizations", user, withExp(func(e *claims.Expect) { e.Tenant = "organizations" }), claims.IDTenant, claims.SeverityInfo, "cannot be compared", ""},
		{"tid missing", claimstest.With(user, "tid", nil), base, claims.IDTenant, claims.SeverityWarn, "no tid", ""},

		{"v2 ok", user, base, claims.IDIssuer, claims.SeverityOK, "v2.0 token", ""},
		{"v1 ok", app, base, claims.IDIssuer, claims.SeverityOK, "v1.0 token", ""},
		{"v2 ver v1 iss", claimstest.With(user, "iss", "https://sts.windows.net/"+claimstest.TenantID+"/"), base, claims.IDIssuer, claims.SeverityWarn, "v1.0 form", "issuer"},
		{"v1 ver v2 iss", claimstest.With(app, "iss", "https://login.microsoftonline.com/"+claimstest.TenantID+"/v2.0"), base, claims.IDIssuer, claims.SeverityWarn, "v2.0 form", "issuer"},
		{"no ver", claimstest.With(app, "ver", nil), base, claims.IDIssuer, claims.SeverityInfo, "no ver", ""},
		{"no iss", claimstest.With(app, "iss", nil), base, claims.IDIssuer, claims.SeverityError, "no iss", ""},

		{"user scp identity", claimstest.With(user, "scp", "IDENTITY"), base, claims.IDScopes, claims.SeverityOK, "IDENTITY", ""},
		{"user scp impersonation", claimstest.With(user, "scp", "user_impersonation"), base, claims.IDScopes, claims.SeverityOK, "user_impersonation", ""},
		{"user scp other", claimstest.With(user, "scp", "User.Read openid"), base, claims.IDScopes, claims.SeverityError, "scp is User.Read openid", "Grant admin consent"},
		{"user no scp", claimstest.With(user, "scp", nil, "idtyp", "user"), base, claims.IDScopes, claims.SeverityError, "no scp claim", "IDENTITY"},

		{"app no roles", app, base, claims.IDRoles, claims.SeverityInfo, "no roles", ""},
		{"app roles", claimstest.With(app, "roles", []string{"Reader"}), base, claims.IDRoles, claims.SeverityOK, "Reader", ""},
		{"app expected roles missing", app, withExp(func(e *claims.Expect) { e.ExpectRoles = []string{"Reader"} }), claims.IDRoles, claims.SeverityError, "lacks the roles Reader", "Application permissions"},
		{"app expected roles present", claimstest.With(app, "roles", []string{"Reader", "Writer"}), withExp(func(e *claims.Expect) { e.ExpectRoles = []string{"Writer"} }), claims.IDRoles, claims.SeverityOK, "expected roles", ""},

		{"kind user ok", user, withExp(func(e *claims.Expect) { e.UserFlow = &yes }), claims.IDKind, claims.SeverityOK, "user token", ""},
		{"kind app ok", app, withExp(func(e *claims.Expect) { e.UserFlow = &no }), claims.IDKind, claims.SeverityOK, "application token", ""},
		{"kind user got app", app, withExp(func(e *claims.Expect) { e.UserFlow = &yes }), claims.IDKind, claims.SeverityWarn, "application token", "flow"},
		{"kind app got user", user, withExp(func(e *claims.Expect) { e.UserFlow = &no }), claims.IDKind, claims.SeverityWarn, "user token", "flow"},

		{"groups ok", user, base, claims.IDGroups, claims.SeverityOK, "2 group(s)", ""},
		{"no groups claim", claimstest.With(user, "groups", nil), base, claims.IDGroups, claims.SeverityWarn, "no groups claim", "Token configuration › Add groups claim"},
		{"empty groups", claimstest.With(user, "groups", []string{}), base, claims.IDGroups, claims.SeverityWarn, "empty", "Add groups claim"},
		{"overage hasgroups", claimstest.With(user, "groups", nil, "hasgroups", true), base, claims.IDGroupsOverage, claims.SeverityError, "hasgroups", "group callback"},
		{"overage claim names", claimstest.With(user, "groups", nil, "_claim_names", map[string]any{"groups": "src1"}, "_claim_sources", map[string]any{"src1": map[string]any{"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}}), base, claims.IDGroupsOverage, claims.SeverityError, `_claim_names {"groups":"src1"}`, "reduce"},
		{"too many groups default", claimstest.With(user, "groups", manyGroups(21)), base, claims.IDGroupsCount, claims.SeverityWarn, "21 groups, more than CDF supports per principal (20)", "Groups assigned to the application"},
		{"groups at the limit", claimstest.With(user, "groups", manyGroups(20)), base, claims.IDGroups, claims.SeverityOK, "20 group(s)", ""},
		{"too many groups custom", claimstest.With(user, "groups", manyGroups(3)), withExp(func(e *claims.Expect) { e.MaxGroups = 2 }), claims.IDGroupsCount, claims.SeverityWarn, "3 groups", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := claims.Decode(claimstest.Unsigned(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			fs := claims.Check(tok, tt.exp)
			f, ok := find(fs, tt.id)
			if !ok {
				t.Fatalf("no finding %s in %+v", tt.id, fs)
			}
			if f.Severity != tt.sev {
				t.Errorf("severity = %v, want %v (%s)", f.Severity, tt.sev, f.Message)
			}
			if !strings.Contains(f.Message, tt.say) {
				t.Errorf("message %q does not say %q", f.Message, tt.say)
			}
			if !strings.Contains(f.Fix, tt.fix) {
				t.Errorf("fix %q does not say %q", f.Fix, tt.fix)
			}
			if f.Severity >= claims.SeverityWarn && f.Fix == "" {
				t.Errorf("%s finding without a fix: %q", f.Severity, f.Message)
			}
		})
	}
}

func TestGroupsAtLimitNotReported(t *testing.T) {
	tok, err := claims.Decode(claimstest.Unsigned(claimstest.With(claimstest.V2User(now), "groups", manyGroups(claims.DefaultMaxGroups))))
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := find(claims.Check(tok, claims.Expect{Now: now}), claims.IDGroupsCount); ok {
		t.Errorf("%d groups reported: %+v", claims.DefaultMaxGroups, f)
	}
}

func TestCheckSkipsAndIDToken(t *testing.T) {
	tok, err := claims.Decode(claimstest.Unsigned(claimstest.V2User(now)))
	if err != nil {
		t.Fatal(err)
	}
	fs := claims.Check(tok, claims.Expect{})
	for _, id := range []string{claims.IDExpiry, claims.IDAudience, claims.IDTenant, claims.IDKind} {
		if _, ok := find(fs, id); ok {
			t.Errorf("empty Expect still ran %s", id)
		}
	}
	idTok, err := claims.Decode(claimstest.Unsigned(claimstest.With(claimstest.V2User(now), "aud", claimstest.ClientID, "scp", nil, "groups", nil)))
	if err != nil {
		t.Fatal(err)
	}
	fs = claims.Check(idTok, claims.Expect{Now: now, IDToken: true, ClientID: claimstest.ClientID, CDFURL: claimstest.CDFURL})
	if f, _ := find(fs, claims.IDAudience); f.Severity != claims.SeverityOK {
		t.Errorf("ID token aud: %+v", f)
	}
	for _, id := range []string{claims.IDScopes, claims.IDGroups} {
		if _, ok := find(fs, id); ok {
			t.Errorf("ID token checked %s", id)
		}
	}
	fs = claims.Check(idTok, claims.Expect{IDToken: true, ClientID: "11111111-2222-4333-8444-555555555555"})
	if f, _ := find(fs, claims.IDAudience); f.Severity != claims.SeverityError {
		t.Errorf("ID token wrong aud: %+v", f)
	}
	if w := claims.Worst(fs); w != claims.SeverityError {
		t.Errorf("Worst = %v", w)
	}
	if w := claims.Worst(nil); w != claims.SeverityOK {
		t.Errorf("Worst(nil) = %v", w)
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []claims.Severity{claims.SeverityOK, claims.SeverityInfo, claims.SeverityWarn, claims.SeverityError} {
		b, _ := s.MarshalText()
		var back claims.Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip %v: %v %v", s, back, err)
		}
	}
	var s claims.Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error("unknown severity accepted")
	}
}

// guidPattern is the GUID shape IsGUID checks by hand.
var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func TestIsGUID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f", true},
		{"5E0D7C3A-9B4F-4C21-8A6E-2F1B3C4D5E6F", true},
		{"", false},
		{"5e0d7c3a9b4f4c218a6e2f1b3c4d5e6f", false},
		{"{5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f}", false},
		{"5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6", false},
		{"5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f0", false},
		{"5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6g", false},
		{"5e0d7c3a-9b4f-4c21-8a6e_2f1b3c4d5e6f", false},
		{"5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f\n", false},
		{"contoso.onmicrosoft.com", false},
	}
	for _, tt := range tests {
		if got := claims.IsGUID(tt.in); got != tt.want {
			t.Errorf("IsGUID(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got := guidPattern.MatchString(tt.in); got != tt.want {
			t.Errorf("the pattern says %v for %q: the table is wrong", got, tt.in)
		}
	}
}

// FuzzIsGUID holds IsGUID to the pattern it replaces.
func FuzzIsGUID(f *testing.F) {
	f.Add("5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f")
	f.Add("5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := claims.IsGUID(s), guidPattern.MatchString(s); got != want {
			t.Fatalf("IsGUID(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}

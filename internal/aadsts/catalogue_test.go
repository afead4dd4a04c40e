package aadsts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var fullCtx = Context{
	ClientID:    "11111111-2222-3333-4444-555555555555",
	Tenant:      "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
	RedirectURI: "http://localhost:53111",
	CDFURL:      "https://westeurope-1.cognitedata.com",
	Flow:        "device",
}

// TestCatalogueRequiredCodes checks each code the issue names: it is
// known, and its explanation says the right thing in the portal's words
// with the profile's values filled in.
func TestCatalogueRequiredCodes(t *testing.T) {
	tests := []struct {
		code    int
		errVal  string
		flow    string
		title   string   // part of the title
		fixHas  []string // parts of Cause+Fix
		suggest string
	}{
		{7000218, "invalid_client", "device", "public client", []string{"Allow public client flows", "Yes", fullCtx.ClientID, "App registrations"}, "browser"},
		{7000218, "invalid_client", "", "public client", []string{"Allow public client flows", "Yes", "Mobile and desktop applications", "http://localhost:53111", fullCtx.ClientID, "App registrations"}, "browser"},
		{7000218, "invalid_client", "browser", "public client", []string{"Web platform", "Mobile and desktop applications"}, ""},
		{7000215, "invalid_client", "secret", "secret", []string{"Certificates & secrets", "New client secret", "Value", "Secret ID"}, ""},
		{7000222, "invalid_client", "secret", "expired", []string{"Certificates & secrets", "New client secret", "Upload certificate"}, ""},
		{700016, "unauthorized_client", "device", "not found", []string{"Application (client) ID", "Directory (tenant) ID", fullCtx.ClientID, fullCtx.Tenant}, ""},
		{90002, "invalid_tenant", "device", "Tenant not found", []string{"Directory (tenant) ID", fullCtx.Tenant}, ""},
		{65001, "invalid_grant", "device", "Consent", []string{"API permissions", "Grant admin consent", "https://westeurope-1.cognitedata.com", "user_impersonation"}, ""},
		{65004, "access_denied", "browser", "declined", []string{"Grant admin consent"}, ""},
		{50011, "invalid_request", "browser", "Redirect URI", []string{"Mobile and desktop applications", "http://localhost:53111", "Authentication"}, "device"},
		{500113, "", "browser", "No redirect URI", []string{"Add a platform", "http://localhost:53111"}, "device"},
		{50020, "", "browser", "not in the tenant", []string{"Invite external user", fullCtx.Tenant}, ""},
		{50076, "invalid_grant", "device", "Multi-factor", []string{"cdflogin login", "Conditional Access"}, ""},
		{50079, "invalid_grant", "device", "MFA registration", []string{"aka.ms/mysecurityinfo"}, ""},
		{53003, "invalid_grant", "device", "Conditional Access", []string{"Sign-in logs", "Conditional Access", "Authentication flows"}, "browser"},
		{53003, "invalid_grant", "secret", "Conditional Access", []string{"Sign-in logs"}, ""},
		{530003, "invalid_grant", "device", "device required", []string{"--flow browser", "compliant"}, "browser"},
		{700082, "invalid_grant", "device", "Refresh token expired", []string{"cdflogin login"}, ""},
		{700025, "invalid_client", "browser", "public client", []string{"client_secret"}, ""},
		{50126, "", "browser", "password", []string{"Retry"}, ""},
		{9002313, "invalid_request", "device", "Malformed", []string{"correlation ID"}, ""},
		{1002016, "", "device", "TLS", []string{"TLS 1.2", "proxy"}, ""},
		{90033, "temporarily_unavailable", "secret", "Transient", []string{"Retry in a minute", "Azure status"}, ""},
		{90033, "", "browser", "Transient", []string{"Retry in a minute", "Azure status"}, ""},
		{500011, "invalid_resource", "device", "Cognite API", []string{"adminconsent?client_id=https://westeurope-1.cognitedata.com", fullCtx.Tenant, "westeurope-1"}, ""},
		{0, "authorization_declined", "device", "declined", []string{"cdflogin login"}, ""},
		{70000, "authorization_declined", "device", "declined", []string{"approve"}, ""},
		{0, "expired_token", "device", "expired", []string{"cdflogin login"}, ""},
		{70020, "expired_token", "device", "expired", []string{"cdflogin login", "expired"}, ""},
		{0, "bad_verification_code", "device", "not recognised", []string{"exactly"}, ""},
		{70019, "bad_verification_code", "device", "not recognised", []string{"exactly"}, ""},
		{70000, "invalid_grant", "browser", "Grant not valid", []string{"cdflogin login"}, ""},
		{0, "access_denied", "browser", "Consent declined", []string{"Grant admin consent"}, ""},
		{0, "consent_required", "browser", "Consent missing", []string{"Grant admin consent"}, ""},
		{0, "invalid_tenant", "device", "Tenant not found", []string{fullCtx.Tenant}, ""},
		{50011, "access_denied", "browser", "Redirect URI", []string{"Mobile and desktop applications"}, "device"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%s_%s", tt.code, tt.errVal, tt.flow), func(t *testing.T) {
			e := &Error{Code: tt.errVal, CorrelationID: "c0ffee00-0000-0000-0000-000000000000"}
			if tt.code != 0 {
				e.Codes = []int{tt.code}
			}
			c := fullCtx
			c.Flow = tt.flow
			x := Explain(e, c)
			if !x.Known {
				t.Fatalf("not in the catalogue")
			}
			if !strings.Contains(strings.ToLower(x.Title), strings.ToLower(tt.title)) {
				t.Errorf("Title = %q, want it to contain %q", x.Title, tt.title)
			}
			text := x.Cause + " " + x.Fix
			for _, want := range tt.fixHas {
				if !strings.Contains(text, want) {
					t.Errorf("cause+fix lacks %q:\n%s", want, text)
				}
			}
			if x.Suggest != tt.suggest {
				t.Errorf("Suggest = %q, want %q", x.Suggest, tt.suggest)
			}
			if x.Code != tt.code {
				t.Errorf("Code = %d, want %d", x.Code, tt.code)
			}
		})
	}
}

var placeholderRe = regexp.MustCompile(`\{[a-z]+\}`)

// TestCatalogueEntries checks every row, with and without profile values.
func TestCatalogueEntries(t *testing.T) {
	seenCode := map[int]string{}
	seenErr := map[string]string{}
	for _, en := range catalogue {
		if len(en.Codes) == 0 && len(en.Errors) == 0 {
			t.Errorf("entry %q has neither codes nor error values", en.Title)
		}
		if en.Title == "" || en.Cause == "" || en.Fix == "" {
			t.Errorf("entry %v %v is incomplete", en.Codes, en.Errors)
		}
		if en.Suggest != "" && en.Suggest != FlowBrowser && en.Suggest != FlowDevice {
			t.Errorf("entry %q suggests unknown flow %q", en.Title, en.Suggest)
		}
		for _, c := range en.Codes {
			if prev, ok := seenCode[c]; ok {
				t.Errorf("code %d in %q and %q", c, prev, en.Title)
			}
			seenCode[c] = en.Title
		}
		for _, v := range en.Errors {
			if prev, ok := seenErr[v]; ok {
				t.Errorf("error %q in %q and %q", v, prev, en.Title)
			}
			seenErr[v] = en.Title
		}
		for _, c := range []Context{{}, fullCtx} {
			e := &Error{Codes: en.Codes}
			if len(en.Codes) == 0 {
				e.Code = en.Errors[0]
			}
			x := Explain(e, c)
			if x.Title != c.replacer().Replace(en.in(c).Title) {
				t.Errorf("lookup of %v found %q", en.Codes, x.Title)
			}
			texts := []string{x.Title, x.Cause, x.Fix}
			for _, v := range en.Variants {
				texts = append(texts, c.replacer().Replace(v.Title), c.replacer().Replace(v.Cause), c.replacer().Replace(v.Fix))
			}
			for _, s := range texts {
				if m := placeholderRe.FindString(s); m != "" {
					t.Errorf("entry %q: placeholder %s left in %q", en.Title, m, s)
				}
			}
			if c.ClientID == "" && strings.Contains(en.Fix+en.Cause, "{app}") && !strings.Contains(x.Fix+x.Cause, "<application (client) ID>") {
				t.Errorf("entry %q: no stand-in for the app ID", en.Title)
			}
		}
	}
	// Every code of the list is there.
	for _, c := range []int{7000218, 7000215, 7000222, 700016, 90002, 65001, 65004, 50011, 500113, 50020, 50076, 50079, 53003, 530003, 700082, 700025, 50126, 9002313, 1002016, 90033} {
		if !Known(c) {
			t.Errorf("AADSTS%d missing", c)
		}
	}
	if len(KnownCodes()) < 60 {
		t.Errorf("only %d codes known", len(KnownCodes()))
	}
}

func TestExplainUnknown(t *testing.T) {
	e := &Error{Code: "temporarily_unavailable", Codes: []int{123456}, Description: "AADSTS123456: Something new.\r\nTrace ID: x", CorrelationID: "c0ffee00-1111-2222-3333-444444444444", Timestamp: "2026-11-28 10:00:00Z"}
	x := Explain(e, fullCtx)
	if x.Known {
		t.Fatal("Known for an unknown code")
	}
	for _, want := range []string{"AADSTS123456: Something new."} {
		if !strings.Contains(x.Cause, want) {
			t.Errorf("Cause %q lacks %q", x.Cause, want)
		}
	}
	for _, want := range []string{"Sign-in logs", "c0ffee00-1111-2222-3333-444444444444", "error?code=123456"} {
		if !strings.Contains(x.Fix, want) {
			t.Errorf("Fix %q lacks %q", x.Fix, want)
		}
	}
	s := x.String()
	if !strings.HasPrefix(s, "AADSTS123456: Microsoft Entra ID refused the sign-in (temporarily_unavailable)\n") || !strings.Contains(s, "Correlation ID: c0ffee00-1111-2222-3333-444444444444 (2026-11-28 10:00:00Z)") {
		t.Errorf("String =\n%s", s)
	}
	if Explain(nil, fullCtx).String() != "" {
		t.Error("Explain(nil) not empty")
	}
	bare := Explain(&Error{Code: "server_error"}, Context{})
	if !strings.Contains(bare.Cause, "(no description)") || strings.Contains(bare.Fix, "correlation") {
		t.Errorf("bare = %+v", bare)
	}
}

func TestExplanationString(t *testing.T) {
	e, ok := ParseBody([]byte(body7000218), 401)
	if !ok {
		t.Fatal("parse")
	}
	s := Explain(e, fullCtx).String()
	lines := strings.Split(s, "\n")
	if lines[0] != "AADSTS7000218: The app is treated as confidential (public client flows off)" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"\nCause: ", "\nFix:   ", "\nTry:   cdflogin login --flow browser", "\nEntra: AADSTS7000218: The request body", "\nCorrelation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff (2026-11-28 10:00:00Z)"} {
		if !strings.Contains(s, want) {
			t.Errorf("String lacks %q:\n%s", want, s)
		}
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > wrapWidth {
			// Only a single word longer than the width may overflow.
			if strings.Contains(strings.TrimSpace(l[7:]), " ") {
				t.Errorf("line of %d runes: %q", n, l)
			}
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space: %q", l)
		}
	}
	if strings.Count(s, "Trace ID") != 1 || !strings.Contains(s, "\nTrace ID: 0a1b2c3d-1111-2222-3333-444455556666") {
		t.Errorf("the trace ID is not on a line of its own, once (the description's ID lines are not repeated):\n%s", s)
	}
}

func TestClusterFromCDFURL(t *testing.T) {
	tests := []struct{ url, cluster string }{
		{"https://westeurope-1.cognitedata.com", "westeurope-1"},
		{"https://API.cognitedata.com/", "api"},
		{"https://127.0.0.1:8443", ""},
		{"https://a.b.cognitedata.com", ""},
		{"::bad", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clusterOf(tt.url); got != tt.cluster {
			t.Errorf("clusterOf(%q) = %q, want %q", tt.url, got, tt.cluster)
		}
	}
	x := Explain(&Error{Codes: []int{500011}}, Context{Cluster: "az-eastus-1"})
	if !strings.Contains(x.Fix, "client_id=https://az-eastus-1.cognitedata.com") {
		t.Errorf("Fix from cluster only: %q", x.Fix)
	}
	x = Explain(&Error{Codes: []int{500011}}, Context{CDFURL: "https://127.0.0.1:8443/"})
	if !strings.Contains(x.Fix, "client_id=https://127.0.0.1:8443 and") || !strings.Contains(x.Cause, "cluster <cluster>") {
		t.Errorf("explanation from a CDF URL without cluster: %+v", x)
	}
}

func TestExplainedError(t *testing.T) {
	orig := callErr("POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", 400, body700082, true)
	wrapped := fmt.Errorf("refreshing: %w", orig)
	err := Wrap(wrapped, fullCtx)
	var xe *ExplainedError
	if !errors.As(err, &xe) {
		t.Fatalf("Wrap = %T", err)
	}
	if strings.ContainsAny(xe.Error(), "\n") || !strings.Contains(xe.Error(), "AADSTS700082") {
		t.Errorf("Error() = %q", xe.Error())
	}
	if !strings.Contains(xe.Details(), "Refresh token expired") {
		t.Errorf("Details() = %q", xe.Details())
	}
	var ae *Error
	if !errors.As(err, &ae) || ae.AADSTS() != 700082 {
		t.Errorf("errors.As *Error failed")
	}
	if !errors.Is(err, orig) {
		t.Errorf("original error lost")
	}
	if Wrap(err, fullCtx) != err {
		t.Errorf("double Wrap changed the error")
	}
	plain := errors.New("dial tcp: refused")
	if Wrap(plain, fullCtx) != plain {
		t.Errorf("Wrap changed a non-Entra error")
	}
	if Wrap(nil, fullCtx) != nil {
		t.Errorf("Wrap(nil) != nil")
	}
	// Details is what cmdutil.Detailer needs.
	var d interface{ Details() string } = xe
	_ = d
}

func TestNeedsInteraction(t *testing.T) {
	tests := []struct {
		e    *Error
		want bool
	}{
		{nil, false},
		{&Error{Code: "invalid_grant", Codes: []int{700082}}, true},
		{&Error{Code: "interaction_required"}, true},
		{&Error{Code: "invalid_client", Codes: []int{7000215}}, false},
		{&Error{Code: "temporarily_unavailable"}, false},
		{&Error{Code: "invalid_request", Suberror: "consent_required"}, true},
	}
	for _, tt := range tests {
		if got := NeedsInteraction(tt.e); got != tt.want {
			t.Errorf("NeedsInteraction(%+v) = %v", tt.e, got)
		}
	}
}

package httplog

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const (
	jwt    = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
	secret = "s3cr3t~Value.With-Chars"
)

func TestRedactForm(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		gone     []string
		keep     []string
		wantPart string
	}{
		{"client secret", "grant_type=client_credentials&client_id=abc&client_secret=" + url.QueryEscape(secret),
			[]string{secret, url.QueryEscape(secret)}, []string{"grant_type=client_credentials", "client_id=abc"}, "client_secret=REDACTED%2823%29"},
		{"auth code and verifier", "code=0.AAA-code-value&code_verifier=verifier-value-123&redirect_uri=http%3A%2F%2Flocalhost%3A53000",
			[]string{"0.AAA-code-value", "verifier-value-123"}, []string{"redirect_uri=http%3A%2F%2Flocalhost%3A53000"}, "code="},
		{"refresh token", "grant_type=refresh_token&refresh_token=1.rt-value-xyz&scope=openid",
			[]string{"1.rt-value-xyz"}, []string{"scope=openid"}, ""},
		{"device code", "grant_type=device_code&device_code=DAQABAA-device", []string{"DAQABAA-device"}, []string{"grant_type=device_code"}, ""},
		{"assertion", "client_assertion_type=urn%3Aietf&client_assertion=" + jwt, []string{jwt, "c2lnbmF0dXJl"}, []string{"client_assertion_type=urn%3Aietf"}, ""},
		{"password", "username=alice&password=hunter2hunter2", []string{"hunter2hunter2"}, []string{"username=alice"}, ""},
		{"case-insensitive names", "Client_Secret=" + secret, []string{secret}, nil, ""},
		{"jwt in another field", "x=" + jwt, []string{jwt}, []string{"x="}, ""},
		{"no value", "code&x=1", nil, []string{"code&x=1"}, ""},
		{"bad escape falls back to text", "a=%zz&code=abcdef123", []string{"abcdef123"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactForm(tt.in)
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("RedactForm(%q) = %q still holds %q", tt.in, got, g)
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("RedactForm(%q) = %q lost %q", tt.in, got, k)
				}
			}
			if tt.wantPart != "" && !strings.Contains(got, tt.wantPart) {
				t.Errorf("RedactForm(%q) = %q, want it to contain %q", tt.in, got, tt.wantPart)
			}
		})
	}
}

func TestRedactJSON(t *testing.T) {
	in := `{"token_type":"Bearer","expires_in":3599,"access_token":"` + jwt + `","refresh_token":"1.refresh-value",` +
		`"id_token":"` + jwt + `","nested":{"AccessToken":{"k":{"secret":"cached-secret-value","target":"x"}}},` +
		`"list":[{"client_secret":"abcdefgh"}],"error":{"code":401,"message":"bad token ` + jwt + `"}}`
	got := RedactJSON([]byte(in))
	for _, g := range []string{jwt, "1.refresh-value", "cached-secret-value", "abcdefgh", "c2lnbmF0dXJl"} {
		if strings.Contains(got, g) {
			t.Errorf("RedactJSON kept %q: %s", g, got)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatalf("RedactJSON output is not JSON: %v\n%s", err, got)
	}
	if v["token_type"] != "Bearer" || v["expires_in"] != float64(3599) {
		t.Errorf("plain fields changed: %s", got)
	}
	if v["access_token"] != Redacted(jwt) {
		t.Errorf("access_token = %v, want %s", v["access_token"], Redacted(jwt))
	}
	if code := v["error"].(map[string]any)["code"]; code != float64(401) {
		t.Errorf("numeric code must stay: %v", code)
	}
	if got := RedactJSON([]byte(`not json refresh_token=abcdefg`)); strings.Contains(got, "abcdefg") {
		t.Errorf("fallback kept a secret: %s", got)
	}
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+jwt)
	h.Set("Cookie", "esctx=abc123secret")
	h.Add("Set-Cookie", "fpc=cookievalue; path=/")
	h.Set("Content-Type", "application/json")
	h.Set("X-Odd", "token "+jwt)
	lines := strings.Join(RedactHeader(h), "\n")
	for _, g := range []string{jwt, "abc123secret", "cookievalue", "c2lnbmF0dXJl"} {
		if strings.Contains(lines, g) {
			t.Errorf("RedactHeader kept %q:\n%s", g, lines)
		}
	}
	for _, k := range []string{"Authorization: Bearer REDACTED(", "Content-Type: application/json", "Set-Cookie: REDACTED("} {
		if !strings.Contains(lines, k) {
			t.Errorf("RedactHeader lacks %q:\n%s", k, lines)
		}
	}
}

// Credential headers whose values look like nothing in particular (no JWT,
// no key=value): only the header list can redact them, so each is tested
// alone with an opaque value.
func TestRedactOpaqueCredentialHeaders(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"Authorization", "Bearer opaqueAccessToken1234", "Authorization: Bearer REDACTED(21)"},
		{"Authorization", "Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic REDACTED(20)"},
		{"Proxy-Authorization", "Basic cHJveHl1c2VyOnByb3h5cGFzcw==", "Proxy-Authorization: Basic REDACTED(28)"},
		{"proxy-authorization", "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag", "Proxy-Authorization: Negotiate REDACTED(28)"},
		{"X-Ms-Refresh-Token", "0.AQsAopaqueRefreshTokenValue", "X-Ms-Refresh-Token: REDACTED(29)"},
		{"Cookie", "esctx=opaqueSessionCookie", "Cookie: REDACTED(25)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h[tt.name] = []string{tt.value}
			h.Set("Content-Type", "application/json")
			lines := RedactHeader(h)
			got := strings.Join(lines, "\n")
			hidden := tt.value
			if _, cred, ok := strings.Cut(tt.value, " "); ok {
				hidden = cred // the scheme stays
			}
			if strings.Contains(got, hidden) {
				t.Errorf("RedactHeader kept %q:\n%s", hidden, got)
			}
			if !slices.Contains(lines, tt.want) {
				t.Errorf("RedactHeader = %q, want the line %q", lines, tt.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	u, _ := url.Parse("http://user:pw@localhost:53000/?code=0.AAAcodevalue&state=abc&session_state=s#access_token=" + jwt)
	got := RedactURL(u)
	for _, g := range []string{"0.AAAcodevalue", jwt, "pw@"} {
		if strings.Contains(got, g) {
			t.Errorf("RedactURL kept %q: %s", g, got)
		}
	}
	if !strings.Contains(got, "state=abc") {
		t.Errorf("RedactURL lost state: %s", got)
	}
	if RedactURL(nil) != "" {
		t.Error("RedactURL(nil) must be empty")
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct{ in, gone string }{
		{"Bearer " + jwt, jwt},
		{`{"refresh_token": "abcdefgh"`, "abcdefgh"},
		{"password=letmein1", "letmein1"},
		{"client_secret: xyzxyzxyz", "xyzxyzxyz"},
	}
	for _, tt := range tests {
		if got := RedactText(tt.in); strings.Contains(got, tt.gone) {
			t.Errorf("RedactText(%q) = %q", tt.in, got)
		}
	}
	if got := RedactText("AADSTS700082: The refresh token has expired"); got != "AADSTS700082: The refresh token has expired" {
		t.Errorf("plain text changed: %q", got)
	}
}

func TestRedactBodyByContentType(t *testing.T) {
	tests := []struct{ ct, body, gone string }{
		{"application/x-www-form-urlencoded; charset=utf-8", "client_secret=abcdefghij", "abcdefghij"},
		{"application/json; charset=utf-8", `{"access_token":"abcdefghij"}`, "abcdefghij"},
		{"application/problem+json", `{"id_token":"abcdefghij"}`, "abcdefghij"},
		{"text/plain", `{"refresh_token":"abcdefghij"}`, "abcdefghij"},
		{"text/html", `<input name="code" value="x"> code=abcdefghij`, "abcdefghij"},
	}
	for _, tt := range tests {
		if got := RedactBody(tt.ct, []byte(tt.body)); strings.Contains(got, tt.gone) {
			t.Errorf("RedactBody(%q, %q) = %q", tt.ct, tt.body, got)
		}
	}
}

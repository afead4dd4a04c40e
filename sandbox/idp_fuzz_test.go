package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzIdPTokenEndpoints: any body and Authorization header sent to the
// Cognito and OIDC token endpoints gets a token or an error in the
// provider's shape (Cognito: 400 and only "error"; OIDC: 400/401 with
// error and error_description), never a panic or a 500.
func FuzzIdPTokenEndpoints(f *testing.F) {
	for _, seed := range [][2]string{
		{"grant_type=client_credentials&client_id=" + CognitoSecretClientID + "&client_secret=" + CognitoClientSecret, ""},
		{"grant_type=client_credentials&scope=openid", "Basic Nr2zYW5kYm94"},
		{"grant_type=authorization_code&code=x&redirect_uri=http://localhost:53000&client_id=" + CognitoPublicClientID, ""},
		{"grant_type=refresh_token&refresh_token=%ff&client_id=" + OIDCPublicClientID, ""},
		{"grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=&client_id=" + OIDCPublicClientID, ""},
		{"client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=e30.e30.&client_id=" + OIDCCertificateClientID, ""},
		{"%zz=&&&;", "Basic %%%"},
	} {
		f.Add(seed[0], seed[1])
	}
	s := fuzzSandbox(f)
	f.Fuzz(func(t *testing.T, body, authz string) {
		for _, ep := range []struct {
			path    string
			handler http.HandlerFunc
			cognito bool
		}{
			{"/oauth2/token", s.handleCognitoToken, true},
			{"/oidc/token", s.handleOIDCToken, false},
			{"/oidc/device/code", s.handleOIDCDeviceCode, false},
		} {
			r := httptest.NewRequest(http.MethodPost, ep.path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if authz != "" {
				r.Header.Set("Authorization", authz)
			}
			w := httptest.NewRecorder()
			ep.handler(w, r)
			var got map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("%s: not JSON (%d): %q", ep.path, w.Code, w.Body.String())
			}
			switch {
			case w.Code == http.StatusOK:
				if got["access_token"] == nil && got["device_code"] == nil {
					t.Fatalf("%s: 200 without a token: %v", ep.path, got)
				}
			case ep.cognito:
				if w.Code != http.StatusBadRequest || len(got) != 1 || got["error"] == "" {
					t.Fatalf("%s: not Cognito's error: %d %v", ep.path, w.Code, got)
				}
			default:
				if (w.Code != http.StatusBadRequest && w.Code != http.StatusUnauthorized) || got["error"] == nil || got["error_description"] == nil {
					t.Fatalf("%s: not an RFC 6749 error: %d %v", ep.path, w.Code, got)
				}
			}
		}
	})
}

// FuzzIdPBearer: any bearer token is judged without a panic, and only a
// token the pool or the provider signed is taken as theirs and valid.
func FuzzIdPBearer(f *testing.F) {
	for _, seed := range []string{"", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "e30.e30.e30", strings.Repeat(".", 100)} {
		f.Add(seed)
	}
	s := fuzzSandbox(f)
	f.Fuzz(func(t *testing.T, raw string) {
		if _, _, ok := s.idpBearer(raw); ok {
			t.Fatalf("a made-up token was accepted: %q", raw)
		}
	})
}

package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzSandbox is a sandbox without listeners: its handlers are called
// directly.
func fuzzSandbox(t testing.TB) *Sandbox {
	t.Helper()
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// FuzzParseScope: any scope parameter gives a parsed request or an Entra
// error, never a panic, and a parsed request names a known resource.
func FuzzParseScope(f *testing.F) {
	for _, seed := range []string{
		"https://127.0.0.1:1/.default openid profile offline_access",
		"https://westeurope-1.cognitedata.com/user_impersonation",
		"openid", "", "https://a/.default https://b/.default", "https:///x", "https://x", "a/b/c",
	} {
		f.Add(seed)
	}
	s := fuzzSandbox(f)
	f.Fuzz(func(t *testing.T, raw string) {
		sr, e := s.parseScope(raw)
		if e != nil {
			if e.aadsts == 0 || e.code == "" {
				t.Fatalf("error without code: %+v", e)
			}
			return
		}
		if sr.resource != "" {
			if _, ok := s.resourceVersion(sr.resource); !ok {
				t.Fatalf("accepted unknown resource %q", sr.resource)
			}
		}
		if sr.defaultScope && len(sr.names) > 0 {
			t.Fatalf(".default mixed with names accepted: %q", raw)
		}
	})
}

// FuzzRedirectMatches: only http localhost/127.0.0.1 URIs may match a
// registered URI they are not equal to.
func FuzzRedirectMatches(f *testing.F) {
	for _, seed := range [][2]string{
		{"http://localhost", "http://localhost:53000"},
		{"http://localhost", "http://localhost:53000/cb"},
		{"https://app.example.com/cb", "https://app.example.com/cb"},
		{"http://localhost/", "http://LOCALHOST:1"},
		{"http://localhost", "http://localhost:abc"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, registered, sent string) {
		if !redirectMatches(registered, sent) || registered == sent {
			return
		}
		if !strings.HasPrefix(sent, "http://") {
			t.Fatalf("%q matched %q without being http loopback", sent, registered)
		}
	})
}

// FuzzTokenEndpoint: any form body gives 200 or an Entra-shaped JSON
// error with status 400 or 401, never a 5xx or a panic.
func FuzzTokenEndpoint(f *testing.F) {
	for _, seed := range []string{
		"grant_type=client_credentials&client_id=" + SecretAppID + "&client_secret=" + SecretAppSecret + "&scope=https%3A%2F%2Fapi.cognitedata.com%2F.default",
		"grant_type=device_code&client_id=" + DeviceAppID + "&device_code=x",
		"grant_type=refresh_token&client_id=" + BrowserAppID + "&refresh_token=x&scope=openid",
		"grant_type=authorization_code&client_id=" + BrowserAppID + "&code=x&redirect_uri=http%3A%2F%2Flocalhost",
		"grant_type=client_credentials&client_id=" + CertificateAppID + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJQUzI1NiJ9.e30.x",
		"%zz", "",
	} {
		f.Add(seed)
	}
	s := fuzzSandbox(f)
	h := s.entraMux()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/"+TenantID+"/oauth2/v2.0/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			return
		}
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		var e struct {
			Error      string `json:"error"`
			ErrorCodes []int  `json:"error_codes"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || len(e.ErrorCodes) != 1 {
			t.Fatalf("not an Entra error for %q: %s", body, rec.Body.String())
		}
	})
}

// FuzzBearer: CDF answers any Authorization header with 401 unless it is a
// token the sandbox signed, and never panics.
func FuzzBearer(f *testing.F) {
	for _, seed := range []string{"Bearer x.y.z", "Bearer ", "Basic abc", "Bearer eyJhbGciOiJub25lIn0.e30.", ""} {
		f.Add(seed)
	}
	s := fuzzSandbox(f)
	h := s.cdfMux()
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/token/inspect", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d for %q", rec.Code, header)
		}
	})
}

// FuzzParseForm: the browser double's form reader never panics.
func FuzzParseForm(f *testing.F) {
	f.Add(`<form method="post" action="/t/login" id="signin"><input type="hidden" name="ctx" value="a&amp;b"></form>`)
	f.Add(`<form action="http://[::1">`)
	f.Add(`<form id="signin" action="%zz"></form>`)
	f.Fuzz(func(t *testing.T, page string) {
		_, _ = parseForm("https://127.0.0.1:1/x", page, "signin")
		_, _ = parseForm("https://127.0.0.1:1/x", page, "")
		_ = pageError(400, page)
	})
}

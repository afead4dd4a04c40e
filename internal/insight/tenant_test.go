package insight

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/textsafe"
)

const (
	contosoTID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	// entraDoc is the real shape of Entra's answer for a domain (trimmed
	// of some endpoints): every URL carries the tenant ID.
	entraDoc = `{"token_endpoint":"https://login.microsoftonline.com/` + contosoTID + `/oauth2/v2.0/token",` +
		`"token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],` +
		`"jwks_uri":"https://login.microsoftonline.com/` + contosoTID + `/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],` +
		`"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],"response_types_supported":["code","id_token","code id_token","id_token token"],` +
		`"scopes_supported":["openid","profile","email","offline_access"],"issuer":"https://login.microsoftonline.com/` + contosoTID + `/v2.0",` +
		`"request_uri_parameter_supported":false,"userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo",` +
		`"authorization_endpoint":"https://login.microsoftonline.com/` + contosoTID + `/oauth2/v2.0/authorize",` +
		`"device_authorization_endpoint":"https://login.microsoftonline.com/` + contosoTID + `/oauth2/v2.0/devicecode","http_logout_supported":true,` +
		`"frontchannel_logout_supported":true,"end_session_endpoint":"https://login.microsoftonline.com/` + contosoTID + `/oauth2/v2.0/logout",` +
		`"claims_supported":["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],` +
		`"kerberos_endpoint":"https://login.microsoftonline.com/` + contosoTID + `/kerberos","tenant_region_scope":"WW","cloud_instance_name":"microsoftonline.com",` +
		`"cloud_graph_host_name":"graph.windows.net","msgraph_host":"graph.microsoft.com","rbac_url":"https://pas.windows.net"}`
	// notFound is Entra's answer for a domain no tenant claims.
	notFound = `{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'contoso.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant. Trace ID: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d Correlation ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9 Timestamp: 2026-11-28 16:00:00Z","error_codes":[90002],"timestamp":"2026-11-28 16:00:00Z","trace_id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","correlation_id":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","error_uri":"https://login.microsoftonline.com/error?code=90002"}`
)

func TestDomainOf(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"alice@contoso.com", "contoso.com", ""},
		{"  Alice.Anders@Contoso.COM ", "contoso.com", ""},
		{"contoso.onmicrosoft.com", "contoso.onmicrosoft.com", ""},
		{"contoso.com.", "contoso.com", ""},
		{"first.last+tag@sub.example.co.uk", "sub.example.co.uk", ""},
		{"\"odd@local\"@contoso.com", "contoso.com", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"", "", "no domain"},
		{"alice@", "", "no domain"},
		{"@contoso.com", "", "nothing before the @"},
		{"contoso", "", "has a dot"},
		{"common", "", "many tenants"},
		{"alice@organizations", "", "many tenants"},
		{"72f988bf-86f1-41af-91ab-2d7cd011db47", "", "tenant ID"},
		{"contoso..com", "", "not a label"},
		{"-contoso.com", "", "not a label"},
		{"contoso.com/evil", "", "not a label"},
		{"bücher.example", "", "xn--"},
		{"contoso.com\x1b[2J", "", "not a label"},
		{strings.Repeat("a", 64) + ".com", "", "not a label"},
		{strings.Repeat("abcdefgh.", 30) + "com", "", "longer"},
	} {
		got, err := DomainOf(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("DomainOf(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !errors.Is(err, ErrNotADomain) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("DomainOf(%q) = %q, %v; want an error saying %q", tc.in, got, err, tc.err)
		case err != nil && !textsafe.Safe(err.Error()):
			t.Errorf("DomainOf(%q): the error is not safe to print: %q", tc.in, err)
		}
	}
}

func TestAuthorityHostOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", DefaultAuthorityHost},
		{"https://login.microsoftonline.us", "https://login.microsoftonline.us"},
		{"https://login.microsoftonline.us/", "https://login.microsoftonline.us"},
		{"https://127.0.0.1:8443/5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f", "https://127.0.0.1:8443"},
		{"http://login.example", ""},
		{"login.microsoftonline.com", ""},
		{"https://user:pw@login.example", ""},
	} {
		got, err := AuthorityHostOf(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("AuthorityHostOf(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTenantDiscovery(t *testing.T) {
	const host = "https://login.microsoftonline.com"
	with := func(issuer string) string {
		return strings.Replace(entraDoc, "https://login.microsoftonline.com/"+contosoTID+"/v2.0", issuer, 1)
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		tid    string
		err    string
	}{
		{"Entra's document", 200, entraDoc, contosoTID, ""},
		{"upper-case ID", 200, with("https://login.microsoftonline.com/" + strings.ToUpper(contosoTID) + "/v2.0"), contosoTID, ""},
		{"v1 issuer", 200, with("https://sts.windows.net/" + contosoTID + "/"), contosoTID, ""},
		{"unknown domain", 400, notFound, "", "no Entra tenant claims the domain contoso.example"},
		{"another Entra error", 400, `{"error":"invalid_request","error_description":"AADSTS900023: Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.","error_codes":[900023]}`, "", "AADSTS900023"},
		{"a proxy's page", 502, "<html><body>Bad gateway</body></html>", "", "answered HTTP 502, not Entra's"},
		{"common's template", 200, with("https://login.microsoftonline.com/{tenantid}/v2.0"), "", "many tenants"},
		{"no issuer", 200, `{"token_endpoint":"x"}`, "", "names no issuer"},
		{"http issuer", 200, with("http://login.microsoftonline.com/" + contosoTID + "/v2.0"), "", "not an https URL"},
		{"issuer without a tenant", 200, with("https://login.microsoftonline.com/contoso.example/v2.0"), "", "carries no tenant ID"},
		{"not JSON", 200, "<html>", "", "not an OpenID discovery document"},
		{"deep", 200, strings.Repeat("[", 100) + strings.Repeat("]", 100), "", "nests 100 levels"},
		{"huge", 200, `{"issuer":"` + strings.Repeat("a", maxDiscoveryBytes) + `"}`, "", "bytes, more than"},
		{"hostile issuer", 200, with(`https://evil.example/\u001b]52;c;eA==\u0007/v2.0`), "", "is not an https URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTenantDiscovery(host, "contoso.example", []byte(tc.body), tc.status)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if !textsafe.Safe(err.Error()) {
					t.Errorf("the error is not safe to print: %q", err)
				}
				return
			}
			if err != nil || got.TenantID != tc.tid {
				t.Fatalf("%+v %v", got, err)
			}
			if got.Authority() != host+"/"+tc.tid || got.DiscoveryURL != host+"/contoso.example/v2.0/.well-known/openid-configuration" {
				t.Errorf("%+v", got)
			}
		})
	}
	// The not-found error carries Entra's answer, for the explanation.
	_, err := ParseTenantDiscovery(host, "contoso.example", []byte(notFound), 400)
	var nf *DomainNotFoundError
	if !errors.As(err, &nf) || nf.Answer.AADSTS() != 90002 || nf.Answer.CorrelationID == "" {
		t.Fatalf("%#v", err)
	}
	got, _ := ParseTenantDiscovery(host, "contoso.example", []byte(entraDoc), 200)
	if got.Region != "WW" || got.Cloud != "microsoftonline.com" {
		t.Errorf("region and cloud: %+v", got)
	}
}

// TestFindTenant asks a server shaped as Entra over TLS: the domain in
// the path, the answer read and judged.
func TestFindTenant(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/contoso.com/v2.0/.well-known/openid-configuration":
			_, _ = w.Write([]byte(entraDoc))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(notFound))
		}
	}))
	defer srv.Close()
	got, err := FindTenant(context.Background(), srv.Client(), srv.URL, "contoso.com")
	if err != nil || got.TenantID != contosoTID || got.AuthorityHost != srv.URL {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = FindTenant(context.Background(), srv.Client(), srv.URL, "contoso.example")
	var nf *DomainNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("%v", err)
	}
	// A TLS failure is a network error, wrapped.
	if _, err := FindTenant(context.Background(), http.DefaultClient, srv.URL, "contoso.com"); err == nil || !strings.Contains(err.Error(), "find the tenant of contoso.com") {
		t.Fatalf("%v", err)
	}
}

// FuzzParseTenantDiscovery: any answer, of any status, gives a tenant ID
// that is a GUID or an error, both safe to print, and never panics.
func FuzzParseTenantDiscovery(f *testing.F) {
	f.Add([]byte(entraDoc), 200)
	f.Add([]byte(notFound), 400)
	f.Add([]byte(`{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}`), 200)
	f.Add([]byte(`{"issuer":123}`), 200)
	f.Add([]byte(`<html>AADSTS90002</html>`), 404)
	f.Add([]byte(strings.Repeat(`{"a":`, 50)), 200)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		got, err := ParseTenantDiscovery("https://login.microsoftonline.com", "contoso.com", body, status)
		if err != nil {
			if got != nil {
				t.Fatal("a result with an error")
			}
			if !textsafe.Safe(err.Error()) {
				t.Fatalf("unsafe error: %q", err)
			}
			return
		}
		if len(got.TenantID) != 36 || strings.ToLower(got.TenantID) != got.TenantID {
			t.Fatalf("tenant ID %q", got.TenantID)
		}
		for _, s := range []string{got.Issuer, got.Region, got.Cloud} {
			if !textsafe.Safe(s) {
				t.Fatalf("unsafe text %q", s)
			}
		}
	})
}

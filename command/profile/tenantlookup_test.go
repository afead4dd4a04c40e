package profile

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
)

// entra answers discovery as Entra does: contoso.com is tenant's, any
// other domain is unknown (AADSTS90002).
func entra(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/contoso.com/v2.0/.well-known/openid-configuration" {
			base := "https://" + r.Host + "/" + tenant
			_, _ = w.Write([]byte(`{"issuer":"` + base + `/v2.0","token_endpoint":"` + base + `/oauth2/v2.0/token","jwks_uri":"` + base +
				`/discovery/v2.0/keys","tenant_region_scope":"EU","cloud_instance_name":"microsoftonline.com"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found. Trace ID: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","error_codes":[90002]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func lookupArgs(name, authority string, extra ...string) []string {
	return append([]string{"add", name, "--authority", authority, "--client-id", client, "--cluster", "westeurope-1",
		"--project", "acme-dev", "--flow", "browser"}, extra...)
}

func TestAddFindsTheTenant(t *testing.T) {
	srv := entra(t)
	tests := []struct {
		name   string
		tty    bool
		stdin  string
		args   []string
		code   int
		says   []string
		stored []string
		absent []string
	}{
		{name: "e-mail, in a script", args: []string{"--email", "alice@Contoso.com"},
			says:   []string{"The domain contoso.com belongs to the Entra tenant " + tenant + " (issuer " + srv.URL + "/" + tenant + "/v2.0, region EU)."},
			stored: []string{"tenant: " + tenant, "authority: " + srv.URL + "/" + tenant, "login_hint: alice@Contoso.com"}},
		{name: "domain, confirmed in a terminal", tty: true, stdin: "y\n", args: []string{"--domain", "contoso.com"},
			says: []string{"Use the tenant " + tenant + " for contoso.com?"}, stored: []string{"tenant: " + tenant}, absent: []string{"login_hint"}},
		{name: "refused in a terminal", tty: true, stdin: "n\n", args: []string{"--domain", "contoso.com"}, code: cmdutil.ExitError,
			says: []string{"stopped: no profile was added"}, absent: []string{"tenant:"}},
		{name: "--yes in a terminal asks nothing", tty: true, args: []string{"--email", "alice@contoso.com", "--yes"},
			stored: []string{"tenant: " + tenant}, absent: []string{"Use the tenant"}},
		{name: "a login hint of its own stays", args: []string{"--email", "alice@contoso.com", "--login-hint", "a.anders@contoso.com"},
			stored: []string{"login_hint: a.anders@contoso.com"}},
		{name: "unknown domain", args: []string{"--domain", "contoso.example"}, code: cmdutil.ExitError,
			says: []string{"no Entra tenant claims the domain contoso.example at " + srv.URL + " (AADSTS90002"}, absent: []string{"tenant:"}},
		{name: "with --tenant", args: []string{"--domain", "contoso.com", "--tenant", tenant}, code: cmdutil.ExitUsage, says: []string{"not both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.client = srv.Client()
			h.tty = tt.tty
			h.env["TERM"] = "dumb" // accessible prompts: lines on stdin
			r := h.run(tt.stdin, lookupArgs("dev", srv.URL, tt.args...)...)
			if got := cmdutil.ExitCode(r.err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, r.err, tt.code, r.errOut)
			}
			for _, s := range tt.says {
				if !strings.Contains(r.all(), s) {
					t.Errorf("lacks %q:\n%s", s, r.all())
				}
			}
			f := ""
			if tt.code == 0 {
				f = h.file()
			}
			for _, s := range tt.stored {
				if !strings.Contains(f, s) {
					t.Errorf("profiles.yaml lacks %q:\n%s", s, f)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(f, s) || strings.Contains(r.errOut, s) {
					t.Errorf("has %q:\n%s\n%s", s, f, r.errOut)
				}
			}
		})
	}
}

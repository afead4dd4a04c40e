package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFieldValidators(t *testing.T) {
	cases := []struct {
		name  string
		fn    func(string) error
		in    string
		errIs string // "" = valid
	}{
		{"tenant guid", ValidateTenant, tenantA, ""},
		{"tenant domain", ValidateTenant, "contoso.onmicrosoft.com", ""},
		{"tenant empty", ValidateTenant, "", "missing"},
		{"tenant url", ValidateTenant, "https://login.microsoftonline.com/x", "is a URL"},
		{"tenant common", ValidateTenant, "common", "multi-tenant"},
		{"tenant broken guid", ValidateTenant, "72f988bf-86f1-41af-91ab-2d7cd011db4", "not a GUID"},
		{"tenant word", ValidateTenant, "contoso", "neither a GUID nor a domain"},
		{"tenant spaces", ValidateTenant, " contoso.com", "spaces"},
		{"tenant bad label", ValidateTenant, "con_toso.com", "not a valid domain"},
		{"client guid", ValidateClientID, clientA, ""},
		{"client upper guid", ValidateClientID, strings.ToUpper(clientA), ""},
		{"client empty", ValidateClientID, "", "Application (client) ID"},
		{"client not guid", ValidateClientID, "my-app", "not a GUID"},
		{"cluster ok", ValidateCluster, "westeurope-1", ""},
		{"cluster api", ValidateCluster, "api", ""},
		{"cluster dot", ValidateCluster, "westeurope-1.cognitedata.com", `"westeurope-1"`},
		{"cluster url", ValidateCluster, "https://az-eastus-1.cognitedata.com", `here "az-eastus-1"`},
		{"cluster upper", ValidateCluster, "WestEurope", "lower-case"},
		{"cluster empty", ValidateCluster, "", "missing"},
		{"project ok", ValidateProject, "acme-dev", ""},
		{"project spaces", ValidateProject, "Acme Dev", `"acme-dev"`},
		{"project url", ValidateProject, "https://x/api/v1/projects/p", "not a URL"},
		{"project empty", ValidateProject, "", "missing"},
		{"project odd", ValidateProject, "acme!", "cannot have"},
		{"flow ok", ValidateFlow, "device", ""},
		{"flow alias", ValidateFlow, "client_credentials", `called "secret"`},
		{"flow bad", ValidateFlow, "magic", "not a flow"},
		{"authority empty", ValidateAuthority, "", ""},
		{"authority ok", ValidateAuthority, "https://login.microsoftonline.us/" + tenantA, ""},
		{"authority http", ValidateAuthority, "http://login.microsoftonline.com/" + tenantA, "does not use https"},
		{"authority no tenant", ValidateAuthority, "https://login.microsoftonline.com/", "no tenant"},
		{"authority junk", ValidateAuthority, "login.microsoftonline.com", "not a URL"},
		{"cdf_url ok", ValidateCDFURL, "https://westeurope-1.cognitedata.com", ""},
		{"cdf_url local http", ValidateCDFURL, "http://127.0.0.1:8080", ""},
		{"cdf_url remote http", ValidateCDFURL, "http://api.cognitedata.com", "does not use https"},
		{"cdf_url path", ValidateCDFURL, "https://api.cognitedata.com/api/v1", "has a path"},
		{"secret ref keyring", ValidateSecretRef, "keyring", ""},
		{"secret ref env", ValidateSecretRef, "env:IDP_CLIENT_SECRET", ""},
		{"secret ref bad env", ValidateSecretRef, "env:1X", "does not name"},
		{"secret in clear", ValidateSecretRef, "abc~def123", "never the secret"},
		{"env var", ValidateEnvVar, "MY_SECRET", ""},
		{"env var bad", ValidateEnvVar, "MY-SECRET", "not the secret itself"},
		{"name ok", ValidateName, "acme-prod.eu_1", ""},
		{"name empty", ValidateName, "", "needs a name"},
		{"name slash", ValidateName, "a/b", "not a usable"},
		{"name dash first", ValidateName, "-x", "not a usable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.fn(tc.in)
			if tc.errIs == "" {
				if err != nil {
					t.Fatalf("%q: unexpected error %v", tc.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errIs) {
				t.Fatalf("%q: error %v, want one containing %q", tc.in, err, tc.errIs)
			}
		})
	}
}

func TestSecretNeverQuoted(t *testing.T) {
	const secret = "Sup3r~Secr3t.Value"
	p := goodProfile("dev")
	p.Flow, p.ClientSecret, p.CertificatePassword = FlowSecret, secret, secret
	err := Validate(p)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("Validate = %v: want an error that does not quote the secret", err)
	}
}

func TestRedirectPort(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{{"53000", 53000, false}, {" 8400 ", 8400, false}, {"0", 0, false}, {"65536", 65536, true}, {"-1", -1, true}, {"x", 0, true}} {
		got, err := ParseRedirectPort(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseRedirectPort(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestParseFlowAndScopes(t *testing.T) {
	for in, want := range map[string]Flow{"browser": FlowBrowser, "Interactive": FlowBrowser, "device_code": FlowDevice, "client_credentials": FlowSecret, "client_certificate": FlowCertificate} {
		if got, err := ParseFlow(in); err != nil || got != want {
			t.Errorf("ParseFlow(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFlow("token"); err == nil {
		t.Error("ParseFlow(token) succeeded")
	}
	if got := ParseScopes("a, b\tc,,d"); strings.Join(got, "|") != "a|b|c|d" {
		t.Errorf("ParseScopes = %q", got)
	}
}

func TestValidateProfile(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(cert, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*Profile)
		fields []string // fields with problems; nil = valid
	}{
		{"valid browser", func(p *Profile) {}, nil},
		{"valid secret", func(p *Profile) { p.Flow, p.ClientSecret = FlowSecret, "keyring" }, nil},
		{"secret without ref", func(p *Profile) { p.Flow = FlowSecret }, []string{"client_secret"}},
		{"valid certificate", func(p *Profile) { p.Flow, p.Certificate = FlowCertificate, cert }, nil},
		{"certificate missing", func(p *Profile) { p.Flow = FlowCertificate }, []string{"certificate"}},
		{"certificate unreadable", func(p *Profile) { p.Flow, p.Certificate = FlowCertificate, filepath.Join(dir, "nope.pem") }, []string{"certificate"}},
		{"certificate is dir", func(p *Profile) { p.Flow, p.Certificate = FlowCertificate, dir }, []string{"certificate"}},
		{"ca missing", func(p *Profile) { p.CAFile = filepath.Join(dir, "ca.pem") }, []string{"ca_file"}},
		{"tenant as client", func(p *Profile) { p.ClientID = p.Tenant }, []string{"client_id"}},
		{"cdf_url instead of cluster", func(p *Profile) { p.Cluster, p.CDFURL = "", "https://127.0.0.1:9443" }, nil},
		{"neither cluster nor url", func(p *Profile) { p.Cluster = "" }, []string{"cluster"}},
		{"many", func(p *Profile) { p.Tenant, p.Project, p.RedirectPort = "x", "a b", 70000 }, []string{"tenant", "project", "redirect_port"}},
		{"bad scopes", func(p *Profile) { p.Scopes = []string{"a b"} }, []string{"scopes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := goodProfile("dev")
			tc.change(&p)
			err := Validate(p)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want *ValidationError", err)
			}
			if len(ve.Problems) != len(tc.fields) {
				t.Errorf("problems %v, want fields %v", err, tc.fields)
			}
			for _, f := range tc.fields {
				if ve.Field(f) == nil {
					t.Errorf("no problem on %s in %v", f, err)
				}
			}
		})
	}
}

func TestNearest(t *testing.T) {
	for in, want := range map[string]string{
		"clientId": "client_id", "client-id": "client_id", "tennant": "tenant", "CDF_URL": "cdf_url",
		"redirectport": "redirect_port", "certficate": "certificate", "banana": "", "scope": "scopes",
	} {
		if got := Nearest(in, Keys); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateField(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		ok         bool
	}{
		{"tenant", tenantA, true}, {"tenant", "x", false}, {"client_id", clientA, true}, {"client_id", "x", false},
		{"cluster", "api", true}, {"cluster", "a.b", false}, {"project", "p", true}, {"project", "a b", false},
		{"flow", "device", true}, {"flow", "x", false}, {"redirect_port", "", true}, {"redirect_port", "99999", false},
		{"scopes", "a, b", true}, {"client_secret", "keyring", true}, {"client_secret", "hunter2", false},
		{"login_hint", "anything", true}, {"name", "a/b", false}, {"authority", "http://x/t", false}, {"cdf_url", "https://x", true},
	} {
		if err := ValidateField(tc.key, tc.value); (err == nil) != tc.ok {
			t.Errorf("ValidateField(%s, %q) = %v", tc.key, tc.value, err)
		}
	}
	if err := ValidateField("clientid", "x"); err == nil || !strings.Contains(err.Error(), `"client_id"`) {
		t.Errorf("unknown key: %v", err)
	}
}

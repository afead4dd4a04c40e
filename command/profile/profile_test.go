package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/profiles"
)

const (
	tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	client = "1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d"
	secret = "Zq8~very.secret-VALUE_42"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fakeTokens is a Tokens with a canned cache per profile.
type fakeTokens struct {
	cached    map[string]*flows.Tokens
	cachedErr error
	logouts   []string
	logoutErr error
}

func (f *fakeTokens) Cached(p profiles.Profile) (*flows.Tokens, error) {
	if f.cachedErr != nil {
		return nil, f.cachedErr
	}
	return f.cached[p.Name], nil
}

func (f *fakeTokens) Logout(p profiles.Profile) ([]string, error) {
	f.logouts = append(f.logouts, p.Name)
	if f.logoutErr != nil {
		return nil, f.logoutErr
	}
	return []string{"/cache/" + p.Name + ".json"}, nil
}

type harness struct {
	t       *testing.T
	tty     bool // stdin is a terminal
	dir     string
	path    string
	keyring secrets.Keyring
	tokens  *fakeTokens
	env     map[string]string
	files   map[string][]byte
	client  *http.Client // for the authority (add --email)
}

func newHarness(t *testing.T) *harness {
	dir := filepath.Join(t.TempDir(), "home")
	return &harness{t: t, dir: dir, path: filepath.Join(dir, "profiles.yaml"), keyring: secrets.NewMemory(),
		tokens: &fakeTokens{cached: map[string]*flows.Tokens{}}, env: map[string]string{}, files: map[string][]byte{}}
}

type result struct {
	out, errOut string
	err         error
}

func (r result) all() string { return r.out + r.errOut + errString(r.err) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errOut bytes.Buffer
	opts := &Options{
		IO:         &cmdutil.IOStreams{In: h.stdin(stdin), Out: &out, ErrOut: &errOut, InTTY: h.tty, ErrTTY: h.tty},
		Now:        func() time.Time { return now },
		Getenv:     func(k string) string { return h.env[k] },
		Store:      func() (*profiles.Store, error) { return profiles.NewStore(h.path), nil },
		Keyring:    h.keyring,
		Tokens:     func() (Tokens, error) { return h.tokens, nil },
		ReadFile:   func(p string) ([]byte, error) { return h.files[p], nil },
		HTTPClient: func(profiles.Profile) (*http.Client, error) { return h.client, nil },
		WriteFile: func(p string, b []byte) error {
			h.files[p] = b
			return nil
		},
	}
	cmd := New(opts)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return result{out: out.String(), errOut: errOut.String(), err: err}
}

// stdin is the input: as a terminal gives it (a line a read) when the
// harness plays one.
func (h *harness) stdin(s string) io.Reader {
	if h.tty {
		return &lineReader{lines: strings.SplitAfter(s, "\n")}
	}
	return strings.NewReader(s)
}

// lineReader returns one line a Read, as a terminal in line mode does.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	for len(r.lines) > 0 && r.lines[0] == "" {
		r.lines = r.lines[1:]
	}
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0])
	r.lines[0] = r.lines[0][n:]
	return n, nil
}

func (h *harness) file() string {
	b, err := os.ReadFile(h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) write(content string) {
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(h.path, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

var addDev = []string{"add", "dev", "--tenant", tenant, "--client-id", client, "--cluster", "westeurope-1", "--project", "acme-dev", "--flow", "browser"}

func addArgs(name string, extra ...string) []string {
	return append([]string{"add", name, "--tenant", tenant, "--client-id", client, "--cluster", "westeurope-1", "--project", "acme-" + name}, extra...)
}

func TestAddSecretStdinGoesToKeyring(t *testing.T) {
	h := newHarness(t)
	r := h.run(secret+"\n", addArgs("ci", "--flow", "secret", "--secret-stdin")...)
	if r.err != nil {
		t.Fatal(r.err)
	}
	got, err := h.keyring.Get(secrets.Service, "ci/client_secret")
	if err != nil || got != secret {
		t.Fatalf("keyring = %q, %v", got, err)
	}
	f := h.file()
	if !strings.Contains(f, "client_secret: keyring") || strings.Contains(f, secret) {
		t.Errorf("file:\n%s", f)
	}
	if strings.Contains(r.all(), secret) {
		t.Errorf("output shows the secret: %s", r.all())
	}
	show := h.run("", "show", "ci")
	if !strings.Contains(show.out, "keyring  [set]") || strings.Contains(show.all(), secret) {
		t.Errorf("show:\n%s", show.all())
	}
}

func TestAddSecretStdinWithoutKeyring(t *testing.T) {
	h := newHarness(t)
	h.keyring = secrets.Unavailable{Reason: "no Secret Service"}
	r := h.run(secret, addArgs("ci", "--flow", "secret", "--secret-stdin")...)
	if r.err == nil || !strings.Contains(r.err.Error(), "--secret-env VAR") || !strings.Contains(r.err.Error(), "no Secret Service") {
		t.Fatalf("err = %v", r.err)
	}
	if strings.Contains(r.all(), secret) {
		t.Errorf("output shows the secret")
	}
	if _, err := os.Stat(h.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("profile written although the secret had nowhere to go: %v", err)
	}
}

func TestAddValidation(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		has  []string
	}{
		{"bad ids", []string{"add", "dev", "--tenant", "nope", "--client-id", "x", "--cluster", "westeurope-1.cognitedata.com", "--project", "Acme Dev", "--flow", "browser"}, cmdutil.ExitUsage,
			[]string{"--tenant: ", "--client-id: ", "--cluster: ", `"westeurope-1"`, "--project: "}},
		{"secret flow without ref", addArgs("ci", "--flow", "secret"), cmdutil.ExitUsage, []string{"--secret-env/--secret-stdin"}},
		{"bad flow", addArgs("ci", "--flow", "magic"), cmdutil.ExitUsage, []string{"--flow: "}},
		{"both secret flags", addArgs("ci", "--flow", "secret", "--secret-env", "X", "--secret-stdin"), cmdutil.ExitUsage, []string{"either"}},
		{"bad env name", addArgs("ci", "--flow", "secret", "--secret-env", "MY-SECRET"), cmdutil.ExitUsage, []string{"not the secret itself"}},
		{"no name", []string{"add"}, cmdutil.ExitUsage, []string{"exactly one profile name"}},
		{"port", addArgs("ci", "--flow", "browser", "--redirect-port", "70000"), cmdutil.ExitUsage, []string{"--redirect-port: "}},
		{"missing certificate", addArgs("ci", "--flow", "certificate", "--certificate", "/nope/app.pem"), cmdutil.ExitUsage, []string{"--certificate: ", "does not exist"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.run("", tc.args...)
			if cmdutil.ExitCode(r.err) != tc.code {
				t.Fatalf("exit %d (%v), want %d", cmdutil.ExitCode(r.err), r.err, tc.code)
			}
			for _, s := range tc.has {
				if !strings.Contains(r.err.Error(), s) {
					t.Errorf("error lacks %q:\n%v", s, r.err)
				}
			}
			if _, err := os.Stat(h.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("file written on a failed add")
			}
		})
	}
}

func TestAddDuplicateKeepsKeyring(t *testing.T) {
	h := newHarness(t)
	if r := h.run("old", addArgs("ci", "--flow", "secret", "--secret-stdin")...); r.err != nil {
		t.Fatal(r.err)
	}
	r := h.run("new", addArgs("ci", "--flow", "secret", "--secret-stdin")...)
	if !errors.Is(r.err, profiles.ErrExists) {
		t.Fatalf("err = %v", r.err)
	}
	if v, _ := h.keyring.Get(secrets.Service, "ci/client_secret"); v != "old" {
		t.Errorf("a refused add changed the keyring: %q", v)
	}
}

func TestEdit(t *testing.T) {
	h := newHarness(t)
	h.write("# mine\nprofiles:\n  dev: # development\n    tenant: " + tenant + "\n    client_id: " + client + "\n    cluster: westeurope-1 # EU\n    project: acme-dev\n    flow: browser\n    scopes: [a, b]\n")
	if r := h.run("", "edit", "dev", "--cluster", "az-eastus-1", "--unset", "scopes", "--login-hint", "ada@contoso.com", "--default"); r.err != nil {
		t.Fatal(r.err)
	}
	f := h.file()
	for _, want := range []string{"# mine\n", "dev: # development\n", "cluster: az-eastus-1 # EU\n", "login_hint: ada@contoso.com\n", "default: true\n"} {
		if !strings.Contains(f, want) {
			t.Errorf("file lacks %q:\n%s", want, f)
		}
	}
	if strings.Contains(f, "scopes") {
		t.Errorf("scopes not unset:\n%s", f)
	}
	if r := h.run("", "edit", "dev"); cmdutil.ExitCode(r.err) != cmdutil.ExitUsage {
		t.Errorf("edit without flags = %v", r.err)
	}
	if r := h.run("", "edit", "dev", "--unset", "scope"); r.err == nil || !strings.Contains(r.err.Error(), "did you mean scopes") {
		t.Errorf("--unset typo = %v", r.err)
	}
	if r := h.run("", "edit", "dev", "--client-id", "nope"); cmdutil.ExitCode(r.err) != cmdutil.ExitUsage {
		t.Errorf("invalid edit = %v", r.err)
	}
	if r := h.run("", "edit", "dvv", "--cluster", "api"); !errors.Is(r.err, profiles.ErrNotFound) || !strings.Contains(r.err.Error(), `did you mean "dev"`) {
		t.Errorf("edit of a typo = %v", r.err)
	}
}

func TestEditSecretsAndRename(t *testing.T) {
	h := newHarness(t)
	if r := h.run(secret, addArgs("ci", "--flow", "secret", "--secret-stdin")...); r.err != nil {
		t.Fatal(r.err)
	}
	if r := h.run("", "edit", "ci", "--name", "build"); r.err != nil {
		t.Fatal(r.err)
	}
	if _, err := h.keyring.Get(secrets.Service, "ci/client_secret"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("old keyring item still there: %v", err)
	}
	if v, err := h.keyring.Get(secrets.Service, "build/client_secret"); err != nil || v != secret {
		t.Errorf("renamed keyring item = %q, %v", v, err)
	}
	if r := h.run("", "edit", "build", "--secret-env", "CI_SECRET"); r.err != nil {
		t.Fatal(r.err)
	}
	if _, err := h.keyring.Get(secrets.Service, "build/client_secret"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring item kept after switching to env: %v", err)
	}
	if !strings.Contains(h.file(), "client_secret: env:CI_SECRET") {
		t.Errorf("file:\n%s", h.file())
	}
}

func TestRemove(t *testing.T) {
	h := newHarness(t)
	if r := h.run(secret, addArgs("ci", "--flow", "secret", "--secret-stdin")...); r.err != nil {
		t.Fatal(r.err)
	}
	if r := h.run("", addDev...); r.err != nil {
		t.Fatal(r.err)
	}
	r := h.run("", "remove", "ci")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(h.tokens.logouts) != 1 || h.tokens.logouts[0] != "ci" {
		t.Errorf("logouts = %v", h.tokens.logouts)
	}
	if _, err := h.keyring.Get(secrets.Service, "ci/client_secret"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring item kept: %v", err)
	}
	if strings.Contains(h.file(), "ci:") || !strings.Contains(h.file(), "dev:") {
		t.Errorf("file:\n%s", h.file())
	}
	if !strings.Contains(r.errOut, "/cache/ci.json") {
		t.Errorf("output: %s", r.errOut)
	}
	h.tokens.logoutErr = errors.New("cache locked")
	r = h.run("", "remove", "dev")
	if r.err == nil || !strings.Contains(r.errOut, "cache locked") {
		t.Errorf("remove with a failing logout = %v / %s", r.err, r.errOut)
	}
	if strings.Contains(h.file(), "dev:") {
		t.Errorf("dev not removed:\n%s", h.file())
	}
}

func TestListTokenStates(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"valid", "expired", "none"} {
		if r := h.run("", addArgs(n, "--flow", "device")...); r.err != nil {
			t.Fatal(r.err)
		}
	}
	h.tokens.cached["valid"] = &flows.Tokens{ExpiresOn: now.Add(52 * time.Minute), Account: flows.Account{Username: "ada@contoso.com"}}
	h.tokens.cached["expired"] = &flows.Tokens{ExpiresOn: now.Add(-time.Minute)}
	r := h.run("", "list")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{"NAME", "valid 52m", "expired", "none"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("list lacks %q:\n%s", want, r.out)
		}
	}
	r = h.run("", "list", "--json")
	var items []ListItem
	if err := json.Unmarshal([]byte(r.out), &items); err != nil || len(items) != 3 {
		t.Fatalf("list --json: %v\n%s", err, r.out)
	}
	if items[0].Name != "valid" || items[0].Token.State != "valid" || items[0].Token.Account != "ada@contoso.com" || items[1].Token.State != "expired" || items[2].Token.State != "none" {
		t.Errorf("json items: %+v", items)
	}
	h.tokens.cachedErr = errors.New("not readable")
	if r := h.run("", "list"); !strings.Contains(r.out, "unknown") {
		t.Errorf("list with unreadable cache:\n%s", r.out)
	}
}

func TestImportDotenv(t *testing.T) {
	env := "# toolkit\nCDF_CLUSTER=westeurope-1\nCDF_PROJECT=acme-dev\nLOGIN_FLOW=client_credentials\nIDP_CLIENT_ID=" + client + "\nIDP_CLIENT_SECRET=" + secret + "\nIDP_TENANT_ID=" + tenant + "\n"
	t.Run("keyring", func(t *testing.T) {
		h := newHarness(t)
		h.files[".env"] = []byte(env)
		r := h.run("", "import", ".env", "--default")
		if r.err != nil {
			t.Fatal(r.err)
		}
		if v, _ := h.keyring.Get(secrets.Service, "acme-dev/client_secret"); v != secret {
			t.Errorf("keyring = %q", v)
		}
		if f := h.file(); strings.Contains(f, secret) || !strings.Contains(f, "client_secret: keyring") || !strings.Contains(f, "default: true") {
			t.Errorf("file:\n%s", f)
		}
		if strings.Contains(r.all(), secret) {
			t.Errorf("output shows the secret")
		}
	})
	t.Run("no keyring", func(t *testing.T) {
		h := newHarness(t)
		h.keyring = secrets.Unavailable{Reason: "locked"}
		h.files[".env"] = []byte(env)
		r := h.run("", "import", ".env", "--name", "ci")
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !strings.Contains(r.errOut, "Warning:") || !strings.Contains(r.errOut, "IDP_CLIENT_SECRET") {
			t.Errorf("no warning:\n%s", r.errOut)
		}
		if f := h.file(); strings.Contains(f, secret) || !strings.Contains(f, "client_secret: env:IDP_CLIENT_SECRET") {
			t.Errorf("file:\n%s", f)
		}
		if strings.Contains(r.all(), secret) {
			t.Errorf("output shows the secret")
		}
	})
	t.Run("unmappable", func(t *testing.T) {
		h := newHarness(t)
		h.files[".env"] = []byte("PROVIDER=auth0\n" + env)
		r := h.run("", "import", ".env")
		if r.err == nil || !strings.Contains(r.err.Error(), "PROVIDER=auth0") || !strings.Contains(r.err.Error(), "nothing was imported") {
			t.Fatalf("err = %v", r.err)
		}
		if _, err := os.Stat(h.path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file written")
		}
		if m := h.keyring.(*secrets.Memory); m.Len() != 0 {
			t.Errorf("keyring written")
		}
	})
	t.Run("certificate needs path", func(t *testing.T) {
		h := newHarness(t)
		h.files["sdk.yaml"] = []byte("client:\n  project: acme-dev\n  base_url: https://westeurope-1.cognitedata.com\n  credentials:\n    client_certificate:\n      authority_url: https://login.microsoftonline.com/" + tenant + "\n      client_id: " + client + "\n      cert_thumbprint: AB\n      certificate: ${PEM}\n")
		r := h.run("", "import", "sdk.yaml")
		if cmdutil.ExitCode(r.err) != cmdutil.ExitUsage || !strings.Contains(r.err.Error(), "--certificate PATH") {
			t.Fatalf("err = %v", r.err)
		}
		pem := filepath.Join(t.TempDir(), "app.pem")
		if err := os.WriteFile(pem, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := h.run("", "import", "sdk.yaml", "--certificate", pem); r.err != nil {
			t.Fatal(r.err)
		}
	})
}

func TestExport(t *testing.T) {
	h := newHarness(t)
	if r := h.run("", addArgs("ci", "--flow", "secret", "--secret-env", "CI_SECRET")...); r.err != nil {
		t.Fatal(r.err)
	}
	for format, want := range map[string]string{"dotenv": "IDP_CLIENT_SECRET=${CI_SECRET}", "sdk-yaml": "client_secret: ${CI_SECRET}", "python": `os.environ["CI_SECRET"]`} {
		r := h.run("", "export", "ci", "--format", format)
		if r.err != nil || !strings.Contains(r.out, want) {
			t.Errorf("export %s = %v\n%s", format, r.err, r.out)
		}
	}
	if r := h.run("", "export", "ci", "--format", "python", "-o", "client.py"); r.err != nil || !strings.Contains(string(h.files["client.py"]), "OAuthClientCredentials") {
		t.Errorf("export -o: %v", r.err)
	}
	if r := h.run("", "export", "ci"); cmdutil.ExitCode(r.err) != cmdutil.ExitUsage {
		t.Errorf("export without --format = %v", r.err)
	}
	// export → import gives the same profile back.
	r := h.run("", "export", "ci", "--format", "sdk-yaml")
	h.files["ci.yaml"] = []byte(r.out)
	if r := h.run("", "import", "ci.yaml", "--name", "ci2"); r.err != nil {
		t.Fatal(r.err)
	}
	a, _ := profiles.NewStore(h.path).Get("ci")
	b, _ := profiles.NewStore(h.path).Get("ci2")
	b.Name = a.Name
	if a.Tenant != b.Tenant || a.ClientSecret != b.ClientSecret || a.Flow != b.Flow || a.Project != b.Project || a.Cluster != b.Cluster {
		t.Errorf("round trip: %+v vs %+v", a, b)
	}
}

// TestBrokenFileUntouched: with a profiles.yaml that does not parse, every
// command fails naming file:line:column and leaves the file byte for byte
// as it was (and the keyring alone).
func TestBrokenFileUntouched(t *testing.T) {
	broken := "# hand edited\r\nprofiles:\r\n  dev:\r\n    tenant: " + tenant + "\r\n    clientid: " + client + "\r\n"
	envFile := "CDF_CLUSTER=westeurope-1\nCDF_PROJECT=acme-dev\nLOGIN_FLOW=client_credentials\nIDP_CLIENT_ID=" + client + "\nIDP_CLIENT_SECRET=" + secret + "\nIDP_TENANT_ID=" + tenant + "\n"
	for _, args := range [][]string{
		{"list"}, {"list", "--json"}, {"show", "dev"}, {"show", "dev", "--json"},
		addArgs("new", "--flow", "browser"), addArgs("ci", "--flow", "secret", "--secret-stdin"),
		{"edit", "dev", "--cluster", "api"}, {"edit", "dev", "--name", "x"},
		{"remove", "dev"}, {"import", ".env"}, {"export", "dev", "--format", "dotenv"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h := newHarness(t)
			h.write(broken)
			h.files[".env"] = []byte(envFile)
			r := h.run(secret, args...)
			if r.err == nil {
				t.Fatalf("succeeded on a broken file:\n%s", r.all())
			}
			if !strings.Contains(r.err.Error(), h.path+":5:5:") || !strings.Contains(r.err.Error(), `did you mean "client_id"`) {
				t.Errorf("error lacks file:line:column and the suggestion: %v", r.err)
			}
			if got := h.file(); got != broken {
				t.Errorf("file changed:\n%q", got)
			}
			if h.keyring.(*secrets.Memory).Len() != 0 || len(h.tokens.logouts) != 0 {
				t.Errorf("keyring or cache touched")
			}
		})
	}
}

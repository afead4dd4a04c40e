package env

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

var devProfile = profiles.Profile{Name: "dev", Tenant: "tid-1", ClientID: "cid-1", Cluster: "westeurope-1", Project: "acme-dev", Flow: profiles.FlowDevice}

func run(t *testing.T, fake *cmdtest.FakeFlows, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts := &Options{
		IO:      &cmdutil.IOStreams{Out: &out, ErrOut: &errOut},
		Profile: func(string) (profiles.Profile, error) { return devProfile, nil },
		Flows:   func() (cmdutil.Flows, error) { return fake, nil },
	}
	cmd := newCmd(opts, Run)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestEnvFormats(t *testing.T) {
	tok := &flows.Tokens{AccessToken: "eyJ0.eyJ1.sig", ExpiresOn: time.Now().Add(time.Hour)}
	tests := []struct {
		format string
		want   string
	}{
		{"sh", `export CDF_TOKEN='eyJ0.eyJ1.sig'
export CDF_PROJECT='acme-dev'
export CDF_CLUSTER='westeurope-1'
export CDF_URL='https://westeurope-1.cognitedata.com'
export LOGIN_FLOW='token'
export IDP_TENANT_ID='tid-1'
export IDP_CLIENT_ID='cid-1'
export CDFLOGIN_PROFILE='dev'
`},
		{"dotenv", `CDF_TOKEN=eyJ0.eyJ1.sig
CDF_PROJECT=acme-dev
CDF_CLUSTER=westeurope-1
CDF_URL=https://westeurope-1.cognitedata.com
LOGIN_FLOW=token
IDP_TENANT_ID=tid-1
IDP_CLIENT_ID=cid-1
CDFLOGIN_PROFILE=dev
`},
		{"powershell", `$env:CDF_TOKEN = 'eyJ0.eyJ1.sig'
$env:CDF_PROJECT = 'acme-dev'
$env:CDF_CLUSTER = 'westeurope-1'
$env:CDF_URL = 'https://westeurope-1.cognitedata.com'
$env:LOGIN_FLOW = 'token'
$env:IDP_TENANT_ID = 'tid-1'
$env:IDP_CLIENT_ID = 'cid-1'
$env:CDFLOGIN_PROFILE = 'dev'
`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, stderr, err := run(t, &cmdtest.FakeFlows{SilentTokens: tok}, "--format", tt.format)
			if err != nil || stderr != "" {
				t.Fatalf("err %v stderr %q", err, stderr)
			}
			if out != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestEnvErrors(t *testing.T) {
	out, _, err := run(t, &cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}})
	if cmdutil.ExitCode(err) != cmdutil.ExitLoginRequired || out != "" {
		t.Errorf("sign-in needed: code %d, stdout %q", cmdutil.ExitCode(err), out)
	}
	_, _, err = run(t, &cmdtest.FakeFlows{}, "--format", "fish")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "sh, dotenv, powershell") {
		t.Errorf("bad format: %v", err)
	}
	if _, err := Format("sh", []Var{{"X", "a\nb"}}); err == nil {
		t.Error("a line break must be refused")
	}
}

func TestQuoting(t *testing.T) {
	tests := []struct {
		in, sh, dotenv, ps string
	}{
		{"plain", `'plain'`, `plain`, `'plain'`},
		{"", `''`, `''`, `''`},
		{"it's", `'it'\''s'`, `"it's"`, `'it''s'`},
		{`a "b" $c`, `'a "b" $c'`, `'a "b" $c'`, `'a "b" $c'`},
		// ' and $ together: no .env quoting reads alike in python-dotenv and a shell.
		{`it's $HOME\"`, `'it'\''s $HOME\"'`, "", `'it''s $HOME\"'`},
		{"smart\u2019quote", "'smart\u2019quote'", "'smart\u2019quote'", "'smart\u2019\u2019quote'"},
	}
	for _, tt := range tests {
		for format, want := range map[string]string{"sh": tt.sh, "dotenv": tt.dotenv, "powershell": tt.ps} {
			got, err := Format(format, []Var{{"X", tt.in}})
			if want == "" {
				if err == nil || strings.Contains(err.Error(), tt.in) {
					t.Errorf("%s of %q = %q, %v; want a refusal that does not quote the value", format, tt.in, got, err)
				}
				continue
			}
			if err != nil || !strings.HasSuffix(got, want+"\n") {
				t.Errorf("%s of %q = %q, %v; want %s", format, tt.in, got, err, want)
			}
		}
	}
}

// TestTokenShapeBeforeExport (issue 16, item 1): an access token that is
// not an RFC 6750 bearer token is exported in no format.
func TestTokenShapeBeforeExport(t *testing.T) {
	for _, format := range Formats {
		text, err := Format(format, []Var{{"CDF_TOKEN", "x'`id>PWNED`."}})
		if err == nil || strings.Contains(err.Error(), "PWNED") {
			t.Errorf("%s: %q, %v; want a refusal that does not quote the token", format, text, err)
		}
	}
}

// TestShRoundTrip evaluates the sh output in a real shell: every value
// comes back unchanged.
func TestShRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	values := []string{`it's`, `a "b" $HOME`, "`id`", `back\slash`, `$(echo pwned)`, "tab\there", "ünïcode ✓", `'`, `''`}
	for _, v := range values {
		text, err := Format("sh", []Var{{"CDF_URL", v}})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sh, "-c", text+`printf '%s' "$CDF_URL"`)
		cmd.Env = []string{"HOME=/nowhere", "PATH=/usr/bin:/bin"}
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("sh on %q: %v", text, err)
		}
		if string(got) != v {
			t.Errorf("sh read %q back as %q", v, got)
		}
	}
}

// TestEnvMinValid: with --min-valid, a token that cannot stay valid that
// long prints nothing and exits 5, so eval "$(cdflogin env …)" || exit
// fails the script; the default only warns, as token does.
func TestEnvMinValid(t *testing.T) {
	short := &flows.Tokens{AccessToken: "eyJ0.eyJ1.sig", ExpiresOn: time.Now().Add(20 * time.Minute)}
	fake := &cmdtest.FakeFlows{SilentTokens: short}
	out, _, err := run(t, fake, "--min-valid", "45m")
	if cmdutil.ExitCode(err) != cmdutil.ExitTooShort || out != "" || !strings.Contains(err.Error(), "less than --min-valid 45m0s") {
		t.Errorf("too short: code %d (%v), stdout %q", cmdutil.ExitCode(err), err, out)
	}
	if len(fake.SilentCalls) != 1 || fake.SilentCalls[0].MinValid != 45*time.Minute {
		t.Errorf("Silent calls %+v, want one with MinValid 45m", fake.SilentCalls)
	}
	out, _, err = run(t, &cmdtest.FakeFlows{SilentTokens: short}, "--min-valid", "15m")
	if err != nil || !strings.Contains(out, "CDF_TOKEN='eyJ0.eyJ1.sig'") {
		t.Errorf("long enough: %v, stdout %q", err, out)
	}
	_, _, err = run(t, &cmdtest.FakeFlows{SilentTokens: short}, "--min-valid", "-1s")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("negative: %v", err)
	}
}

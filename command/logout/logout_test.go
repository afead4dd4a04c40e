package logout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/profiles"
)

func run(t *testing.T, fake *cmdtest.FakeFlows, list []profiles.Profile, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts := &Options{
		IO: &cmdutil.IOStreams{Out: &out, ErrOut: &errOut},
		Profile: func(name string) (profiles.Profile, error) {
			if name == "" {
				name = "dev"
			}
			for _, p := range list {
				if p.Name == name {
					return p, nil
				}
			}
			return profiles.Profile{}, errors.New("no profile " + name)
		},
		List:  func() ([]profiles.Profile, error) { return list, nil },
		Flows: func() (cmdutil.Flows, error) { return fake, nil },
	}
	cmd := newCmd(opts, Run)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestLogout(t *testing.T) {
	list := []profiles.Profile{{Name: "dev"}, {Name: "prod"}, {Name: "ci"}}
	removed := map[string][]string{"dev": {"/c/dev.json"}, "ci": {"/c/ci.json", "/c/ci.json.corrupt-1"}}
	tests := []struct {
		name      string
		args      []string
		fake      cmdtest.FakeFlows
		wantCode  int
		wantErr   string // part of the error's message, when it fails
		wantCalls []string
		wantLines []string
	}{
		{"default profile", nil, cmdtest.FakeFlows{Removed: removed}, 0, "", []string{"dev"},
			[]string{`Removed the cached tokens of profile "dev": /c/dev.json`}},
		{"named profile without cache", []string{"-p", "prod"}, cmdtest.FakeFlows{Removed: removed}, 0, "", []string{"prod"},
			[]string{`Profile "prod" had no cached tokens.`}},
		{"all", []string{"--all"}, cmdtest.FakeFlows{Removed: removed}, 0, "", []string{"dev", "prod", "ci"},
			[]string{`"dev": /c/dev.json`, `"prod" had no cached tokens`, `"ci": /c/ci.json`, `"ci": /c/ci.json.corrupt-1`}},
		{"both -p and --all", []string{"-p", "dev", "--all"}, cmdtest.FakeFlows{}, cmdutil.ExitUsage, "use either -p NAME or --all, not both", nil, nil},
		{"unknown profile", []string{"-p", "nope"}, cmdtest.FakeFlows{}, cmdutil.ExitError, "no profile nope", nil, nil},
		{"removal fails", []string{"--all"}, cmdtest.FakeFlows{Removed: removed, LogoutErr: errors.New("remove /c/dev.json: permission denied")}, cmdutil.ExitError,
			"remove /c/dev.json: permission denied", []string{"dev", "prod", "ci"}, []string{`"dev": /c/dev.json`}},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := run(t, &tt.fake, list, tt.args...)
			if code := cmdutil.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
			if stdout != "" {
				t.Errorf("stdout must stay empty, got %q", stdout)
			}
			if strings.Join(tt.fake.LogoutCalls, ",") != strings.Join(tt.wantCalls, ",") {
				t.Errorf("Logout calls %v, want %v", tt.fake.LogoutCalls, tt.wantCalls)
			}
			for _, l := range tt.wantLines {
				if !strings.Contains(stderr, l) {
					t.Errorf("stderr lacks %q:\n%s", l, stderr)
				}
			}
		})
	}
}

func TestLogoutAllWithoutProfiles(t *testing.T) {
	_, stderr, err := run(t, &cmdtest.FakeFlows{}, nil, "--all")
	if err != nil || !strings.Contains(stderr, "nothing to remove") {
		t.Errorf("err %v stderr %q", err, stderr)
	}
}

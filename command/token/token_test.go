package token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func run(t *testing.T, fake *cmdtest.FakeFlows, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts := &Options{
		IO:  &cmdutil.IOStreams{Out: &out, ErrOut: &errOut},
		Now: func() time.Time { return now },
		Profile: func(name string) (profiles.Profile, error) {
			if name == "missing" {
				return profiles.Profile{}, errors.New(`choose a profile: no profile "missing"`)
			}
			return profiles.Profile{Name: "dev", ClientID: "cid", Tenant: "tid", Cluster: "westeurope-1", Flow: profiles.FlowDevice}, nil
		},
		Flows: func() (cmdutil.Flows, error) { return fake, nil },
	}
	cmd := newCmd(opts, Run)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func tokens(exp time.Duration) *flows.Tokens {
	return &flows.Tokens{Profile: "dev", AccessToken: "at.value.sig", TokenType: "Bearer", ExpiresOn: now.Add(exp),
		Scopes: []string{"https://westeurope-1.cognitedata.com/.default"}, FromCache: true}
}

func TestToken(t *testing.T) {
	entra := &aadsts.Error{Code: "invalid_grant", Description: "AADSTS700082: The refresh token has expired.", Codes: []int{700082}}
	tests := []struct {
		name       string
		fake       cmdtest.FakeFlows
		args       []string
		wantCode   int
		wantStdout string
		wantErr    string
		wantStderr string
		minValid   time.Duration // what Silent is asked for: 5 min unless --min-valid (the documented default)
	}{
		{name: "cached token only on stdout", fake: cmdtest.FakeFlows{SilentTokens: tokens(time.Hour)},
			wantStdout: "at.value.sig\n", minValid: 5 * time.Minute},
		{name: "min-valid is passed on", fake: cmdtest.FakeFlows{SilentTokens: tokens(time.Hour)}, args: []string{"--min-valid", "30m"},
			wantStdout: "at.value.sig\n", minValid: 30 * time.Minute},
		// A token that cannot live --min-valid fails the script that asked
		// (issue 15): exit 5, nothing on stdout.
		{name: "shorter than a given min-valid fails", fake: cmdtest.FakeFlows{SilentTokens: tokens(20 * time.Minute)}, args: []string{"--min-valid", "2h"},
			wantCode: cmdutil.ExitTooShort, wantErr: "less than --min-valid 2h0m0s", minValid: 2 * time.Hour},
		{name: "shorter than a given min-valid fails, JSON too", fake: cmdtest.FakeFlows{SilentTokens: tokens(20 * time.Minute)}, args: []string{"--min-valid", "45m", "--json"},
			wantCode: cmdutil.ExitTooShort, wantErr: "ask for less (--min-valid 19m)", minValid: 45 * time.Minute},
		{name: "shorter than the default min-valid warns", fake: cmdtest.FakeFlows{SilentTokens: tokens(2 * time.Minute)},
			wantStdout: "at.value.sig\n", wantStderr: "less than --min-valid 5m0s", minValid: 5 * time.Minute},
		{name: "sign-in needed exits 4", fake: cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}},
			wantCode: cmdutil.ExitLoginRequired, wantErr: "run: cdflogin login -p dev", minValid: 5 * time.Minute},
		{name: "expired refresh token exits 4", fake: cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "refresh token expired (AADSTS700082)", Err: entra}},
			wantCode: cmdutil.ExitLoginRequired, wantErr: "AADSTS700082", minValid: 5 * time.Minute},
		{name: "cached sign-in without access token exits 4", fake: cmdtest.FakeFlows{SilentTokens: &flows.Tokens{Profile: "dev"}},
			wantCode: cmdutil.ExitLoginRequired, wantErr: "cdflogin login -p dev", minValid: 5 * time.Minute},
		{name: "network error exits 1", fake: cmdtest.FakeFlows{SilentErr: &flows.NetworkError{Op: "refresh", Err: errors.New("connection refused")}},
			wantCode: cmdutil.ExitError, wantErr: "connection refused", minValid: 5 * time.Minute},
		{name: "negative min-valid is a usage error", args: []string{"--min-valid", "-1m"}, wantCode: cmdutil.ExitUsage, wantErr: "must not be negative"},
		{name: "unknown profile", args: []string{"-p", "missing"}, wantCode: cmdutil.ExitError, wantErr: `no profile "missing"`},
		{name: "arguments are refused", args: []string{"extra"}, wantCode: cmdutil.ExitUsage, wantErr: `takes no arguments, got "extra"`},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := run(t, &tt.fake, tt.args...)
			if code := cmdutil.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want it to contain %q", err, tt.wantErr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q, want %q", stderr, tt.wantStderr)
			}
			if tt.minValid != 0 {
				if len(tt.fake.SilentCalls) != 1 || tt.fake.SilentCalls[0].MinValid != tt.minValid || tt.fake.SilentCalls[0].Force {
					t.Errorf("Silent calls %+v, want one with MinValid %v", tt.fake.SilentCalls, tt.minValid)
				}
			}
		})
	}
}

func TestTokenJSON(t *testing.T) {
	fake := &cmdtest.FakeFlows{SilentTokens: tokens(time.Hour)}
	stdout, stderr, err := run(t, fake, "--json")
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	want := map[string]any{
		"access_token": "at.value.sig",
		"expires_on":   "2026-11-28T13:00:00Z",
		"token_type":   "Bearer",
		"profile":      "dev",
		"scopes":       []any{"https://westeurope-1.cognitedata.com/.default"},
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want exactly %v", got, want)
	}
	for k, v := range want {
		gb, _ := json.Marshal(got[k])
		wb, _ := json.Marshal(v)
		if string(gb) != string(wb) {
			t.Errorf("%s = %s, want %s", k, gb, wb)
		}
	}
	if _, err := time.Parse(time.RFC3339, got["expires_on"].(string)); err != nil {
		t.Errorf("expires_on is not RFC 3339: %v", err)
	}
}

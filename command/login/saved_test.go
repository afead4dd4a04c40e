package login

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestLoginChecksTheCache: login is for the cache. A sign-in the cache
// does not hold afterwards (a full disk, a read-only cache folder: the
// flows warned why) prints the sign-in, then fails with exit 1 naming the
// command to run again; a cache holding this token or a newer one is
// success.
func TestLoginChecksTheCache(t *testing.T) {
	signedIn := userTokens(profiles.FlowDevice)
	tests := []struct {
		name    string
		cached  *flows.Tokens
		readErr error
		wantErr string // "" for success
	}{
		{"this token is cached", &flows.Tokens{AccessToken: signedIn.AccessToken, ExpiresOn: signedIn.ExpiresOn}, nil, ""},
		{"a newer token is cached", &flows.Tokens{AccessToken: "newer", ExpiresOn: signedIn.ExpiresOn.Add(time.Minute)}, nil, ""},
		{"an older sign-in is cached", &flows.Tokens{AccessToken: "older", ExpiresOn: signedIn.ExpiresOn.Add(-time.Minute)}, nil, "not saved"},
		{"nothing is cached", nil, nil, "not saved"},
		{"the cache cannot be read", nil, errors.New("read the token cache: boom"), "cannot be read back: read the token cache: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			var asked []profiles.Profile
			opts := &Options{
				IO:      &cmdutil.IOStreams{Out: &out, ErrOut: &errOut},
				Now:     func() time.Time { return now },
				Profile: func(string) (profiles.Profile, error) { return devProfile, nil },
				Flows:   func() (cmdutil.Flows, error) { return &cmdtest.FakeFlows{LoginTokens: signedIn}, nil },
				Cached: func(p profiles.Profile) (*flows.Tokens, error) {
					asked = append(asked, p)
					return tt.cached, tt.readErr
				},
				Flow: string(profiles.FlowBrowser),
			}
			err := Run(context.Background(), opts)
			if len(asked) != 1 || asked[0].Name != "dev" || asked[0].Flow != profiles.FlowBrowser {
				t.Errorf("Cached asked for %+v, want profile dev with the flow signed in with (browser)", asked)
			}
			if !strings.Contains(errOut.String(), "Signed in as Alice <alice@contoso.example>") {
				t.Errorf("stderr %q lacks the sign-in", errOut.String())
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("err %v, want success", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `profile "dev"`) {
				t.Fatalf("err %v, want one saying %q", err, tt.wantErr)
			}
			if cmdutil.ExitCode(err) != cmdutil.ExitError {
				t.Errorf("exit %d, want %d", cmdutil.ExitCode(err), cmdutil.ExitError)
			}
			if tt.readErr == nil && !strings.Contains(err.Error(), "run cdflogin login -p dev again") {
				t.Errorf("err %v does not name the command to run again", err)
			}
			if strings.Contains(err.Error(), signedIn.AccessToken) || strings.Contains(out.String()+errOut.String(), signedIn.AccessToken) {
				t.Error("the token was printed")
			}
		})
	}
}

package cmdutil

import (
	"context"
	"errors"
	"testing"

	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

func TestSilentToken(t *testing.T) {
	dev := profiles.Profile{Name: "dev", Flow: profiles.FlowDevice}
	errNoFile := errors.New("read profiles: no such file")
	tests := []struct {
		name       string
		profileErr error
		serviceErr error
		fake       *cmdtest.FakeFlows
		wantCode   int // 0: success
		wantToken  string
	}{
		{name: "token", fake: &cmdtest.FakeFlows{SilentTokens: &flows.Tokens{AccessToken: "at"}}, wantToken: "at"},
		{name: "no such profile", profileErr: errNoFile, wantCode: ExitError},
		{name: "flows unavailable", serviceErr: errors.New("cache dir"), wantCode: ExitError},
		{name: "sign-in needed is exit 4", fake: &cmdtest.FakeFlows{SilentErr: &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}},
			wantCode: ExitLoginRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile := func(name string) (profiles.Profile, error) {
				if name != "dev" {
					t.Errorf("profile asked for %q, want dev", name)
				}
				return dev, tt.profileErr
			}
			service := func() (*cmdtest.FakeFlows, error) { return tt.fake, tt.serviceErr }
			p, tok, err := SilentToken(context.Background(), profile, service, "dev", flows.SilentOptions{})
			if tt.wantCode != 0 {
				if err == nil || ExitCode(err) != tt.wantCode {
					t.Fatalf("err %v (exit %d), want exit %d", err, ExitCode(err), tt.wantCode)
				}
				return
			}
			if err != nil || tok == nil || tok.AccessToken != tt.wantToken || p.Name != "dev" {
				t.Fatalf("got %v %+v %v", p.Name, tok, err)
			}
		})
	}
}

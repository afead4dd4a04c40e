package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/profiles"
)

func TestFlowError(t *testing.T) {
	p := profiles.Profile{Name: "dev", ClientID: "app-id", Tenant: "tid", Cluster: "westeurope-1", Flow: profiles.FlowDevice}
	entra := &aadsts.Error{Code: "invalid_grant", Description: "AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: x", Codes: []int{700082}, CorrelationID: "corr-1"}
	tests := []struct {
		name      string
		err       error
		wantCode  int
		wantLine  string
		wantMore  []string
		noDetails bool
	}{
		{"nil", nil, 0, "", nil, true},
		{"login required", &flows.LoginRequiredError{Profile: "dev", Reason: "no cached sign-in"}, ExitLoginRequired, "cdflogin login -p dev", nil, true},
		{"login required with AADSTS", &flows.LoginRequiredError{Profile: "dev", Reason: "refresh token expired", Err: entra}, ExitLoginRequired, "cdflogin login -p dev",
			[]string{"The refresh token has expired due to inactivity.", "Correlation ID: corr-1"}, false},
		// Entra's words on the Error: line, not again under it.
		{"entra refusal", &flows.EntraError{Op: "sign in", Err: entra}, ExitError, "sign in: Entra ID: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.", []string{"Correlation ID: corr-1"}, false},
		{"known code gets the portal fix", &flows.EntraError{Op: "device-code sign-in", Err: &aadsts.Error{Code: "invalid_client",
			Description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", Codes: []int{7000218}}},
			ExitError, "device-code sign-in", []string{"AADSTS7000218: ", "Allow public client flows", "app-id"}, false},
		{"plain error", errors.New("disk full"), ExitError, "disk full", nil, true},
		{"cancelled", fmt.Errorf("wait: %w", context.Canceled), ExitError, "wait", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FlowError(tt.err, p, p.Flow)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("FlowError(nil) = %v", got)
				}
				return
			}
			if code := ExitCode(got); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(got.Error(), tt.wantLine) || strings.Contains(got.Error(), "\n") {
				t.Errorf("line %q, want one line with %q", got.Error(), tt.wantLine)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("the cause must stay in the chain")
			}
			var d Detailer
			if has := errors.As(got, &d); has == tt.noDetails {
				t.Fatalf("Detailer = %v, want %v", has, !tt.noDetails)
			}
			for _, m := range tt.wantMore {
				if !strings.Contains(d.Details(), m) {
					t.Errorf("details %q lack %q", d.Details(), m)
				}
			}
			// Each message said once: what the line says, the details do not repeat.
			if e, ok := tt.err.(*flows.EntraError); ok && strings.Contains(d.Details(), e.Err.Summary()) {
				t.Errorf("Entra's words are on the line and again in the details:\n%s\n%s", got.Error(), d.Details())
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {45 * time.Second, "45s"}, {12*time.Minute + 30*time.Second, "12m"},
		{65 * time.Minute, "1h05m"}, {47 * time.Hour, "47h00m"}, {51 * time.Hour, "2d3h"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestUntil(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if got := Until(now.Add(59*time.Minute), now); !strings.HasSuffix(got, ", in 59m") {
		t.Errorf("Until future = %q", got)
	}
	if got := Until(now.Add(-2*time.Minute), now); !strings.HasSuffix(got, ", expired 2m ago") {
		t.Errorf("Until past = %q", got)
	}
}

func TestWho(t *testing.T) {
	p := profiles.Profile{Name: "dev", ClientID: "app-id"}
	tests := []struct {
		t    flows.Tokens
		want string
	}{
		{flows.Tokens{Flow: profiles.FlowDevice, Account: flows.Account{Username: "alice@x", Name: "Alice"}}, "Alice <alice@x>"},
		{flows.Tokens{Flow: profiles.FlowBrowser, Account: flows.Account{Username: "alice@x"}}, "alice@x"},
		{flows.Tokens{Flow: profiles.FlowSecret}, "app app-id"},
		{flows.Tokens{Flow: profiles.FlowDevice}, "profile dev"},
	}
	for _, tt := range tests {
		if got := Who(&tt.t, p); got != tt.want {
			t.Errorf("Who = %q, want %q", got, tt.want)
		}
	}
}

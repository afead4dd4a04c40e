package flows

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/aadsts"
)

func TestLoginRequiredReason(t *testing.T) {
	tests := []struct {
		e      aadsts.Error
		want   bool
		substr string
	}{
		{aadsts.Error{Code: "invalid_grant", Codes: []int{700082}}, true, "700082"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{50173}}, true, "revoked"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{70008}}, true, "inactivity"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{65001}, Suberror: "consent_required"}, true, "consent"},
		{aadsts.Error{Code: "invalid_grant", Suberror: "consent_required"}, true, "consent"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{50076}}, true, "multi-factor"},
		{aadsts.Error{Code: "interaction_required", Codes: []int{53003}}, true, "Conditional Access"},
		{aadsts.Error{Code: "interaction_required", Codes: []int{530003}}, true, "Conditional Access"},
		{aadsts.Error{Code: "interaction_required"}, true, "interactive"},
		{aadsts.Error{Code: "invalid_grant", Codes: []int{9002313}}, true, "9002313"},
		{aadsts.Error{Code: "invalid_client", Codes: []int{7000218}}, false, ""},
		{aadsts.Error{Code: "unauthorized_client", Codes: []int{700016}}, false, ""},
		{aadsts.Error{Code: "temporarily_unavailable"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.e.Code, tt.e.Codes), func(t *testing.T) {
			reason, ok := loginRequiredReason(&tt.e)
			if ok != tt.want || !strings.Contains(reason, tt.substr) {
				t.Fatalf("loginRequiredReason = %q, %v", reason, ok)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	dnsErr := &url.Error{Op: "Post", URL: "https://login.example/t/oauth2/v2.0/token", Err: &net.DNSError{Err: "no such host", Name: "login.example"}}
	tests := []struct {
		name      string
		err       error
		network   bool
		entra     bool
		cancelled bool
	}{
		{name: "dns", err: fmt.Errorf("msal: %w", dnsErr), network: true},
		{name: "connection refused text", err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), network: true},
		{name: "entra answer", err: &aadsts.Error{Code: "invalid_client", Codes: []int{7000215}}, entra: true},
		{name: "cancelled", err: fmt.Errorf("poll: %w", context.Canceled), cancelled: true},
		{name: "other", err: errors.New("something odd")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify("op", tt.err)
			var ee *EntraError
			if errors.Is(got, ErrNetwork) != tt.network || errors.As(got, &ee) != tt.entra || errors.Is(got, context.Canceled) != tt.cancelled {
				t.Fatalf("classify = %v (%T)", got, got)
			}
			if !strings.HasPrefix(got.Error(), "op: ") {
				t.Errorf("message %q does not start with the operation", got.Error())
			}
		})
	}
	if classify("op", nil) != nil {
		t.Error("classify(nil) != nil")
	}
}

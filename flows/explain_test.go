package flows

import (
	"testing"

	"github.com/cognite-tools/cdflogin/profiles"
)

func TestScopeResource(t *testing.T) {
	const cluster = "https://westeurope-1.cognitedata.com"
	base := profiles.Profile{Name: "dev", Cluster: "westeurope-1"}
	with := func(f func(*profiles.Profile)) profiles.Profile { p := base; f(&p); return p }
	tests := []struct {
		p    profiles.Profile
		want string
	}{
		{base, cluster},
		{with(func(p *profiles.Profile) { p.CDFURL = "https://127.0.0.1:8443/" }), "https://127.0.0.1:8443"},
		{with(func(p *profiles.Profile) { p.Scopes = []string{"openid", "https://api.example/user_impersonation"} }), "https://api.example"},
		{with(func(p *profiles.Profile) { p.Scopes = []string{"api://cdf-acme/.default"} }), "api://cdf-acme"},
		{with(func(p *profiles.Profile) { p.Scopes = []string{"offline_access"} }), ""},
	}
	for _, tt := range tests {
		if got := ScopeResource(tt.p); got != tt.want {
			t.Errorf("ScopeResource(%v) = %q, want %q", tt.p.ScopeList(), got, tt.want)
		}
	}
	c := ExplainContext(with(func(p *profiles.Profile) { p.Flow = profiles.FlowDevice }), "")
	if c.Profile != "dev" || c.Flow != "device" || c.Resource != cluster || c.CDFURL != cluster {
		t.Errorf("ExplainContext = %+v", c)
	}
}

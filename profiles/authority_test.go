package profiles

import (
	"strings"
	"testing"
)

// TestAuthorityWarning (issue 16, item 5): Microsoft's sign-in hosts in
// every cloud pass silently; look-alikes, other hosts and internationalized
// names are warned about, named in punycode.
func TestAuthorityWarning(t *testing.T) {
	tests := []struct {
		authority string
		warn      bool
		shown     string // the host as the warning names it
	}{
		{"", false, ""},
		{"https://login.microsoftonline.com/contoso.onmicrosoft.com", false, ""},
		{"https://LOGIN.MicrosoftOnline.com/x", false, ""},
		{"https://login.microsoftonline.us/x", false, ""},
		{"https://login.partner.microsoftonline.cn/x", false, ""},
		{"https://login.chinacloudapi.cn/x", false, ""},
		{"https://127.0.0.1:8443/x", false, ""},
		{"https://localhost/x", false, ""},
		{"https://login.example.test/x", false, ""},
		{"https://login.microsoftonline.com.evil.example/x", true, "login.microsoftonline.com.evil.example"},
		{"https://login.microsoftonIine.com/x", true, "login.microsoftonline.com"}, // capital I, lowered: a look-alike host all the same
		{"https://l\u043egin.microsoftonline.com/x", true, "xn--lgin-"},            // Cyrillic о
		{"https://xn--lgin-9ve.microsoftonline.com/x", true, "xn--lgin-9ve"},
		{"https://adfs.contoso.com/adfs", true, "adfs.contoso.com"},
	}
	for _, tt := range tests {
		p := Profile{Name: "dev", Tenant: "contoso.onmicrosoft.com", Authority: tt.authority, Flow: FlowSecret}
		w := p.AuthorityWarning()
		if (w != "") != tt.warn {
			t.Errorf("%s: warning %q, want one: %v", tt.authority, w, tt.warn)
			continue
		}
		if tt.warn && (!strings.Contains(w, tt.shown) || !strings.Contains(w, "client secret")) {
			t.Errorf("%s: warning %q does not name %q and what is sent", tt.authority, w, tt.shown)
		}
		if strings.ContainsFunc(w, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("%s: warning is not ASCII: %q", tt.authority, w)
		}
	}
	if got := ShownURL("https://l\u043egin.microsoftonline.com:444/t"); got != "https://xn--lgin-55d.microsoftonline.com:444/t" {
		t.Errorf("ShownURL = %s", got)
	}
}

package tui

import (
	"strings"
	"testing"
)

func TestBrowserAvailable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		goos   string
		want   bool
		reason string
	}{
		{"linux desktop", map[string]string{"DISPLAY": ":0"}, "linux", true, ""},
		{"wayland", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "linux", true, ""},
		{"linux console", nil, "linux", false, "no graphical display"},
		{"text browser set", map[string]string{"BROWSER": "w3m"}, "linux", true, ""},
		{"ssh with X forwarding still remote", map[string]string{"SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22", "DISPLAY": "localhost:10"}, "linux", false, "SSH session"},
		{"ssh tty", map[string]string{"SSH_TTY": "/dev/pts/1"}, "darwin", false, "SSH session"},
		{"mac", nil, "darwin", true, ""},
		{"windows", nil, "windows", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason := BrowserAvailable(func(k string) string { return tc.env[k] }, tc.goos)
			if ok != tc.want || !strings.Contains(reason, tc.reason) || (tc.want && reason != "") {
				t.Errorf("got %v %q, want %v containing %q", ok, reason, tc.want, tc.reason)
			}
		})
	}
}

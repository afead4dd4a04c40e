package tui

import (
	"errors"
	"testing"
)

// TestClipboardIsHonest: OSC 52 only where it reaches a clipboard, the
// OS clipboard where there is one (not over SSH), else none.
func TestClipboardIsHonest(t *testing.T) {
	osClip := func(string) error { return nil }
	tmux := func(v string, err error) func(string) (string, error) {
		return func(name string) (string, error) {
			if name != "set-clipboard" {
				t.Errorf("tmux asked for %q", name)
			}
			return v, err
		}
	}
	tests := []struct {
		name             string
		env              map[string]string
		tmux             func(string) (string, error)
		osc52, os, query bool
	}{
		{"tmux, set-clipboard on", map[string]string{"TMUX": "socket,1,0", "TERM": "tmux-256color"}, tmux("on\n", nil), true, false, false},
		{"tmux default (external): OSC 52 dropped", map[string]string{"TMUX": "socket,1,0", "TERM": "tmux-256color"}, tmux("external\n", nil), false, true, false},
		{"tmux, option unreadable", map[string]string{"TMUX": "socket,1,0"}, tmux("", errors.New("no server")), false, true, false},
		{"GNU screen", map[string]string{"STY": "1.pts", "TERM": "screen"}, nil, false, true, false},
		{"kitty", map[string]string{"TERM": "xterm-kitty"}, nil, true, false, true},
		{"WezTerm", map[string]string{"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, nil, true, false, true},
		{"Windows Terminal", map[string]string{"WT_SESSION": "x", "TERM": "xterm-256color"}, nil, true, false, true},
		{"GNOME Terminal: unknown, ask the terminal, else OS clipboard", map[string]string{"VTE_VERSION": "7600", "TERM": "xterm-256color"}, nil, false, true, true},
		{"Apple Terminal: no XTGETTCAP", map[string]string{"TERM_PROGRAM": "Apple_Terminal", "TERM": "xterm-256color"}, nil, false, true, false},
		{"over SSH: no OS clipboard", map[string]string{"SSH_TTY": "/dev/pts/1", "TERM": "xterm-256color"}, nil, false, false, true},
		{"kitty over SSH: OSC 52 reaches the local terminal", map[string]string{"SSH_TTY": "/dev/pts/1", "TERM": "xterm-kitty"}, nil, true, false, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb := Clipboard(ClipboardEnv{Getenv: func(k string) string { return tt.env[k] }, TmuxOption: tt.tmux, OSClipboard: osClip})
			if cb.OSC52 != tt.osc52 {
				t.Errorf("OSC52 = %v, want %v", cb.OSC52, tt.osc52)
			}
			if got := cb.Write != nil && !cb.OSC52; got != tt.os {
				t.Errorf("OS clipboard = %v, want %v", got, tt.os)
			}
			if got := !cb.NoQuery; got != tt.query {
				t.Errorf("asks the terminal = %v, want %v", got, tt.query)
			}
		})
	}
}

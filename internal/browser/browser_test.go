package browser

import (
	"bytes"
	"errors"
	"io/fs"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

const authURL = "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=a&redirect_uri=http%3A%2F%2Flocalhost%3A53000&state=s&scope=x+y"

// fake records what Open ran.
type fake struct {
	env       map[string]string
	goos      string
	files     map[string]string
	installed map[string]bool
	fail      map[string]bool // commands that exit with an error
	ran       []string
}

func (f *fake) opener() *Opener {
	return &Opener{
		Getenv: func(k string) string { return f.env[k] },
		GOOS:   f.goos,
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := f.files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		LookPath: func(name string) (string, error) {
			if f.installed[name] {
				return "/bin/" + name, nil
			}
			return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
		},
		Run: func(name string, args ...string) error {
			f.ran = append(f.ran, strings.Join(append([]string{name}, args...), " "))
			if f.fail[strings.TrimPrefix(name, "/bin/")] {
				return errors.New("exit status 3")
			}
			return nil
		},
	}
}

func TestOpen(t *testing.T) {
	all := map[string]bool{"xdg-open": true, "x-www-browser": true, "open": true, "rundll32": true, "wslview": true, "rundll32.exe": true, "cmd.exe": true, "firefox": true, "chromium": true, "my browser": true}
	tests := []struct {
		name      string
		f         fake
		want      []string // commands run, in order
		headless  string   // HeadlessError reason, if any
		errHas    string
		noBrowser bool
	}{
		{name: "linux X11", f: fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: all},
			want: []string{"/bin/xdg-open " + authURL}},
		{name: "linux Wayland", f: fake{goos: "linux", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, installed: all},
			want: []string{"/bin/xdg-open " + authURL}},
		{name: "linux xdg-open fails, x-www-browser works", f: fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: all, fail: map[string]bool{"xdg-open": true}},
			want: []string{"/bin/xdg-open " + authURL, "/bin/x-www-browser " + authURL}},
		{name: "linux no xdg-open", f: fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: map[string]bool{"x-www-browser": true}},
			want: []string{"/bin/x-www-browser " + authURL}},
		{name: "linux nothing installed", f: fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: map[string]bool{}},
			errHas: "xdg-open (not found), x-www-browser (not found)", noBrowser: true},
		{name: "linux all fail", f: fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: all, fail: map[string]bool{"xdg-open": true, "x-www-browser": true}},
			want: []string{"/bin/xdg-open " + authURL, "/bin/x-www-browser " + authURL}, errHas: "exit status 3"},
		{name: "linux headless", f: fake{goos: "linux", env: map[string]string{}, installed: all}, headless: "no DISPLAY or WAYLAND_DISPLAY"},
		{name: "freebsd headless", f: fake{goos: "freebsd", env: map[string]string{}, installed: all}, headless: "no DISPLAY or WAYLAND_DISPLAY"},
		{name: "ssh with X forwarding", f: fake{goos: "linux", env: map[string]string{"DISPLAY": "localhost:10.0", "SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}, installed: all}, headless: "SSH session"},
		{name: "ssh tty on mac", f: fake{goos: "darwin", env: map[string]string{"SSH_TTY": "/dev/ttys001"}, installed: all}, headless: "SSH session"},
		{name: "mac", f: fake{goos: "darwin", env: map[string]string{}, installed: all},
			want: []string{"/bin/open " + authURL}},
		{name: "windows", f: fake{goos: "windows", env: map[string]string{}, installed: all},
			want: []string{"/bin/rundll32 url.dll,FileProtocolHandler " + authURL}},
		{name: "WSL by env, wslview", f: fake{goos: "linux", env: map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, installed: all},
			want: []string{"/bin/wslview " + authURL}},
		{name: "WSL by osrelease, no wslview", f: fake{goos: "linux", env: map[string]string{}, files: map[string]string{"/proc/sys/kernel/osrelease": "5.15.153.1-microsoft-standard-WSL2\n"}, installed: map[string]bool{"rundll32.exe": true, "cmd.exe": true}},
			want: []string{"/bin/rundll32.exe url.dll,FileProtocolHandler " + authURL}},
		{name: "WSL, only cmd.exe", f: fake{goos: "linux", env: map[string]string{"WSL_INTEROP": "/run/WSL/1_interop"}, installed: map[string]bool{"cmd.exe": true}},
			want: []string{"/bin/cmd.exe /c start " + strings.ReplaceAll(authURL, "&", "^&")}},
		{name: "BROWSER plain", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox"}, installed: all},
			want: []string{"/bin/firefox " + authURL}},
		{name: "BROWSER with %s and flags", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox --new-tab %s"}, installed: all},
			want: []string{"/bin/firefox --new-tab " + authURL}},
		{name: "BROWSER list, first missing", f: fake{goos: "linux", env: map[string]string{"BROWSER": "w3m-x:chromium --app=%s"}, installed: all},
			want: []string{"/bin/chromium --app=" + authURL}},
		{name: "BROWSER list, first fails", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox:chromium"}, installed: all, fail: map[string]bool{"firefox": true}},
			want: []string{"/bin/firefox " + authURL, "/bin/chromium " + authURL}},
		{name: "BROWSER quoted name", f: fake{goos: "linux", env: map[string]string{"BROWSER": `'my browser' --x="a b"`}, installed: all},
			want: []string{"/bin/my browser --x=a b " + authURL}},
		{name: "BROWSER literal %%s", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox --x=%%s"}, installed: all},
			want: []string{"/bin/firefox --x=%s " + authURL}},
		{name: "BROWSER %% is a percent", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox --p=100%% %s"}, installed: all},
			want: []string{"/bin/firefox --p=100% " + authURL}},
		{name: "BROWSER wins over SSH and headless", f: fake{goos: "linux", env: map[string]string{"BROWSER": "firefox", "SSH_CONNECTION": "x"}, installed: all},
			want: []string{"/bin/firefox " + authURL}},
		{name: "BROWSER missing everywhere", f: fake{goos: "linux", env: map[string]string{"BROWSER": "nope"}, installed: all},
			errHas: "nope (not found)", noBrowser: true},
		{name: "BROWSER only separators", f: fake{goos: "linux", env: map[string]string{"BROWSER": " : "}, installed: all},
			errHas: "names no command"},
		{name: "BROWSER bad quote", f: fake{goos: "linux", env: map[string]string{"BROWSER": "'firefox"}, installed: all},
			errHas: "unterminated"},
		{name: "BROWSER on windows uses ;", f: fake{goos: "windows", env: map[string]string{"BROWSER": "nope;firefox"}, installed: all},
			want: []string{"/bin/firefox " + authURL}},
		{name: "plan9 unsupported", f: fake{goos: "plan9", env: map[string]string{}, installed: all}, errHas: "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			err := f.opener().Open(authURL)
			if !reflect.DeepEqual(f.ran, tt.want) {
				t.Errorf("ran %q, want %q", f.ran, tt.want)
			}
			var he *HeadlessError
			if tt.headless != "" {
				if !errors.As(err, &he) || he.Reason != tt.headless {
					t.Fatalf("err = %v, want HeadlessError %q", err, tt.headless)
				}
				if !strings.Contains(err.Error(), "--flow device") {
					t.Errorf("message %q gives no way out", err)
				}
				return
			}
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.errHas)
			}
			if errors.Is(err, ErrNoBrowser) != tt.noBrowser {
				t.Errorf("errors.Is(err, ErrNoBrowser) = %v", !tt.noBrowser)
			}
		})
	}
}

func TestCanOpen(t *testing.T) {
	tests := []struct {
		name   string
		f      fake
		ok     bool
		reason string
	}{
		{"desktop linux", fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: map[string]bool{"xdg-open": true}}, true, ""},
		{"desktop linux without xdg-open", fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: map[string]bool{}}, false, "none of xdg-open, x-www-browser is installed"},
		{"headless linux", fake{goos: "linux", env: map[string]string{}}, false, "no DISPLAY or WAYLAND_DISPLAY"},
		{"ssh", fake{goos: "linux", env: map[string]string{"SSH_CLIENT": "1 2 3", "DISPLAY": ":10"}}, false, "SSH session"},
		{"BROWSER over ssh", fake{goos: "linux", env: map[string]string{"SSH_CLIENT": "1 2 3", "BROWSER": "firefox"}, installed: map[string]bool{"firefox": true}}, true, ""},
		{"wsl", fake{goos: "linux", env: map[string]string{}, files: map[string]string{"/proc/version": "Linux version 5.15 (Microsoft@Microsoft.com)"}, installed: map[string]bool{"cmd.exe": true}}, true, ""},
		{"mac", fake{goos: "darwin", env: map[string]string{}, installed: map[string]bool{"open": true}}, true, ""},
		{"bad BROWSER", fake{goos: "linux", env: map[string]string{"BROWSER": `"x`}}, false, `BROWSER="\"x": unterminated " quote`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			ok, reason := f.opener().CanOpen()
			if ok != tt.ok || reason != tt.reason {
				t.Fatalf("CanOpen = %v, %q; want %v, %q", ok, reason, tt.ok, tt.reason)
			}
			if len(f.ran) != 0 {
				t.Fatalf("CanOpen ran %q", f.ran)
			}
		})
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "-n", "javascript:alert(1)", "https://", "http://a b", "https://x/\n--help", "ms-settings:"} {
		f := fake{goos: "linux", env: map[string]string{"DISPLAY": ":0"}, installed: map[string]bool{"xdg-open": true}}
		if err := f.opener().Open(u); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
		if len(f.ran) != 0 {
			t.Errorf("Open(%q) ran %q", u, f.ran)
		}
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"a b  c", []string{"a", "b", "c"}, false},
		{`'a b' "c d" e\ f`, []string{"a b", "c d", "e f"}, false},
		{`"a\"b" 'it''s'`, []string{`a"b`, "its"}, false},
		{`x""`, []string{"x"}, false},
		{`""`, []string{""}, false},
		{"", nil, false},
		{`"open`, nil, true},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestExecRunner(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	var log bytes.Buffer
	r := ExecRunner{Log: &log, Grace: 10 * time.Second}
	if err := r.Run("sh", "-c", "echo out; echo err >&2"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := log.String(); !strings.Contains(got, "out") || !strings.Contains(got, "err") {
		t.Errorf("output not captured in Log: %q", got)
	}
	// Failing at once is an error.
	if err := r.Run("sh", "-c", "exit 3"); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Run(exit 3) = %v", err)
	}
	// No terminal: stdin is not readable data and /dev/tty cannot be
	// opened (new session without a controlling terminal).
	if err := r.Run("sh", "-c", `read x && exit 4; if (: </dev/tty) 2>/dev/null; then exit 5; fi; exit 0`); err != nil {
		t.Errorf("browser command reached the terminal: %v", err)
	}
	// Not found.
	if err := r.Run("/nonexistent/browser"); err == nil {
		t.Error("Run of a missing command succeeded")
	}
	// A command still running after the grace period counts as started.
	start := ExecRunner{Grace: time.Millisecond}
	if err := start.Run("sh", "-c", "sleep 1"); err != nil {
		t.Errorf("long-running browser: %v", err)
	}
}

// TestNewDecidesWithItsGetenv checks that New reads the environment only
// through the function it is given: the process environment here names a
// browser and an SSH session, and neither may show in the decision.
func TestNewDecidesWithItsGetenv(t *testing.T) {
	const processBrowser = "cdflogin-test-process-browser"
	t.Setenv("BROWSER", processBrowser)
	t.Setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
	tests := []struct {
		name      string
		env       map[string]string // nil: New(nil)
		ok        bool
		reason    string // exact, when not empty
		notInAny  []string
		noBrowser bool // Open's error wraps ErrNoBrowser
	}{
		{name: "SSH session in the given env", env: map[string]string{"SSH_TTY": "/dev/pts/3"},
			reason: "SSH session"},
		{name: "BROWSER in the given env", env: map[string]string{"BROWSER": "cdflogin-test-no-such-browser"},
			reason: "none of cdflogin-test-no-such-browser is installed", noBrowser: true},
		{name: "nil getenv is an empty environment", env: nil,
			notInAny: []string{processBrowser, "SSH session"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var getenv func(string) string
			if tt.env != nil {
				getenv = func(k string) string { return tt.env[k] }
			}
			o := New(getenv)
			var ran []string
			o.Run = func(name string, args ...string) error {
				ran = append(ran, name)
				return nil
			}
			ok, reason := o.CanOpen()
			if tt.reason != "" && (ok || reason != tt.reason) {
				t.Errorf("CanOpen = %v, %q; want false, %q", ok, reason, tt.reason)
			}
			err := o.Open(authURL)
			for _, s := range tt.notInAny {
				if strings.Contains(reason, s) || (err != nil && strings.Contains(err.Error(), s)) {
					t.Errorf("the process environment leaked in: CanOpen %q, Open %v", reason, err)
				}
				for _, r := range ran {
					if strings.Contains(r, s) {
						t.Errorf("Open ran %q from the process environment", r)
					}
				}
			}
			if tt.noBrowser && !errors.Is(err, ErrNoBrowser) {
				t.Errorf("Open = %v, want ErrNoBrowser", err)
			}
			if tt.reason == "SSH session" {
				var he *HeadlessError
				if !errors.As(err, &he) || len(ran) != 0 {
					t.Errorf("Open in an SSH session = %v, ran %q; want a HeadlessError and nothing run", err, ran)
				}
			}
		})
	}
}

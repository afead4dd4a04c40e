// Package browser opens URLs in the user's web browser without letting the
// browser's own output reach the terminal. It honours BROWSER (like gh and
// git), knows when no browser can be shown (headless Linux, SSH sessions),
// and on WSL opens the Windows browser.
package browser

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Opener opens URLs in a browser. Build it with New; tests fill the fields
// with fakes.
type Opener struct {
	// Getenv reads the environment (BROWSER, DISPLAY, SSH_CONNECTION…);
	// nil reads nothing, as in an empty environment.
	Getenv func(string) string
	// GOOS is the operating system (runtime.GOOS).
	GOOS string
	// ReadFile reads files (for WSL detection in /proc).
	ReadFile func(string) ([]byte, error)
	// LookPath finds a command (exec.LookPath).
	LookPath func(string) (string, error)
	// Run starts a browser command: it must not connect the command to the
	// terminal and must not wait for a browser that keeps running (see
	// ExecRunner).
	Run func(name string, args ...string) error
}

// New returns an Opener that starts real commands on this machine and
// decides with getenv (BROWSER, DISPLAY, SSH_*, WSL_*); the process
// environment is never read behind its back. Browser output is discarded.
func New(getenv func(string) string) *Opener {
	return &Opener{
		Getenv:   getenv,
		GOOS:     runtime.GOOS,
		ReadFile: os.ReadFile,
		LookPath: exec.LookPath,
		Run:      ExecRunner{}.Run,
	}
}

// HeadlessError says that no browser can be shown on this machine.
type HeadlessError struct {
	Reason string // "SSH session", "no DISPLAY or WAYLAND_DISPLAY"
}

func (e *HeadlessError) Error() string {
	return "not opening a browser (" + e.Reason + "): open the URL in a browser yourself, or use --flow device; set BROWSER to choose a browser command"
}

// ErrNoBrowser is wrapped by Open's error when no browser command exists.
var ErrNoBrowser = errors.New("no browser command found")

// unixLike are the systems that use xdg-open and need a display.
var unixLike = map[string]bool{"linux": true, "freebsd": true, "openbsd": true, "netbsd": true, "dragonfly": true, "solaris": true, "illumos": true}

// command is a program with its arguments, the URL already in place.
type command struct {
	name string
	args []string
}

func (c command) String() string { return strings.Join(append([]string{c.name}, c.args...), " ") }

// CanOpen reports whether Open would try to start a browser, and if not,
// why (for the UI to preselect the device flow).
func (o *Opener) CanOpen() (bool, string) {
	plan, err := o.plan("https://example.invalid/")
	if err != nil {
		var he *HeadlessError
		if errors.As(err, &he) {
			return false, he.Reason
		}
		return false, err.Error()
	}
	for _, c := range plan {
		if _, err := o.lookPath(c.name); err == nil {
			return true, ""
		}
	}
	names := make([]string, 0, len(plan))
	for _, c := range plan {
		names = append(names, c.name)
	}
	return false, "none of " + strings.Join(names, ", ") + " is installed"
}

// Open opens rawURL (http or https only) in a browser. It returns a
// *HeadlessError without running anything on a headless machine or in an
// SSH session (unless BROWSER is set), and an error naming the commands
// tried when none worked.
func (o *Opener) Open(rawURL string) error {
	if err := checkURL(rawURL); err != nil {
		return err
	}
	plan, err := o.plan(rawURL)
	if err != nil {
		return err
	}
	var tried []string
	var errs []any // one error each command that was found and failed
	for _, c := range plan {
		path, err := o.lookPath(c.name)
		if err != nil {
			tried = append(tried, c.name+" (not found)")
			continue
		}
		run := o.Run
		if run == nil {
			run = ExecRunner{}.Run
		}
		if err := run(path, c.args...); err != nil {
			// Each command named once: "xdg-open: failed: exit status 3".
			tried = append(tried, "%w")
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
			continue
		}
		return nil
	}
	if len(errs) == 0 {
		return fmt.Errorf("%w (tried %s)", ErrNoBrowser, strings.Join(tried, ", "))
	}
	for i, t := range tried {
		tried[i] = strings.ReplaceAll(t, "%", "%%")
		if t == "%w" {
			tried[i] = t
		}
	}
	return fmt.Errorf(strings.Join(tried, "; "), errs...)
}

func (o *Opener) lookPath(name string) (string, error) {
	if o.LookPath == nil {
		return exec.LookPath(name)
	}
	return o.LookPath(name)
}

func (o *Opener) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

// plan lists the commands to try, in order.
func (o *Opener) plan(u string) ([]command, error) {
	if b := strings.TrimSpace(o.getenv("BROWSER")); b != "" {
		return browserEnv(b, o.GOOS, u)
	}
	if o.getenv("SSH_CONNECTION") != "" || o.getenv("SSH_TTY") != "" || o.getenv("SSH_CLIENT") != "" {
		return nil, &HeadlessError{Reason: "SSH session"}
	}
	switch o.GOOS {
	case "darwin":
		return []command{{"open", []string{u}}}, nil
	case "windows":
		return []command{{"rundll32", []string{"url.dll,FileProtocolHandler", u}}}, nil
	}
	if o.GOOS == "linux" && o.isWSL() {
		return []command{
			{"wslview", []string{u}},
			{"rundll32.exe", []string{"url.dll,FileProtocolHandler", u}},
			{"cmd.exe", []string{"/c", "start", cmdEscape(u)}},
		}, nil
	}
	if unixLike[o.GOOS] {
		if o.getenv("DISPLAY") == "" && o.getenv("WAYLAND_DISPLAY") == "" {
			return nil, &HeadlessError{Reason: "no DISPLAY or WAYLAND_DISPLAY"}
		}
		// www-browser is left out on purpose: it is usually a terminal
		// browser, which cannot run without the terminal.
		return []command{{"xdg-open", []string{u}}, {"x-www-browser", []string{u}}}, nil
	}
	return nil, fmt.Errorf("opening a browser on %s is not supported: open the URL yourself or set BROWSER", o.GOOS)
}

// isWSL reports whether this Linux runs under the Windows Subsystem for
// Linux.
func (o *Opener) isWSL() bool {
	if o.getenv("WSL_DISTRO_NAME") != "" || o.getenv("WSL_INTEROP") != "" {
		return true
	}
	if o.ReadFile == nil {
		return false
	}
	for _, f := range []string{"/proc/sys/kernel/osrelease", "/proc/version"} {
		if b, err := o.ReadFile(f); err == nil {
			s := strings.ToLower(string(b))
			if strings.Contains(s, "microsoft") || strings.Contains(s, "wsl") {
				return true
			}
		}
	}
	return false
}

// browserEnv turns BROWSER into commands: a list separated by ":" (";" on
// Windows), each a command line where %s stands for the URL (appended
// when absent) and %% for a percent sign.
func browserEnv(env, goos, u string) ([]command, error) {
	sep := ":"
	if goos == "windows" {
		sep = ";"
	}
	var out []command
	for _, part := range strings.Split(env, sep) {
		words, err := splitWords(part)
		if err != nil {
			return nil, fmt.Errorf("BROWSER=%q: %w", env, err)
		}
		if len(words) == 0 {
			continue
		}
		hasURL := false
		for i, w := range words[1:] {
			var had bool
			words[i+1], had = expand(w, u)
			hasURL = hasURL || had
		}
		words[0] = strings.ReplaceAll(words[0], "%%", "%")
		if !hasURL {
			words = append(words, u)
		}
		out = append(out, command{words[0], words[1:]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("BROWSER=%q names no command", env)
	}
	return out, nil
}

// expand replaces %s by u and %% by % in one pass, and reports whether
// u was put in.
func expand(w, u string) (string, bool) {
	var b strings.Builder
	had := false
	for i := 0; i < len(w); i++ {
		if w[i] == '%' && i+1 < len(w) {
			switch w[i+1] {
			case 's':
				b.WriteString(u)
				had = true
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(w[i])
	}
	return b.String(), had
}

// splitWords splits a command line like a POSIX shell does for words:
// blanks separate, single and double quotes group, backslash escapes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New(`unterminated " quote`)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// cmdEscape escapes the characters cmd.exe would interpret in an unquoted
// argument of "start".
func cmdEscape(u string) string {
	r := strings.NewReplacer("^", "^^", "&", "^&", "|", "^|", "<", "^<", ">", "^>", "(", "^(", ")", "^)")
	return r.Replace(u)
}

// checkURL accepts absolute http and https URLs without blanks or control
// characters (so that a URL can never be taken for an option or split
// into several arguments).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not opening %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("not opening %q: only http and https URLs are opened", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("not opening %q: no host", raw)
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("not opening the URL: it contains blanks or control characters")
		}
	}
	return nil
}

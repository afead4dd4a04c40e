package e2e_test

// The real binary's interactive program in tmux, as a new user meets it,
// at the four window sizes the goldens hold (60×20, 80×24, 100×30,
// 160×45): cdflogin demo → the sandbox device profile → the demo approve
// key → the token page's countdown moves → the claims → the CDF access →
// r refreshes → m (demo) changes alice's groups through the sandbox admin
// API, r shows what changed, w lists it → the browser sign-in, whose long URL the terminal holds as
// one line (tmux's capture-pane -J joins it) → the AADSTS7000218
// explanation of the app without public client flows → q quits with exit
// code 0. A first run with no profiles shows the welcome page (whose
// form checks as you type and asks before esc drops a change), and its
// "try the demo" starts the demo. Skipped when tmux is missing, unless
// CI=true (then it fails).
//
// CDFLOGIN_CAPTURE_SCREENS=FILE writes the captured screens as Markdown
// (for the docs).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tmuxSession drives one tmux server on a private socket.
type tmuxSession struct {
	t      *testing.T
	socket string // path of the server's socket, inside the test's temp dir
	name   string
	shots  []string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// capture returns the pane as text; joined joins the lines the terminal
// wrapped itself (soft wraps), as a copy does.
func (s *tmuxSession) capture(joined bool) string {
	s.t.Helper()
	args := []string{"capture-pane", "-p", "-t", s.name}
	if joined {
		args = append(args, "-J")
	}
	out, err := s.tmux(args...)
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return out
}

// send types keys (tmux key names: Enter, Escape, or text), one at a
// time: an Escape followed at once by a letter reads as alt+letter.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", s.name, k); err != nil {
			s.t.Fatalf("tmux send-keys %v: %v: %s", k, err, out)
		}
		time.Sleep(60 * time.Millisecond)
	}
}

// waitFor polls the pane until match returns true, and returns that screen.
func (s *tmuxSession) waitFor(what string, joined bool, match func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture(joined)
		if match(screen) {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("waiting for %s; the screen is:\n%s", what, screen)
	return ""
}

func (s *tmuxSession) waitText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), false, func(screen string) bool { return strings.Contains(screen, text) })
}

// shot keeps the screen for the docs.
func (s *tmuxSession) shot(title, screen string) {
	// Runs of blank lines (the padding above the help line) become one.
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(screen, "\n"), "\n") {
		l = strings.TrimRight(l, " ")
		if l == "" && len(lines) > 0 && lines[len(lines)-1] == "" {
			continue
		}
		lines = append(lines, l)
	}
	s.shots = append(s.shots, "### "+title+"\n\n```text\n"+strings.Join(lines, "\n")+"\n```\n")
}

var (
	countdownRE = regexp.MustCompile(`Valid (\d+:\d\d)`)
	authURLRE   = regexp.MustCompile(`https://127\.0\.0\.1:\d+/[^\s]+/oauth2/v2\.0/authorize\?\S+`)
)

// tmuxBinary builds cdflogin once for the tmux tests.
func tmuxBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI for the TUI tests (apt-get install tmux)")
		}
		t.Skip("tmux is not installed; install it to run the TUI tests")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs it in tmux; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "cdflogin")
	build := exec.Command("go", "build", "-o", bin, "github.com/cognite-tools/cdflogin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startTmux runs script in a new tmux server of the given size, with the
// exit code written to exitFile.
func startTmux(t *testing.T, dir string, w, h int, script string) *tmuxSession {
	t.Helper()
	// The socket lives in the test's temp dir, so nothing is left in
	// /tmp/tmux-UID when the test ends.
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "demo"}
	if out, err := s.tmux("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"-e", "TERM=xterm-256color", "-e", "NO_COLOR=", "sh", "-c", script); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })
	return s
}

// exitCode waits for the exit code the script wrote.
func exitCode(t *testing.T, s *tmuxSession, exitFile string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(exitFile); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the program did not end; screen:\n%s", s.capture(false))
	return ""
}

func TestTUIDemoInTmux(t *testing.T) {
	bin := tmuxBinary(t)
	var doc []string
	t.Run("first-run", func(t *testing.T) { doc = append(doc, firstRunWalk(t, bin)...) })
	for _, size := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			doc = append(doc, demoWalk(t, bin, size[0], size[1])...)
		})
	}
	if out := os.Getenv("CDFLOGIN_CAPTURE_SCREENS"); out != "" {
		text := "# Screens of the interactive program\n\nReal screens of `cdflogin` and `cdflogin demo` at 60×20, 80×24, 100×30 and 160×45, captured from tmux by\n`e2e/tui_tmux_test.go` (`CDFLOGIN_CAPTURE_SCREENS=FILE go test ./e2e -run TestTUIDemoInTmux`).\n\n" + strings.Join(doc, "\n")
		if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// demoWalk runs the demo in a w×h window and returns the screens.
func demoWalk(t *testing.T, bin string, w, h int) []string {
	dir := t.TempDir()
	exitFile := filepath.Join(dir, "exit")
	home := filepath.Join(dir, "home")
	// A fixed size; the program runs under sh so its exit code is kept.
	script := fmt.Sprintf("CDFLOGIN_HOME=%q %q demo --token-lifetime 5m; echo $? > %q", home, bin, exitFile)
	s := startTmux(t, dir, w, h, script)
	size := fmt.Sprintf(" (%d×%d)", w, h)

	screen := s.waitText("sandbox-device")
	s.shot("Profiles"+size, screen)
	if !strings.Contains(screen, "> sandbox-device") {
		t.Fatalf("the cursor is not on sandbox-device:\n%s", screen)
	}
	if !strings.Contains(screen, "? more keys") || !strings.Contains(screen, "q quit") {
		t.Errorf("the help line lacks q or ?:\n%s", screen)
	}
	s.send("Enter")
	screen = s.waitText("> Device code")
	s.shot("Sign in: the profile in full, and its flows"+size, screen)
	s.send("Enter")
	screen = s.waitText("Waiting for you to sign in")
	s.shot("Device code"+size, screen)
	s.send("a")

	screen = s.waitText("refreshed 0×")
	s.shot("Token"+size, screen)
	first := countdownRE.FindStringSubmatch(screen)
	if first == nil {
		t.Fatalf("no countdown on the token page:\n%s", screen)
	}
	s.waitFor("the countdown to move from "+first[1], false, func(screen string) bool {
		m := countdownRE.FindStringSubmatch(screen)
		return m != nil && m[1] != first[1]
	})

	s.send("Tab")
	s.shot("Access token claims"+size, s.waitText("Audience: who the token is for"))
	s.send("BTab", "BTab")
	s.shot("CDF access"+size, s.waitText("Capabilities"))
	s.send("Tab")

	s.send("r")
	screen = s.waitText("refreshed 1×")
	if !strings.Contains(screen, "ok, new expiry") {
		t.Fatalf("the refresh result is not shown:\n%s", screen)
	}

	// The demo's m key: an admin moves alice from "CDF readers" to
	// "Marketing" through the sandbox admin API while the token screen is
	// live; the next refresh carries it, and the screen says what changed.
	s.send("m")
	words := func(want string) func(string) bool {
		return func(screen string) bool { return strings.Contains(strings.Join(strings.Fields(screen), " "), want) }
	}
	s.waitFor("the group change", false, words("joined Marketing and left CDF readers"))
	s.send("r")
	screen = s.waitFor("what the refresh changed", false, words("Changed: groups: 1 gained, 1 lost"))
	s.shot("Token after an admin changed the groups"+size, screen)
	s.send("w")
	screen = s.waitFor("the Changes page", false, words("+ groups gained"))
	for _, want := range []string{"- groups lost", "9f1c0a11-0000-4000-9000-000000000a03", "9f1c0a11-0000-4000-9000-000000000a02", "3 tokens held in this run"} {
		if !words(want)(screen) {
			t.Errorf("the Changes page lacks %q:\n%s", want, screen)
		}
	}
	s.shot("Changes (w)"+size, screen)
	s.send("Escape")
	s.waitText("refreshed 2×")

	// The browser sign-in: its URL is longer than any window line. The
	// terminal must hold it as one line (what a copy gets): tmux joins
	// the lines it wrapped itself.
	s.send("Escape")
	s.waitText("> sandbox-device")
	s.send("j")
	s.waitText("> sandbox-browser")
	s.send("Enter")
	s.waitText("> Browser")
	s.send("Enter")
	screen = s.waitText("Waiting for the redirect")
	s.shot("Browser sign-in"+size, screen)
	joined := s.waitFor("the sign-in URL as one line", true, func(screen string) bool {
		for _, l := range strings.Split(screen, "\n") {
			if authURLRE.MatchString(l) && strings.Contains(l, "code_challenge=") && strings.Contains(l, "state=") {
				return true
			}
		}
		return false
	})
	if strings.Contains(authURLRE.FindString(joined), " ") {
		t.Errorf("the URL has a space in it:\n%s", joined)
	}
	s.send("a")
	s.waitText("refreshed 0×")

	// The app with public client flows off: the AADSTS explanation.
	s.send("Escape")
	s.waitText("> sandbox-browser")
	s.send("G")
	s.waitText("> sandbox-nopublic")
	s.send("Enter")
	s.waitText("> Device code")
	s.send("Enter")
	s.waitText("Waiting for you to sign in")
	s.send("a")
	screen = s.waitText("AADSTS7000218")
	// Wrapped at 60 columns: compare the words.
	for _, want := range []string{"Allow public client flows", "f other flow"} {
		if !strings.Contains(strings.Join(strings.Fields(screen), " "), want) {
			t.Errorf("the error page lacks %q:\n%s", want, screen)
		}
	}
	s.shot("Error (an app with public client flows off)"+size, screen)
	s.send("?")
	s.shot("All keys (?)"+size, s.waitText("close help"))
	s.send("Escape")
	s.waitText("> sandbox-nopublic")

	s.send("q")
	if got := exitCode(t, s, exitFile); got != "0" {
		t.Fatalf("cdflogin demo exited with %q, want 0; screen:\n%s", got, s.capture(false))
	}
	return s.shots
}

// firstRunWalk: plain cdflogin with no profiles shows the welcome page
// (what a profile is, three ways to start); t starts the demo, and q ends
// it with exit code 0.
func firstRunWalk(t *testing.T, bin string) []string {
	dir := t.TempDir()
	exitFile := filepath.Join(dir, "exit")
	script := fmt.Sprintf("CDFLOGIN_HOME=%q %q; echo $? > %q", filepath.Join(dir, "home"), bin, exitFile)
	s := startTmux(t, dir, 80, 24, script)
	screen := s.waitText("Welcome to cdflogin.")
	for _, want := range []string{"A profile is a named set of sign-in settings", "Try the demo", "Import a file", "Create a profile"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the welcome page lacks %q:\n%s", want, screen)
		}
	}
	s.shot("The first run: Welcome (80×24)", screen)
	s.send("n")
	s.send("acme-dev")
	s.send("Enter")
	s.send("Enter")
	s.send("contoso")
	s.shot("New profile: each field checked as it is typed (80×24)", s.waitText("is neither a GUID nor a domain"))
	s.send("Escape")
	s.shot("Esc on a changed form asks first (80×24)", s.waitText("Discard the changes to this profile?"))
	s.send("y")
	s.waitText("No profiles yet")
	s.send("q")
	if got := exitCode(t, s, exitFile); got != "0" {
		t.Fatalf("exit code %q, want 0; screen:\n%s", got, s.capture(false))
	}
	// And t on the welcome page starts the demo.
	dir = t.TempDir()
	exitFile = filepath.Join(dir, "exit")
	script = fmt.Sprintf("CDFLOGIN_HOME=%q %q; echo $? > %q", filepath.Join(dir, "home"), bin, exitFile)
	d := startTmux(t, dir, 80, 24, script)
	d.waitText("Welcome to cdflogin.")
	d.send("t")
	d.waitText("sandbox-device")
	d.waitText("DEMO")
	d.send("q")
	if got := exitCode(t, d, exitFile); got != "0" {
		t.Fatalf("exit code %q, want 0; screen:\n%s", got, d.capture(false))
	}
	return s.shots
}

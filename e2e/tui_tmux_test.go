package e2e_test

// A smoke test of the real binary's interactive program in tmux: cdflogin
// demo → the sandbox device profile → the demo approve key → the token
// screen's countdown moves → r refreshes → the AADSTS7000218 explanation
// of the app without public client flows → q quits with exit code 0.
// Skipped when tmux is missing, unless CI=true (then it fails).
//
// CDFLOGIN_CAPTURE_SCREENS=FILE writes the captured screens as Markdown
// (for the README).

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

// capture returns the pane as text.
func (s *tmuxSession) capture() string {
	s.t.Helper()
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return out
}

// send types keys (tmux key names: Enter, Escape, or text).
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...); err != nil {
		s.t.Fatalf("tmux send-keys %v: %v: %s", keys, err, out)
	}
}

// waitFor polls the pane until match returns true, and returns that screen.
func (s *tmuxSession) waitFor(what string, match func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture()
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
	return s.waitFor(fmt.Sprintf("%q", text), func(screen string) bool { return strings.Contains(screen, text) })
}

// shot keeps the screen for the README capture.
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

var countdownRE = regexp.MustCompile(`Valid (\d+:\d\d)`)

func TestTUIDemoInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI for the TUI smoke test (apt-get install tmux)")
		}
		t.Skip("tmux is not installed; install it to run the TUI smoke test")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs it in tmux; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "cdflogin")
	build := exec.Command("go", "build", "-o", bin, "github.com/cognite-tools/cdflogin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exitFile := filepath.Join(dir, "exit")
	home := filepath.Join(dir, "home")

	// The socket lives in the test's temp dir, so nothing is left in
	// /tmp/tmux-UID when the test ends.
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "demo"}
	// A fixed size; the program runs under sh so its exit code is kept.
	script := fmt.Sprintf("CDFLOGIN_HOME=%q %q demo --token-lifetime 5m; echo $? > %q", home, bin, exitFile)
	if out, err := s.tmux("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", "100", "-y", "30",
		"-e", "TERM=xterm-256color", "-e", "NO_COLOR=", "sh", "-c", script); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })

	screen := s.waitText("sandbox-device")
	s.shot("Profiles", screen)
	if !strings.Contains(screen, "> sandbox-device") {
		t.Fatalf("the cursor is not on sandbox-device:\n%s", screen)
	}
	s.send("Enter")
	screen = s.waitText("> Device code")
	s.shot("Flow", screen)
	s.send("Enter")
	screen = s.waitText("Waiting for you to sign in")
	s.shot("Device code", screen)
	s.send("a")

	screen = s.waitText("refreshed 0×")
	s.shot("Token", screen)
	first := countdownRE.FindStringSubmatch(screen)
	if first == nil {
		t.Fatalf("no countdown on the token screen:\n%s", screen)
	}
	s.waitFor("the countdown to move from "+first[1], func(screen string) bool {
		m := countdownRE.FindStringSubmatch(screen)
		return m != nil && m[1] != first[1]
	})

	s.send("Tab")
	s.shot("Access token claims", s.waitText("Audience: who the token is for"))
	s.send("BTab", "BTab")
	s.shot("CDF access", s.waitText("Capabilities"))
	s.send("Tab")

	s.send("r")
	screen = s.waitText("refreshed 1×")
	if !strings.Contains(screen, "ok, new expiry") {
		t.Fatalf("the refresh result is not shown:\n%s", screen)
	}
	s.shot("Token after r", screen)

	// The app with public client flows off: the AADSTS explanation.
	s.send("Escape")
	s.waitText("> sandbox-device")
	s.send("Down", "Down", "Down", "Down")
	s.waitText("> sandbox-nopublic")
	s.send("Enter")
	s.waitText("> Device code")
	s.send("Enter")
	s.waitText("Waiting for you to sign in")
	s.send("a")
	screen = s.waitText("AADSTS7000218")
	for _, want := range []string{"Allow public client flows", "f other flow"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the error screen lacks %q:\n%s", want, screen)
		}
	}
	s.shot("Error (an app with public client flows off)", screen)
	s.send("Escape")
	s.waitText("> sandbox-nopublic")

	s.send("q")
	deadline := time.Now().Add(30 * time.Second)
	var code []byte
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(exitFile); err == nil && len(b) > 0 {
			code = b
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := strings.TrimSpace(string(code)); got != "0" {
		t.Fatalf("cdflogin demo exited with %q, want 0; screen:\n%s", got, s.capture())
	}

	if out := os.Getenv("CDFLOGIN_CAPTURE_SCREENS"); out != "" {
		doc := "# Screens of `cdflogin demo` (captured from tmux, 100×30)\n\n" + strings.Join(s.shots, "\n")
		if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

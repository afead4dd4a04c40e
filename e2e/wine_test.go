package e2e_test

// The real Windows binary, end to end against the sandbox, under Wine: a
// Windows user's first session with no setup (no HOME, no CDFLOGIN_HOME;
// Windows sets APPDATA and LOCALAPPDATA). .ci/wine.sh builds cdflogin.exe,
// prepares a Wine prefix and runs this test with
//
//	CDFLOGIN_WINE_EXE   the cdflogin.exe to run
//	CDFLOGIN_WINE       the wine loader (wine64)
//	WINEPREFIX          the prepared prefix
//
// Without them the test is skipped. The .exe is driven from this Linux
// process (go test -exec wine cannot clean up t.TempDir under Wine 8).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// wineEnv runs cdflogin.exe under Wine.
type wineEnv struct {
	t       *testing.T
	path    string // PATH of the commands (a fake xdg-open first)
	wine    string
	exe     string
	prefix  string
	admin   *http.Client // trusts the sandbox, for its admin API
	stderrs []string     // every command's stderr, to check for false warnings
}

type wineResult struct {
	code           int
	stdout, stderr string
}

func (r wineResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// windowsPath is path as the Windows program sees it (Wine maps / to Z:).
func windowsPath(path string) string { return `Z:` + strings.ReplaceAll(path, "/", `\`) }

// environ is the process environment of a Windows user who set nothing
// up: no HOME, no CDFLOGIN_HOME, no XDG folders (Wine gives the program
// USERPROFILE, APPDATA and LOCALAPPDATA of its own).
func (w *wineEnv) environ(extra ...string) []string {
	env := []string{
		"PATH=" + w.path,
		"WINEPREFIX=" + w.prefix,
		"WINEDEBUG=-all",
		"LANG=C.UTF-8",
	}
	return append(env, extra...)
}

func (w *wineEnv) command(stdin string, extra []string, args ...string) *exec.Cmd {
	cmd := exec.Command(w.wine, append([]string{w.exe}, args...)...)
	cmd.Env = w.environ(extra...)
	cmd.Stdin = strings.NewReader(stdin)
	// Wine's services started by a command keep its output open after it
	// ends: do not wait for them.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs cdflogin.exe to the end.
func (w *wineEnv) run(stdin string, extra []string, args ...string) wineResult {
	w.t.Helper()
	cmd := w.command(stdin, extra, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		w.t.Fatalf("run %s under Wine: %v", args, err)
	}
	r := wineResult{code: code, stdout: strings.ReplaceAll(out.String(), "\r\n", "\n"), stderr: strings.ReplaceAll(errb.String(), "\r\n", "\n")}
	w.stderrs = append(w.stderrs, strings.Join(args, " ")+": "+r.stderr)
	return r
}

// expect runs cdflogin.exe and checks its exit code.
func (w *wineEnv) expect(code int, args ...string) wineResult {
	w.t.Helper()
	r := w.run("", nil, args...)
	if r.code != code {
		w.t.Fatalf("cdflogin %s: want exit %d, got\n%s", strings.Join(args, " "), code, r)
	}
	return r
}

// appData returns the prefix's %APPDATA% (Roaming) and %LOCALAPPDATA%
// folders of the Wine user, as Linux paths.
func (w *wineEnv) appData() (roaming, local string) {
	w.t.Helper()
	users, _ := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData"))
	for _, u := range users {
		if filepath.Base(filepath.Dir(u)) != "Public" {
			return filepath.Join(u, "Roaming"), filepath.Join(u, "Local")
		}
	}
	w.t.Fatalf("no AppData folder in the Wine prefix %s", w.prefix)
	return "", ""
}

var jwtLine = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$`)

func TestWindowsBinaryUnderWine(t *testing.T) {
	exe, wine, prefix := os.Getenv("CDFLOGIN_WINE_EXE"), os.Getenv("CDFLOGIN_WINE"), os.Getenv("WINEPREFIX")
	if exe == "" || wine == "" || prefix == "" {
		t.Skip("the Wine lane (.ci/wine.sh) sets CDFLOGIN_WINE_EXE, CDFLOGIN_WINE and WINEPREFIX")
	}
	sb := startFlowSandbox(t, sandbox.Options{DeviceInterval: time.Second})
	w := &wineEnv{t: t, wine: wine, exe: exe, prefix: prefix, admin: sb.HTTPClient(), path: os.Getenv("PATH")}
	st := sb.Settings()

	// The CA bundle in a folder with a space, given with backslashes.
	caDir := filepath.Join(t.TempDir(), "sandbox files")
	if err := os.MkdirAll(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(caDir, "ca.pem")
	if err := os.WriteFile(caFile, sb.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--tenant", st.TenantID, "--project", sandbox.ProjectName,
		"--authority", st.Authority, "--cdf-url", st.CDFURL, "--ca-file", windowsPath(caFile)}

	roaming, local := w.appData()
	// A first session: nothing of cdflogin's in the prefix yet.
	for _, d := range []string{filepath.Join(roaming, "cdflogin"), filepath.Join(local, "cdflogin")} {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	profilesFile := filepath.Join(roaming, "cdflogin", "profiles.yaml")
	cacheDir := filepath.Join(local, "cdflogin", "cache")

	// profile add: device code, and client secret kept in the Windows
	// Credential Manager (--secret-stdin).
	w.expect(0, append([]string{"profile", "add", "dev", "--client-id", sandbox.DeviceAppID, "--flow", "device", "--default"}, common...)...)
	if _, err := os.Stat(profilesFile); err != nil {
		t.Fatalf("profiles.yaml is not under %%APPDATA%%\\cdflogin: %v", err)
	}
	r := w.run(sandbox.SecretAppSecret+"\n", nil, append([]string{"profile", "add", "app", "--client-id", sandbox.SecretAppID, "--flow", "secret", "--secret-stdin"}, common...)...)
	if r.code != 0 {
		t.Fatalf("profile add --secret-stdin (Credential Manager): %s", r)
	}
	if data, _ := os.ReadFile(profilesFile); bytes.Contains(data, []byte(sandbox.SecretAppSecret)) {
		t.Fatal("the client secret was written to profiles.yaml")
	}
	r = w.expect(0, "profile", "list")
	for _, name := range []string{"dev", "app"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("profile list does not show %s:\n%s", name, r)
		}
	}

	// Not signed in yet: exit 4, with what to run.
	r = w.expect(4, "token", "-p", "dev")
	if r.stdout != "" || !strings.Contains(r.stderr, "cdflogin login -p dev") {
		t.Errorf("token before login:\n%s", r)
	}

	// login --plain with the device code, approved through the sandbox's
	// admin API while login waits.
	w.deviceLogin(st.AdminURL, "dev")
	if _, err := os.Stat(filepath.Join(cacheDir, "dev.msal.json")); err != nil {
		t.Fatalf("the token cache is not under %%LOCALAPPDATA%%\\cdflogin: %v", err)
	}

	// token, warm (from the cache: no request to Entra) and cold (the
	// secret profile has no cache yet), then warm again.
	before := sb.Count("token")
	r = w.expect(0, "token", "-p", "dev")
	if !jwtLine.MatchString(r.stdout) || r.stderr != "" {
		t.Errorf("warm token:\n%s", r)
	}
	if n := sb.Count("token") - before; n != 0 {
		t.Errorf("the warm token sent %d token requests", n)
	}
	for _, temp := range []string{"cold", "warm"} {
		r = w.expect(0, "token", "-p", "app")
		if !jwtLine.MatchString(r.stdout) || r.stderr != "" {
			t.Errorf("%s token of the secret profile:\n%s", temp, r)
		}
	}
	if _, err := os.Stat(filepath.Join(cacheDir, "app.msal.json")); err != nil {
		t.Errorf("no cache for the secret profile: %v", err)
	}

	// env --format powershell: single-quoted assignments.
	r = w.expect(0, "env", "-p", "dev", "--format", "powershell")
	if !regexp.MustCompile(`(?m)^\$env:CDF_TOKEN = 'eyJ[A-Za-z0-9_.-]+'$`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "$env:CDF_PROJECT = '"+sandbox.ProjectName+"'") {
		t.Errorf("env --format powershell:\n%s", r)
	}

	// inspect and doctor, with NO_COLOR: plain text.
	r = w.expect(0, "inspect", "-p", "dev")
	if !strings.Contains(r.stdout, sandbox.ProjectName) {
		t.Errorf("inspect does not name the project:\n%s", r)
	}
	r = w.run("", []string{"NO_COLOR=1"}, "doctor", "-p", "dev")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, "\x1b[") {
		t.Errorf("doctor with NO_COLOR=1:\n%s", r)
	}

	// A .env file with CRLF line ends and a Windows path with a space, in
	// single quotes (taken literally; in double quotes python-dotenv, and
	// so cdflogin, read \t as a tab).
	envFile := filepath.Join(caDir, "toolkit.env")
	dotenv := strings.Join([]string{
		"CDF_PROJECT=" + sandbox.ProjectName, "CDF_URL=" + st.CDFURL,
		"LOGIN_FLOW=device_code", "IDP_CLIENT_ID=" + sandbox.DeviceAppID, "IDP_TENANT_ID=" + st.TenantID,
		"IDP_AUTHORITY_URL=" + st.Authority, `CDFLOGIN_CA_FILE='` + windowsPath(caFile) + `'`, ""}, "\r\n")
	if err := os.WriteFile(envFile, []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	w.expect(0, "profile", "import", windowsPath(envFile), "--name", "imported")
	r = w.expect(0, "profile", "show", "imported")
	if !strings.Contains(r.stdout, windowsPath(caFile)) {
		t.Errorf("the imported ca_file is not the Windows path:\n%s", r)
	}
	w.expect(4, "token", "-p", "imported")

	// A browser sign-in: cdflogin.exe opens the authorize URL with
	// rundll32 url.dll,FileProtocolHandler, which Wine hands to the Linux
	// side's xdg-open (here a script that writes it down); the sandbox
	// signs Alice in there, and its redirect reaches the .exe's loopback
	// listener. The URL arrives whole: & and %-escapes survive rundll32.
	w.browserLogin(sb, common)

	// logout removes the cache.
	w.expect(0, "logout", "-p", "dev")
	if _, err := os.Stat(filepath.Join(cacheDir, "dev.msal.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("logout left the cache: %v", err)
	}
	w.expect(4, "token", "-p", "dev")

	// Nothing printed a permission warning that does not apply on Windows
	// (Unix modes), nor any other warning.
	for _, s := range w.stderrs {
		if strings.Contains(s, "Warning") || strings.Contains(s, "other users") || strings.Contains(s, "mode 0") {
			t.Errorf("a warning that does not apply on Windows:\n%s", s)
		}
	}
}

// deviceLogin runs login --plain for a device-code profile and approves
// the code through the sandbox's admin API as Alice.
func (w *wineEnv) deviceLogin(adminURL, profile string) {
	t := w.t
	t.Helper()
	cmd := w.command("", nil, "login", "-p", profile, "--plain")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() { <-ctx.Done(); _ = cmd.Process.Kill() }()
	codeRE := regexp.MustCompile(`enter the code ([A-Z0-9-]+)`)
	var all strings.Builder
	sc := bufio.NewScanner(stderr)
	approved := false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		all.WriteString(line + "\n")
		if m := codeRE.FindStringSubmatch(line); m != nil && !approved {
			approved = true
			body := fmt.Sprintf(`{"user_code":%q,"username":%q}`, m[1], sandbox.AliceUsername)
			if err := adminPost(ctx, w.admin, adminURL+"/device/approve", body); err != nil {
				t.Errorf("approve the device code: %v", err)
			}
		}
	}
	err = cmd.Wait()
	w.stderrs = append(w.stderrs, "login: "+all.String())
	if err != nil || !approved {
		t.Fatalf("login -p %s --plain: %v (code seen: %v)\nstdout:\n%s\nstderr:\n%s", profile, err, approved, stdout.String(), all.String())
	}
	if !strings.Contains(all.String(), "Signed in as Alice Anders") {
		t.Errorf("login did not say who signed in:\n%s", all.String())
	}
}

// adminPost posts a JSON body to the sandbox's admin API, as a script
// would (the admin API is served over the sandbox's TLS).
func adminPost(ctx context.Context, client *http.Client, url, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s %s", url, resp.Status, msg)
	}
	return nil
}

// browserLogin adds a browser profile and signs in with login --plain,
// the browser being a fake xdg-open that Wine's rundll32 reaches.
func (w *wineEnv) browserLogin(sb *sandbox.Sandbox, common []string) {
	t := w.t
	t.Helper()
	bin := t.TempDir()
	opened := filepath.Join(bin, "opened.txt")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + opened + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	saved := w.path
	w.path = bin + string(os.PathListSeparator) + saved
	defer func() { w.path = saved }()

	port := strconv.Itoa(freePortNumber(t))
	w.expect(0, append([]string{"profile", "add", "web", "--client-id", sandbox.BrowserAppID, "--flow", "browser", "--redirect-port", port}, common...)...)
	cmd := w.command("", nil, "login", "-p", "web", "--plain")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var authURL string
	for authURL == "" {
		select {
		case err := <-done:
			t.Fatalf("login -p web ended before a browser opened: %v\n%s", err, errb.String())
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			t.Fatalf("no browser was opened:\n%s", errb.String())
		case <-time.After(100 * time.Millisecond):
		}
		if data, err := os.ReadFile(opened); err == nil && bytes.HasSuffix(data, []byte("\n")) {
			authURL = strings.TrimSpace(string(data))
		}
	}
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("state") == "" || u.Query().Get("code_challenge") == "" || u.Query().Get("redirect_uri") != "http://localhost:"+port {
		t.Errorf("the URL the browser got lost parameters: %s", authURL)
	}
	if _, err := sb.SignInAs(ctx, authURL, sandbox.AliceUsername); err != nil {
		t.Errorf("sign in at %s: %v", authURL, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("login -p web --plain: %v\n%s", err, errb.String())
	}
	w.stderrs = append(w.stderrs, "login -p web: "+errb.String())
	if !strings.Contains(errb.String(), "Signed in as Alice Anders") {
		t.Errorf("login did not say who signed in:\n%s", errb.String())
	}
	r := w.expect(0, "token", "-p", "web")
	if !jwtLine.MatchString(r.stdout) {
		t.Errorf("token after the browser sign-in:\n%s", r)
	}
}

// freePortNumber is a TCP port free on the loopback interface now.
func freePortNumber(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

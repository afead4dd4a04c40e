package main

// The testscript harness: the scripts in testdata/script drive the real
// cdflogin binary (this test binary, re-executed under the name
// "cdflogin") against the sandbox run as its own process.
//
// Programs on the scripts' PATH (run with exec, as separate processes):
//
//	cdflogin ARGS...                 the real command
//	xrun [-code N] [-stderr FILE] [--] PROG ARGS...
//	                                 runs PROG; -code N: succeed only when PROG
//	                                 exits with N (and fail otherwise); -stderr:
//	                                 also copy PROG's stderr into FILE as it is
//	                                 written (for waitmatch); SIGINT/SIGTERM are
//	                                 passed on to PROG
//	browser-double URL               what $BROWSER runs: signs in at URL as
//	                                 $SANDBOX_BROWSER_USER (default alice) like a
//	                                 person in a browser would
//	browser-broken URL               a browser that cannot start (exit 3)
//
// Script commands (run inside the test process):
//
//	sandbox-start [ARGS...]          starts `cdflogin sandbox --write-ca
//	                                 $WORK/sandbox-ca.pem ARGS...`, waits for its
//	                                 settings JSON and exports SSL_CERT_FILE and
//	                                 every settings field as SANDBOX_<PATH>:
//	                                 SANDBOX_AUTHORITY, SANDBOX_CDF_URL,
//	                                 SANDBOX_TENANT_ID, SANDBOX_PROJECT,
//	                                 SANDBOX_ADMIN_URL, SANDBOX_APPS_<KEY>_CLIENT_ID
//	                                 (KEY: BROWSER, DEVICE, NOPUBLIC, SECRET,
//	                                 CERTIFICATE, NOCONSENT), SANDBOX_USERS_ALICE_
//	                                 USERNAME…; the process is stopped when the
//	                                 script ends. The secret app's secret is
//	                                 sandbox.SecretAppSecret; --write-cert FILE
//	                                 writes the certificate app's PEM.
//	sandbox-admin METHOD PATH [JSON] calls the sandbox's /_sandbox/ admin API;
//	                                 the answer body goes to stdout
//	sandbox-counts [-reset]          prints the sandbox's request counts as
//	                                 sorted "endpoint=N" lines (endpoint:grant
//	                                 too; the admin API's own requests left
//	                                 out), nothing when no request came; -reset
//	                                 clears the log afterwards
//	waitmatch FILE REGEXP [VAR...]   waits (up to a minute) until FILE matches
//	                                 REGEXP and sets VARs to its submatches
//	expand SRC DST                   copies SRC to DST, replacing $VAR and ${VAR}
//	filemode FILE MODE               FILE's permission bits are MODE (octal)
//	freeport VAR...                  sets each VAR to a loopback port that was
//	                                 free a moment ago (no fixed ports: two
//	                                 test runs at once must not collide)
//	no-leak -s SOURCE... [--] FILE...
//	                                 fails when a secret from any SOURCE appears
//	                                 in any FILE (stdout/stderr name the last
//	                                 command's output). A SOURCE that is JSON
//	                                 gives its "secret", "access_token",
//	                                 "refresh_token", "id_token", "client_secret"
//	                                 strings (an MSAL cache, `token --json`);
//	                                 otherwise its trimmed content is the secret.
//	                                 SOURCE may be a glob pattern.
//	                                 At least one secret must be found.
//
// Environment of every script: CDFLOGIN_HOME=$WORK/home, HOME=$WORK,
// BROWSER=browser-double, NO_COLOR=1, TERM=dumb.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// waitLimit bounds every wait of the harness so that a broken script fails
// instead of hanging.
const waitLimit = 60 * time.Second

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"cdflogin":       func() { os.Exit(run()) },
		"xrun":           func() { os.Exit(xrunMain(os.Args[1:])) },
		"browser-double": func() { os.Exit(browserDoubleMain(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("CDFLOGIN_HOME", home)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("BROWSER", "browser-double")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("TERM", "dumb")
			env.Setenv("CDFLOGIN_PROFILE", "")
			// browser-broken is a shell script, not a re-run of this test
			// binary: the opener gives a browser one second to fail, and a
			// race-built binary can take longer than that just to start on
			// a loaded machine, which made "Could not open a browser" come
			// and go by chance.
			bin := filepath.Join(env.WorkDir, ".bin")
			if err := os.MkdirAll(bin, 0o755); err != nil {
				return err
			}
			script := "#!/bin/sh\necho 'browser-broken: no display' >&2\nexit 3\n"
			if err := os.WriteFile(filepath.Join(bin, "browser-broken"), []byte(script), 0o755); err != nil {
				return err
			}
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sandbox-start":  cmdSandboxStart,
			"sandbox-admin":  cmdSandboxAdmin,
			"sandbox-counts": cmdSandboxCounts,
			"waitmatch":      cmdWaitMatch,
			"expand":         cmdExpand,
			"filemode":       cmdFileMode,
			"no-leak":        cmdNoLeak,
			"freeport":       cmdFreePort,
		},
	})
}

// ---- programs ----

// xrunMain runs a program, optionally copying its stderr to a file as it
// is written and checking its exit code.
func xrunMain(args []string) int {
	fs := flag.NewFlagSet("xrun", flag.ContinueOnError)
	wantCode := fs.Int("code", -1, "succeed only when the program exits with this code")
	stderrFile := fs.String("stderr", "", "also copy the program's stderr into this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: xrun [-code N] [-stderr FILE] [--] PROG ARGS...")
		return 2
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if *stderrFile != "" {
		f, err := os.OpenFile(*stderrFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, "xrun:", err)
			return 2
		}
		defer f.Close()
		cmd.Stderr = io.MultiWriter(os.Stderr, f)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "xrun:", err)
		return 2
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "xrun:", err)
			return 2
		}
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	}
	if *wantCode < 0 {
		return code
	}
	if code != *wantCode {
		fmt.Fprintf(os.Stderr, "xrun: %s exited with code %d, want %d\n", fs.Arg(0), code, *wantCode)
		return 1
	}
	return 0
}

// ---- script commands ----

// sandboxProc is the sandbox process of one script.
type sandboxProc struct {
	settings map[string]any
	caFile   string
	client   *http.Client
}

func cmdSandboxStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandbox-start")
	}
	bin, err := lookPath(ts.Getenv("PATH"), "cdflogin")
	ts.Check(err)
	caFile := ts.MkAbs("sandbox-ca.pem")
	cmd := exec.Command(bin, append([]string{"sandbox", "--write-ca", caFile}, args...)...)
	cmd.Env = []string{
		"PATH=" + ts.Getenv("PATH"),
		"HOME=" + ts.Getenv("HOME"),
		"CDFLOGIN_HOME=" + ts.MkAbs("sandbox-home"),
		"NO_COLOR=1",
		"TERM=dumb",
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ts.Defer(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	settings := make(chan map[string]any, 1)
	decodeErr := make(chan error, 1)
	go func() {
		var m map[string]any
		if err := json.NewDecoder(out).Decode(&m); err != nil {
			decodeErr <- err
			return
		}
		settings <- m
		_, _ = io.Copy(io.Discard, out)
	}()
	var m map[string]any
	select {
	case m = <-settings:
	case err := <-decodeErr:
		ts.Fatalf("sandbox settings: %v\nstderr:\n%s", err, stderr.String())
	case err := <-done:
		ts.Fatalf("sandbox exited early (%v)\nstderr:\n%s", err, stderr.String())
	case <-time.After(waitLimit):
		ts.Fatalf("sandbox printed no settings within %v\nstderr:\n%s", waitLimit, stderr.String())
	}
	pemBytes, err := os.ReadFile(caFile)
	ts.Check(err)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		ts.Fatalf("%s holds no PEM certificate", caFile)
	}
	client := &http.Client{
		Timeout:   waitLimit,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	ts.Setenv("SSL_CERT_FILE", caFile)
	vars := flatten("SANDBOX", m)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ts.Setenv(k, vars[k])
	}
	ts.Logf("sandbox: %s", strings.Join(keys, " "))
	sandboxes.Store(ts, &sandboxProc{settings: m, caFile: caFile, client: client})
}

// sandboxes maps a running script to its sandbox (a script runs on one
// goroutine; scripts run in parallel).
var sandboxes sync.Map

func sandboxOf(ts *testscript.TestScript) *sandboxProc {
	v, ok := sandboxes.Load(ts)
	if !ok {
		ts.Fatalf("no sandbox: run sandbox-start first")
	}
	return v.(*sandboxProc)
}

// flatten turns the sandbox settings into environment variables:
// {"authority_url": "…", "world": {"tenant_id": "…"}} gives
// SANDBOX_AUTHORITY_URL and SANDBOX_WORLD_TENANT_ID. Arrays of objects
// with a "name" are keyed by that name.
func flatten(prefix string, v any) map[string]string {
	out := map[string]string{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(p+"_"+envName(k), e)
			}
		case []any:
			for i, e := range x {
				key := strconv.Itoa(i)
				if o, ok := e.(map[string]any); ok {
					for _, nk := range []string{"key", "username", "name", "id"} {
						if s, ok := o[nk].(string); ok && s != "" {
							key, _, _ = strings.Cut(s, "@")
							break
						}
					}
				} else if s, ok := e.(string); ok {
					out[p+"_"+strconv.Itoa(i)] = s
					continue
				}
				walk(p+"_"+envName(key), e)
			}
		case string:
			out[p] = x
		case float64:
			out[p] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out[p] = strconv.FormatBool(x)
		}
	}
	walk(prefix, v)
	return out
}

var nonEnv = regexp.MustCompile(`[^A-Za-z0-9]+`)

func envName(s string) string {
	// camelCase → CAMEL_CASE
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			prev := rune(s[i-1])
			if prev >= 'a' && prev <= 'z' {
				b.WriteByte('_')
			}
		}
		b.WriteRune(r)
	}
	return strings.Trim(strings.ToUpper(nonEnv.ReplaceAllString(b.String(), "_")), "_")
}

func cmdSandboxAdmin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: sandbox-admin METHOD PATH [JSON]")
	}
	sb := sandboxOf(ts)
	base := adminBase(sb.settings)
	if base == "" {
		ts.Fatalf("the sandbox settings name no admin or authority URL")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(args[2])
	}
	req, err := http.NewRequest(args[0], base+"/"+strings.TrimPrefix(strings.TrimPrefix(args[1], "/_sandbox"), "/"), body)
	ts.Check(err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := sb.client.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	ts.Check(err)
	_, _ = ts.Stdout().Write(data)
	ok := resp.StatusCode/100 == 2
	if ok == neg {
		ts.Fatalf("sandbox-admin %s %s: %s: %s", args[0], args[1], resp.Status, data)
	}
}

func cmdSandboxCounts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 || len(args) == 1 && args[0] != "-reset" {
		ts.Fatalf("usage: sandbox-counts [-reset]")
	}
	out := ts.Stdout() // set stdout even when nothing is printed
	sb := sandboxOf(ts)
	base := adminBase(sb.settings)
	resp, err := sb.client.Get(base + "/requests")
	ts.Check(err)
	var body struct {
		Counts map[string]int `json:"counts"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	ts.Check(err)
	keys := make([]string, 0, len(body.Counts))
	for k := range body.Counts {
		if k != "admin" && !strings.HasPrefix(k, "admin:") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "%s=%d\n", k, body.Counts[k])
	}
	if len(args) == 1 {
		req, err := http.NewRequest(http.MethodDelete, base+"/requests", nil)
		ts.Check(err)
		resp, err := sb.client.Do(req)
		ts.Check(err)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			ts.Fatalf("reset the sandbox requests: %s", resp.Status)
		}
	}
}

// adminBase finds the sandbox admin API base URL in the settings: an
// explicit admin URL, else /_sandbox on the Entra listener.
func adminBase(settings map[string]any) string {
	flat := flatten("S", settings)
	for _, k := range []string{"S_ADMIN_URL", "S_ADMIN"} {
		if v := flat[k]; v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	for _, k := range []string{"S_AUTHORITY_URL", "S_AUTHORITY", "S_ENTRA_URL", "S_ISSUER"} {
		if v := flat[k]; strings.HasPrefix(v, "https://") {
			rest := strings.TrimPrefix(v, "https://")
			host, _, _ := strings.Cut(rest, "/")
			return "https://" + host + "/_sandbox"
		}
	}
	return ""
}

func cmdWaitMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! waitmatch")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: waitmatch FILE REGEXP [VAR...]")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	if re.NumSubexp() < len(args)-2 {
		ts.Fatalf("waitmatch: %d variables but only %d submatches", len(args)-2, re.NumSubexp())
	}
	file := ts.MkAbs(args[0])
	deadline := time.Now().Add(waitLimit)
	var last []byte
	for {
		last, _ = os.ReadFile(file)
		if m := re.FindSubmatch(last); m != nil {
			for i, name := range args[2:] {
				ts.Setenv(name, string(m[i+1]))
			}
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitmatch: %s did not match %q within %v; it holds:\n%s", args[0], args[1], waitLimit, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdFreePort sets each named variable to a loopback TCP port that was free
// a moment ago, so that scripts never share a fixed port with another test
// run on the same machine.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: freeport VAR...")
	}
	for _, name := range args {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv(name, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		ts.Check(ln.Close())
	}
}

func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand SRC DST")
	}
	src := ts.ReadFile(args[0])
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o700))
	ts.Check(os.WriteFile(dst, []byte(os.Expand(src, ts.Getenv)), 0o600))
}

func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode FILE MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	info, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := info.Mode().Perm(); (uint64(got) == want) == neg {
		ts.Fatalf("%s has mode %o, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}

// secretKeys are the JSON fields whose values no output may contain.
var secretKeys = map[string]bool{
	"secret": true, "access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
}

func cmdNoLeak(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! no-leak")
	}
	var sources, files []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-s" && i+1 < len(args):
			sources = append(sources, args[i+1])
			i++
		case args[i] == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		default:
			files = append(files, args[i])
		}
	}
	if len(sources) == 0 || len(files) == 0 {
		ts.Fatalf("usage: no-leak -s SOURCE... [--] FILE...")
	}
	var secrets []string
	for _, src := range sources {
		names := []string{src}
		if strings.ContainsAny(src, "*?[") {
			matches, err := filepath.Glob(ts.MkAbs(src))
			ts.Check(err)
			names = matches
		}
		for _, name := range names {
			secrets = append(secrets, secretsIn([]byte(ts.ReadFile(name)))...)
		}
	}
	if len(secrets) == 0 {
		ts.Fatalf("no-leak: no secret found in %v: the check would prove nothing", sources)
	}
	for _, f := range files {
		content := ts.ReadFile(f)
		for _, s := range secrets {
			if strings.Contains(content, s) {
				ts.Fatalf("no-leak: %s contains a secret (%d characters, starting %.6q)", f, len(s), s)
			}
		}
	}
}

// secretsIn collects the secret values of a source file.
func secretsIn(data []byte) []string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		if s := strings.TrimSpace(string(data)); len(s) >= 8 {
			return []string{s}
		}
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && secretKeys[strings.ToLower(k)] && len(s) >= 8 {
					out = append(out, s)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// ---- helpers ----

func lookPath(pathList, name string) (string, error) {
	for _, dir := range filepath.SplitList(pathList) {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH", name)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browserDoubleMain is what $BROWSER runs in the scripts.
func browserDoubleMain(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: browser-double URL")
		return 2
	}
	user := os.Getenv("SANDBOX_BROWSER_USER")
	if user == "" {
		user = "alice"
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := signInAs(ctx, args[0], user); err != nil {
		fmt.Fprintln(os.Stderr, "browser-double:", err)
		return 1
	}
	return 0
}

// signInAs plays the person in the browser, with the sandbox's browser
// double; the user "cancel" presses Cancel on the sign-in page. The client
// trusts the sandbox through SSL_CERT_FILE like any other process.
func signInAs(ctx context.Context, authorizeURL, user string) error {
	client := &http.Client{Timeout: waitLimit}
	if user == "cancel" {
		_, err := sandbox.CancelSignIn(ctx, client, authorizeURL)
		return err
	}
	if !strings.Contains(user, "@") {
		user += "@" + sandbox.TenantDomain
	}
	_, err := sandbox.SignInAs(ctx, client, authorizeURL, user)
	return err
}

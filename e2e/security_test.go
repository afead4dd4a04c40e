package e2e_test

// Security checks end to end: file modes of everything cdflogin writes,
// what happens to files others can read, and the browser sign-in's
// loopback listener as an attacker on the same machine or a web page
// would meet it (another local address, a foreign Host, a forged state
// carrying markup, the port after the answer). The loopback package's own
// tests cover the listener in isolation; these run the real flow.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// TestSecurityFileModes: profiles.yaml 0600 in a 0700 folder, caches and
// lock files 0600 in a 0700 folder, from a fresh start with a lax umask
// and over folders that were created open.
func TestSecurityFileModes(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	home := filepath.Join(t.TempDir(), "home")
	// Folders created by someone else with 0755: cdflogin leaves them as
	// they are (it never chmods a folder it did not create); the files in
	// them are private.
	if err := os.MkdirAll(filepath.Join(home, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	store := profiles.NewStore(filepath.Join(home, "profiles.yaml"))
	e := newFlowEnvOn(t, sb)
	var mu sync.Mutex
	var warnings []string
	e.withDeps(func(d *flows.Deps) {
		d.CacheDir = filepath.Join(home, "cache")
		d.Warnf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			warnings = append(warnings, fmt.Sprintf(format, args...))
		}
	})
	e.dir = filepath.Join(home, "cache")
	p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
	if err := store.Add(p); err != nil {
		t.Fatal(err)
	}
	// profiles.yaml as Add wrote it, before anything reads it: reading a
	// too-open file tightens it and would hide the mode it was written with.
	if got := fileMode(t, filepath.Join(home, "profiles.yaml")); got != 0o600 {
		t.Errorf("profiles.yaml written with mode %o, want 600", got)
	}
	if _, err := e.login(p, nil); err != nil {
		t.Fatal(err)
	}
	// The sign-in reads the cache after writing it, and a read tightens a
	// too-open file: so the modes below alone cannot tell how the cache
	// was written, but such a read says so.
	mu.Lock()
	for _, w := range warnings {
		if strings.Contains(w, "could be read by other users") {
			t.Errorf("the cache was written with a mode others may read (a later read restricted it): %s", w)
		}
	}
	mu.Unlock()
	checks := map[string]os.FileMode{
		home:                         0o755,
		filepath.Join(home, "cache"): 0o755,
	}
	entries, err := os.ReadDir(filepath.Join(home, "cache"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no cache files: %v", err)
	}
	for _, ent := range entries {
		checks[filepath.Join(home, "cache", ent.Name())] = 0o600
	}
	if locks, _ := filepath.Glob(filepath.Join(home, "*.lock")); len(locks) > 0 {
		for _, l := range locks {
			checks[l] = 0o600
		}
	}
	for path, want := range checks {
		if got := fileMode(t, path); got != want {
			// The home folder is the profiles package's: it tightens it
			// on write (ensureDir) — report, do not hide.
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}
}

// TestSecurityOpenFiles: an existing profiles.yaml or cache file that the
// group or others can read. Writing tightens it to 0600 (atomic replace);
// reading it tightens it too, with a warning (profiles.yaml: Store.Warnf;
// token caches: flows.Deps.Warnf).
func TestSecurityOpenFiles(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	home := t.TempDir()
	path := filepath.Join(home, "profiles.yaml")
	store := profiles.NewStore(path)
	var storeWarnings []string
	e := newFlowEnvOn(t, sb)
	p := e.profile(sandbox.AppSecret, profiles.FlowSecret)
	if err := store.Add(p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.login(p, nil); err != nil {
		t.Fatal(err)
	}
	cacheFiles, _ := filepath.Glob(filepath.Join(e.dir, "*.json"))
	if len(cacheFiles) == 0 {
		t.Fatal("no cache file")
	}

	// Writes replace the file with a 0600 one.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Update(p.Name, func(q *profiles.Profile) error { q.LoginHint = "someone@example.com"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := fileMode(t, path); got != 0o600 {
		t.Errorf("profiles.yaml after an update: mode %o, want 600", got)
	}
	for _, f := range cacheFiles {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range cacheFiles {
		if got := fileMode(t, f); got != 0o600 {
			t.Errorf("%s after a refresh: mode %o, want 600", filepath.Base(f), got)
		}
	}

	// Reads: a world-readable file is tightened, and the user is told.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range cacheFiles {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store.Warnf = func(format string, args ...any) { storeWarnings = append(storeWarnings, fmt.Sprintf(format, args...)) }
	var cacheWarnings []string
	e.withDeps(func(d *flows.Deps) {
		d.Warnf = func(format string, args ...any) {
			w := fmt.Sprintf(format, args...)
			e.record(w) // checked for secrets at the end
			cacheWarnings = append(cacheWarnings, w)
		}
	})
	if _, err := store.Get(p.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := e.silent(p, flows.SilentOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := fileMode(t, path); got != 0o600 {
		t.Errorf("profiles.yaml after a read: mode %o, want 600", got)
	}
	if len(storeWarnings) != 1 || !strings.Contains(storeWarnings[0], "0644 to 0600") {
		t.Errorf("profiles.yaml tightened on read with warnings %q, want one naming 0644 to 0600", storeWarnings)
	}
	for _, f := range cacheFiles {
		if got := fileMode(t, f); got != 0o600 {
			t.Errorf("%s after a read: mode %o, want 600", filepath.Base(f), got)
		}
		found := false
		for _, w := range cacheWarnings {
			found = found || strings.Contains(w, f)
		}
		if !found {
			t.Errorf("no warning names %s (tightened on read): %q", filepath.Base(f), cacheWarnings)
		}
	}
}

// TestSecurityLoopbackEndToEnd runs a browser sign-in and, while the flow
// waits for the redirect, attacks its listener the ways a local process or
// a web page could. None of it may end or hijack the sign-in, reflect
// input into a page, or be reachable off loopback; the real answer then
// completes it and the port closes.
func TestSecurityLoopbackEndToEnd(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	e := newFlowEnvOn(t, sb)
	noGoroutineLeak(t, sb.HTTPClient())
	p := e.profile(sandbox.AppBrowser, profiles.FlowBrowser)
	port := p.RedirectPort

	var mu sync.Mutex
	var problems []string
	report := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var authURL *url.URL
	plain := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	done := make(chan struct{})
	e.withDeps(func(d *flows.Deps) {
		d.OpenBrowser = func(u string) error {
			go func() {
				defer close(done)
				var err error
				authURL, err = url.Parse(u)
				if err != nil {
					report("authorize URL: %v", err)
					return
				}
				q := authURL.Query()
				if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
					report("authorize URL without PKCE S256: %s", q.Encode())
				}
				state := q.Get("state")
				if len(state) < 16 {
					report("state %q is too short to be unguessable", state)
				}
				redirect := q.Get("redirect_uri")
				if redirect != fmt.Sprintf("http://localhost:%d", port) {
					report("redirect_uri = %q", redirect)
				}
				probeLoopback(t, port, state, plain, report)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if _, err := sandbox.SignInAs(ctx, sb.HTTPClient(), u, sandbox.AliceUsername); err != nil {
					report("the real sign-in: %v", err)
				}
			}()
			return nil
		}
	})
	tok, err := e.login(p, nil)
	<-done
	if err != nil {
		t.Fatalf("the sign-in did not survive the probes: %v", err)
	}
	if tok.AccessToken == "" {
		t.Fatal("no token")
	}
	for _, pr := range problems {
		t.Error(pr)
	}
	// The listener is gone once the answer came.
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		_ = c.Close()
		t.Errorf("port %d still accepts connections after the sign-in", port)
	}
}

// probeLoopback attacks the listener on port while the flow waits.
func probeLoopback(t *testing.T, port int, state string, c *http.Client, report func(string, ...any)) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Wait until it listens.
	for i := 0; i < 100; i++ {
		if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond); err == nil {
			_ = conn.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Not reachable on a non-loopback address of this machine.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		hostport := net.JoinHostPort(ipn.IP.String(), fmt.Sprint(port))
		if conn, err := net.DialTimeout("tcp", hostport, time.Second); err == nil {
			_ = conn.Close()
			report("the listener is reachable on %s", hostport)
		}
	}

	const marker = `<script>alert("x")</script>`
	get := func(host, rawQuery string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, base+"/?"+rawQuery, nil)
		if err != nil {
			report("request: %v", err)
			return 0, ""
		}
		if host != "" {
			req.Host = host
		}
		resp, err := c.Do(req)
		if err != nil {
			report("GET %s (Host %s): %v", rawQuery, host, err)
			return 0, ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(body)
	}
	valid := url.Values{"code": {"forged-code"}, "state": {state}}.Encode()

	// DNS rebinding: a page on evil.example that resolves to 127.0.0.1.
	if code, body := get(fmt.Sprintf("evil.example:%d", port), valid); code < 400 {
		report("a foreign Host got %d: %.200s", code, body)
	}
	// A forged state carrying markup: refused, and not echoed.
	forged := url.Values{"code": {marker}, "state": {marker}, "error_description": {marker}}.Encode()
	if code, body := get("", forged); code < 400 {
		report("a wrong state got %d", code)
	} else if strings.Contains(body, marker) || strings.Contains(body, "alert(") {
		report("the page reflects the request's input: %.300s", body)
	}
	// An error answer with the wrong state must not end the sign-in.
	if code, body := get("", url.Values{"error": {"access_denied"}, "error_description": {marker}, "state": {"nope"}}.Encode()); code < 400 {
		report("an error answer with a wrong state got %d", code)
	} else if strings.Contains(body, "alert(") {
		report("the error page reflects input: %.300s", body)
	}
}

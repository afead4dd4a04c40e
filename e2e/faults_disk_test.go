//go:build linux

package e2e_test

// Disk full, on a real full file system: a small tmpfs mounted on a test
// folder (this needs root, or CAP_SYS_ADMIN, as in CI) is CDFLOGIN_HOME,
// and a filler file takes its last byte before the command under test
// runs. Each case checks what a person sees (the file, "no space left on
// device", "free space on <mount point>"), that the files that were there
// are byte for byte the same, that no temporary file is left behind, and
// that the command works again once space is freed. The same behaviour on
// machines where mounting is not allowed is checked through the write
// seams of profiles and tokencache (their package tests).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/root"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// smallDisk mounts a tmpfs of size bytes on a new test folder and returns
// the folder. It skips the test, saying why, where mounting is not
// allowed. The file system is unmounted when the test ends (lazily, if
// something still holds it).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a real full (or read-only) disk needs a tmpfs mount, which needs root (CAP_SYS_ADMIN); the seams in profiles and tokencache test the same paths")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := "size=" + strconv.Itoa(size) + ",mode=0700"
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): a container without CAP_SYS_ADMIN? the seams in profiles and tokencache test the same paths", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
		}
	})
	return dir
}

// fill writes a filler file on dir's file system until the file system
// refuses with ENOSPC, and returns the function that deletes the filler.
func fill(t *testing.T, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{'x'}, 512)
	for {
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	_ = f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling %s ended with %v, not ENOSPC", dir, err)
	}
	// The disk is full: not even one byte more fits in a new file.
	probe := filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, []byte{'x'}, 0o600); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("after filling, a 1-byte write gave %v, not ENOSPC", err)
	}
	_ = os.Remove(probe)
	return func() {
		if err := os.Remove(path); err != nil {
			t.Fatalf("free the disk: %v", err)
		}
	}
}

// diskEnv runs the real command tree with CDFLOGIN_HOME on a small disk.
type diskEnv struct {
	t    *testing.T
	sb   *sandbox.Sandbox
	home string
	// approveAs, when set, approves as this sandbox user every device
	// code the command prints, as a person at the verification page would.
	approveAs string
}

// deviceApprover approves the device codes written to it (login's plain
// progress, "… enter the code XXXX").
type deviceApprover struct {
	t    *testing.T
	sb   *sandbox.Sandbox
	user string
}

func (a *deviceApprover) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		if _, code, ok := strings.Cut(line, "and enter the code "); ok && strings.HasPrefix(line, "To sign in, open ") {
			if err := a.sb.ApproveDeviceCode(strings.TrimSpace(code), a.user); err != nil {
				a.t.Errorf("approve %s: %v", code, err)
			}
		}
	}
	return len(p), nil
}

type diskResult struct {
	out, errOut string
	err         error
	code        int
}

// text is everything the person sees: stderr and the error as printed.
func (r diskResult) text() string {
	s := r.errOut
	if r.err != nil {
		s += "Error: " + r.err.Error() + "\n"
		var d cmdutil.Detailer
		if errors.As(r.err, &d) {
			s += d.Details() + "\n"
		}
	}
	return s
}

func (e *diskEnv) run(args ...string) diskResult {
	e.t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	var stderr io.Writer = errOut
	if e.approveAs != "" {
		stderr = io.MultiWriter(errOut, &deviceApprover{t: e.t, sb: e.sb, user: e.approveAs})
	}
	f := &cmdutil.Factory{
		IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: stderr},
		Getenv: func(k string) string {
			switch k {
			case "CDFLOGIN_HOME":
				return e.home
			case "SANDBOX_SECRET":
				return sandbox.SecretAppSecret
			}
			return ""
		},
		Now:        time.Now,
		HTTPClient: e.sb.HTTPClient(),
		Version:    "e2e",
	}
	cmd := root.NewCmd(f)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(stderr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	r := diskResult{out: out.String(), errOut: errOut.String(), err: err, code: cmdutil.ExitCode(err)}
	if strings.Contains(r.text(), sandbox.SecretAppSecret) {
		e.t.Errorf("cdflogin %s printed the client secret", strings.Join(args, " "))
	}
	return r
}

// addArgs are the arguments of `profile add` for a sandbox secret profile.
func (e *diskEnv) addArgs(name string) []string {
	return []string{"profile", "add", name, "--tenant", sandbox.TenantID, "--client-id", sandbox.SecretAppID,
		"--cluster", "westeurope-1", "--project", sandbox.ProjectName, "--flow", "secret", "--secret-env", "SANDBOX_SECRET",
		"--authority", e.sb.AuthorityURL(), "--cdf-url", e.sb.CDFURL()}
}

// deviceArgs are the arguments of `profile add` for a sandbox profile
// that signs in with a device code.
func (e *diskEnv) deviceArgs(name string) []string {
	return []string{"profile", "add", name, "--tenant", sandbox.TenantID, "--client-id", sandbox.DeviceAppID,
		"--cluster", "westeurope-1", "--project", sandbox.ProjectName, "--flow", "device",
		"--authority", e.sb.AuthorityURL(), "--cdf-url", e.sb.CDFURL()}
}

// snapshot is every file under dir with its content (the filler and the
// lock files, which hold nothing, left out).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "filler" || strings.HasSuffix(d.Name(), ".lock") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameFiles fails when the files under dir are not before's, naming
// what changed, appeared (a temporary file left behind) or went.
func sameFiles(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := snapshot(t, dir)
	for name, data := range before {
		got, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s is gone", name)
		case got != data:
			t.Errorf("%s changed:\nbefore %q\nafter  %q", name, data, got)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was left behind", name)
		}
	}
}

// wantWords fails unless text has every one of words.
func wantWords(t *testing.T, what, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, text)
		}
	}
}

func TestFaultsDiskFull(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})

	t.Run("profiles.yaml cannot be saved", func(t *testing.T) {
		disk := smallDisk(t, 64<<10)
		e := &diskEnv{t: t, sb: sb, home: disk}
		if r := e.run(e.addArgs("app")...); r.err != nil {
			t.Fatalf("profile add on an empty disk: %v\n%s", r.err, r.errOut)
		}
		file := filepath.Join(disk, "profiles.yaml")
		before := snapshot(t, disk)
		free := fill(t, disk)

		for _, args := range [][]string{
			e.addArgs("second"),
			{"profile", "edit", "app", "--project", "other"},
			{"profile", "edit", "app", "--default"},
			{"profile", "remove", "app"},
		} {
			r := e.run(args...)
			what := "cdflogin " + strings.Join(args[:3], " ")
			if r.err == nil {
				t.Errorf("%s on a full disk succeeded:\n%s", what, r.errOut)
				continue
			}
			if r.code != cmdutil.ExitError {
				t.Errorf("%s: exit %d, want %d", what, r.code, cmdutil.ExitError)
			}
			if !errors.Is(r.err, syscall.ENOSPC) {
				t.Errorf("%s: the error is not ENOSPC in its chain: %v", what, r.err)
			}
			wantWords(t, what, r.text(), file, "no space left on device", "free space on "+disk, "unchanged")
			if strings.Contains(r.errOut, "Added profile") || strings.Contains(r.errOut, "Removed profile") || strings.Contains(r.errOut, "Updated") {
				t.Errorf("%s claims success:\n%s", what, r.errOut)
			}
			sameFiles(t, disk, before)
		}
		// Reading works on a full disk, and shows the profile as it was.
		if r := e.run("profile", "show", "app"); r.err != nil || !strings.Contains(r.out+r.errOut, sandbox.ProjectName) {
			t.Errorf("profile show on a full disk: %v\n%s%s", r.err, r.out, r.errOut)
		}

		// The fix the message names works.
		free()
		if r := e.run(e.addArgs("second")...); r.err != nil {
			t.Fatalf("profile add after freeing space: %v\n%s", r.err, r.errOut)
		}
		names, err := profiles.NewStore(file).Names()
		if err != nil || !slices.Equal(names, []string{"app", "second"}) {
			t.Errorf("profiles after freeing space: %q, %v", names, err)
		}
	})

	t.Run("token cache cannot be saved: the token is still handed out", func(t *testing.T) {
		disk := smallDisk(t, 64<<10)
		e := &diskEnv{t: t, sb: sb, home: disk}
		if r := e.run(e.addArgs("app")...); r.err != nil {
			t.Fatalf("profile add: %v\n%s", r.err, r.errOut)
		}
		first := e.run("token", "-p", "app")
		if first.err != nil {
			t.Fatalf("token on an empty disk: %v\n%s", first.err, first.errOut)
		}
		cacheFile := filepath.Join(disk, "cache", tokencache.FileName("app"))
		before := snapshot(t, disk)
		if _, ok := before[filepath.Join("cache", tokencache.FileName("app"))]; !ok {
			t.Fatalf("no token cache after the first token: %v", before)
		}
		free := fill(t, disk)

		// A cached token is served from a full disk without a write.
		if r := e.run("token", "-p", "app"); r.err != nil || r.out != first.out || r.errOut != "" {
			t.Errorf("cached token on a full disk: %v, same token %v, stderr %q", r.err, r.out == first.out, r.errOut)
		}
		sameFiles(t, disk, before)

		// A new token (none in the cache is valid for 2 h; the tenant now
		// issues 3 h tokens, so the new one is) is printed, with a warning
		// that it could not be kept.
		e.sb.SetAccessTokenLifetime(3 * time.Hour)
		r := e.run("token", "-p", "app", "--min-valid", "2h")
		if r.err != nil {
			t.Fatalf("token on a full disk failed: %v\n%s", r.err, r.text())
		}
		tok := strings.TrimSpace(r.out)
		if tok == "" || tok == strings.TrimSpace(first.out) || strings.Count(tok, ".") != 2 {
			t.Errorf("token on a full disk printed %d bytes, not a new JWT", len(tok))
		}
		wantWords(t, "the warning", r.errOut, "Warning: ", `profile "app"`, cacheFile, "no space left on device", "free space on "+disk, "next")
		if strings.Contains(r.errOut, tok) {
			t.Error("the warning holds the token")
		}
		sameFiles(t, disk, before)

		// login's whole point is the cache: it says it signed in, then
		// fails, saying what to do.
		r = e.run("login", "-p", "app", "--plain")
		if r.code != cmdutil.ExitError {
			t.Errorf("login on a full disk: exit %d, want %d\n%s", r.code, cmdutil.ExitError, r.text())
		}
		wantWords(t, "login on a full disk", r.text(), "Signed in as", cacheFile, "no space left on device",
			"free space on "+disk, "not saved", "cdflogin login -p app")
		sameFiles(t, disk, before)

		// logout only deletes: it works on a full disk.
		if r := e.run("logout", "-p", "app"); r.err != nil || !strings.Contains(r.errOut, cacheFile) {
			t.Errorf("logout on a full disk: %v\n%s", r.err, r.errOut)
		}
		if _, err := os.Stat(cacheFile); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the cache file is still there after logout: %v", err)
		}

		// Once space is freed the token is cached again, silently.
		free()
		r = e.run("login", "-p", "app", "--plain")
		if r.err != nil || strings.Contains(r.errOut, "Warning") {
			t.Fatalf("login after freeing space: %v\n%s", r.err, r.errOut)
		}
		if _, err := os.Stat(cacheFile); err != nil {
			t.Errorf("no cache file after freeing space: %v", err)
		}
	})

	t.Run("user sign-in and refresh: the cached sign-in survives", func(t *testing.T) {
		disk := smallDisk(t, 64<<10)
		cachedSignInSurvives(t, sb, disk, func() func() { return fill(t, disk) }, "no space left on device", "free space on "+disk)
	})

	t.Run("CLI: no device or browser sign-in starts that could not be kept", func(t *testing.T) {
		disk := smallDisk(t, 64<<10)
		userSignInsDoNotStart(t, sb, disk, func() func() { return fill(t, disk) },
			"no space left on device", "(the file system at "+disk+" is full)", "free space on "+disk)
	})
}

// userSignInsDoNotStart: with CDFLOGIN_HOME on disk, a device-code
// sign-in is cached; then the disk is broken (breakDisk returns the fix).
// `cdflogin login` with the device code or the browser fails (exit 1)
// before anything is sent to Entra ID, and before any code or URL is
// shown, with the words of the not-kept warning (the cache file and
// words) and the command to run again; every file stays as it was. Once
// the disk is fixed, the device-code sign-in works and is cached.
func userSignInsDoNotStart(t *testing.T, sb *sandbox.Sandbox, disk string, breakDisk func() (fix func()), words ...string) {
	t.Helper()
	e := &diskEnv{t: t, sb: sb, home: disk, approveAs: sandbox.AliceUsername}
	if r := e.run(e.deviceArgs("dev")...); r.err != nil {
		t.Fatalf("profile add: %v\n%s", r.err, r.errOut)
	}
	if r := e.run("login", "-p", "dev", "--plain"); r.err != nil {
		t.Fatalf("device-code login on a working disk: %v\n%s", r.err, r.text())
	}
	cacheName := filepath.Join("cache", tokencache.FileName("dev"))
	before := snapshot(t, disk)
	if before[cacheName] == "" {
		t.Fatalf("no token cache after the first login: %v", before)
	}
	fix := breakDisk()

	for _, flow := range []string{"device", "browser"} {
		what := "login --flow " + flow + " on the broken disk"
		sb.ResetRequests()
		r := e.run("login", "-p", "dev", "--flow", flow, "--plain")
		if r.code != cmdutil.ExitError {
			t.Errorf("%s: exit %d, want %d\n%s", what, r.code, cmdutil.ExitError, r.text())
		}
		if reqs := sb.Requests(); len(reqs) != 0 {
			t.Errorf("%s sent %d requests, want none: %+v", what, len(reqs), reqs)
		}
		wantWords(t, what, r.text(), append([]string{`profile "dev": no sign-in started`, filepath.Join(disk, cacheName),
			"then run cdflogin login -p dev again"}, words...)...)
		if r.errOut != "" {
			t.Errorf("%s printed progress before failing:\n%s", what, r.errOut)
		}
		sameFiles(t, disk, before)
	}

	fix()
	r := e.run("login", "-p", "dev", "--plain")
	if r.err != nil || strings.Contains(r.errOut, "Warning") || !strings.Contains(r.errOut, "Signed in as") {
		t.Fatalf("login on the fixed disk: %v\n%s", r.err, r.errOut)
	}
	if after := snapshot(t, disk); after[cacheName] == "" || after[cacheName] == before[cacheName] {
		t.Error("the new sign-in was not cached on the fixed disk")
	}
}

// cachedSignInSurvives signs in (device code) with the token cache on
// disk, then breaks the disk (breakDisk returns the fix). A forced refresh
// and a new sign-in each hand out a new token with one warning naming the
// cache file and words; the files stay as they were and the cache still
// holds the first sign-in. Once fixed, the cached refresh token still
// works, and its result is cached without a warning.
func cachedSignInSurvives(t *testing.T, sb *sandbox.Sandbox, disk string, breakDisk func() (fix func()), words ...string) {
	t.Helper()
	e := newFlowEnvOn(t, sb)
	var mu sync.Mutex
	var warnings []string
	warned := func() []string {
		mu.Lock()
		defer mu.Unlock()
		w := warnings
		warnings = nil
		return w
	}
	e.dir = filepath.Join(disk, "cache")
	e.withDeps(func(d *flows.Deps) {
		d.CacheDir = e.dir
		d.Warnf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			warnings = append(warnings, fmt.Sprintf(format, args...))
		}
	})
	p := e.profile(sandbox.AppDevice, profiles.FlowDevice)
	events, _ := e.events(e.approve(sandbox.AliceUsername))
	old, err := e.login(p, events)
	if err != nil {
		t.Fatalf("sign-in on a working disk: %v", err)
	}
	cacheFile := filepath.Join(e.dir, tokencache.FileName(p.Name))
	before := snapshot(t, disk)
	fix := breakDisk()

	// A forced refresh gets a new token and hands it out.
	warned()
	got, err := e.silent(p, flows.SilentOptions{Force: true})
	if err != nil {
		t.Fatalf("refresh on the broken disk: %v", err)
	}
	if got.AccessToken == "" || got.AccessToken == old.AccessToken {
		t.Error("refresh on the broken disk did not hand out a new token")
	}
	w := warned()
	if len(w) != 1 {
		t.Fatalf("warnings %q, want one", w)
	}
	wantWords(t, "the refresh warning", w[0], append([]string{cacheFile}, words...)...)
	sameFiles(t, disk, before)

	// A new sign-in is not started: a person would wait for tokens that
	// would be lost. It fails before any request, in the warning's words,
	// and the earlier sign-in is what the cache still holds. (This is the
	// flows' own check, so it holds for the interactive program too.)
	events, _ = e.events(e.approve(sandbox.AliceUsername))
	sb.ResetRequests()
	_, err = e.login(p, events)
	if err == nil {
		t.Fatal("a device sign-in started on the broken disk")
	}
	wantWords(t, "the sign-in error", err.Error(), append([]string{"no sign-in started", cacheFile}, words...)...)
	if reqs := sb.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests for a sign-in that could not be kept", len(reqs))
	}
	if w := warned(); len(w) != 0 {
		t.Fatalf("warnings %q, want none (the error says it)", w)
	}
	sameFiles(t, disk, before)
	if c, err := e.svc.Cached(p); err != nil || c == nil || c.AccessToken != old.AccessToken {
		t.Errorf("Cached on the broken disk = %v, %v; want the earlier sign-in", c != nil, err)
	}

	// The cached refresh token still works once the disk is fixed.
	fix()
	if _, err := e.silent(p, flows.SilentOptions{Force: true}); err != nil {
		t.Fatalf("refresh on the fixed disk: %v", err)
	}
	if w := warned(); len(w) != 0 {
		t.Fatalf("refresh on the fixed disk warned: %q", w)
	}
	if c, err := e.svc.Cached(p); err != nil || c == nil || c.AccessToken == old.AccessToken {
		t.Errorf("the refreshed token was not cached on the fixed disk")
	}
}

// TestFaultsDebugLogDiskFull: --debug-log on a full disk. The command
// does its work and prints its result; the person is told once that the
// log could not be written, why and what to do; with room again the log
// is written.
func TestFaultsDebugLogDiskFull(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})
	disk := smallDisk(t, 64<<10)
	e := &diskEnv{t: t, sb: sb, home: t.TempDir()}
	if r := e.run(e.addArgs("app")...); r.err != nil {
		t.Fatalf("profile add: %v\n%s", r.err, r.errOut)
	}
	logPath := filepath.Join(disk, "debug.log")
	free := fill(t, disk)

	for _, args := range [][]string{
		{"token", "-p", "app", "--debug-log", logPath},
		{"token", "-p", "app", "--debug-log", logPath, "--verbose"},
	} {
		what := "cdflogin " + strings.Join(args, " ")
		// No cached token, so the command asks Entra for one (and has a
		// trace to write).
		if r := e.run("logout", "-p", "app"); r.err != nil {
			t.Fatalf("logout: %v", r.err)
		}
		r := e.run(args...)
		if r.err != nil {
			t.Fatalf("%s on a full disk: %v\n%s", what, r.err, r.text())
		}
		if tok := strings.TrimSpace(r.out); strings.Count(tok, ".") != 2 {
			t.Errorf("%s: printed %d bytes, not a JWT", what, len(tok))
		}
		if n := strings.Count(r.errOut, logPath); n != 1 {
			t.Errorf("%s: the log is named %d times on stderr, want once:\n%s", what, n, r.errOut)
		}
		wantWords(t, what, r.errOut, "Warning: --debug-log "+logPath+": no space left on device: the log ends here, and the command goes on without it",
			"for a whole log, free space on "+disk+" or give --debug-log a file on another disk")
		if args[len(args)-1] == "--verbose" && !strings.Contains(r.errOut, "> POST ") {
			t.Errorf("%s: the trace on stderr stopped with the log:\n%s", what, r.errOut)
		}
	}

	// With room again the log is written.
	free()
	if err := os.Remove(logPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if r := e.run("logout", "-p", "app"); r.err != nil {
		t.Fatalf("logout: %v", r.err)
	}
	r := e.run("token", "-p", "app", "--debug-log", logPath)
	if r.err != nil || strings.Contains(r.errOut, "--debug-log") {
		t.Fatalf("token with room for the log: %v\n%s", r.err, r.errOut)
	}
	data, err := os.ReadFile(logPath)
	if err != nil || !strings.Contains(string(data), "> POST ") {
		t.Errorf("the log with room: %v\n%s", err, data)
	}
}

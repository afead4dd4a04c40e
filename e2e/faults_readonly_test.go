//go:build linux

package e2e_test

// A read-only file system under CDFLOGIN_HOME: a small tmpfs (see
// smallDisk) is written to, then remounted read-only, which refuses every
// write with EROFS even to root, so that this runs in CI (as root) too.
// The unprivileged variant, a cache folder of mode 0500, is the
// "read-only cache folder" case of TestFaultsCache. A token that cannot
// be kept is still handed out, with a warning that says why and what to
// do; login fails (exit 1) because it exists to keep the sign-in; a
// profile change fails and loses nothing; every file stays as it was.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/sandbox"
)

// readOnly remounts the tmpfs at dir read-only and returns the function
// that makes it writable again. It skips the test, saying why, where
// remounting is refused.
func readOnly(t *testing.T, dir string) (writable func()) {
	t.Helper()
	const flags = syscall.MS_REMOUNT | syscall.MS_NOSUID | syscall.MS_NODEV
	if err := syscall.Mount("", dir, "", flags|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount %s read-only (%v); the seams in tokencache test the same paths", dir, err)
	}
	probe := filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, []byte{'x'}, 0o600); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("after remounting read-only, a write gave %v, not EROFS", err)
	}
	return func() {
		if err := syscall.Mount("", dir, "", flags, ""); err != nil {
			t.Fatalf("remount %s read-write: %v", dir, err)
		}
	}
}

func TestFaultsReadOnly(t *testing.T) {
	sb := startFlowSandbox(t, sandbox.Options{})

	t.Run("CLI: the token is still handed out, login and profile changes fail", func(t *testing.T) {
		disk := smallDisk(t, 1<<20)
		e := &diskEnv{t: t, sb: sb, home: disk}
		if r := e.run(e.addArgs("app")...); r.err != nil {
			t.Fatalf("profile add: %v\n%s", r.err, r.errOut)
		}
		first := e.run("token", "-p", "app")
		if first.err != nil {
			t.Fatalf("token on a writable disk: %v\n%s", first.err, first.errOut)
		}
		cacheFile := filepath.Join(disk, "cache", tokencache.FileName("app"))
		profilesFile := filepath.Join(disk, "profiles.yaml")
		// No lock file, as in a cache copied onto a read-only disk: it
		// cannot be created there.
		if err := os.Remove(cacheFile + ".lock"); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, disk)
		writable := readOnly(t, disk)

		// A cached token is served: no process can change a cache on a
		// read-only file system, so it is read without its lock.
		if r := e.run("token", "-p", "app"); r.err != nil || r.out != first.out || r.errOut != "" {
			t.Errorf("cached token on a read-only disk: %v, same token %v, stderr %q", r.err, r.out == first.out, r.errOut)
		}

		// A new token is printed, with a warning that it is not kept,
		// why, and what to do. (None in the cache is valid for 2 h; the
		// tenant now issues 3 h tokens, so the new one is.)
		e.sb.SetAccessTokenLifetime(3 * time.Hour)
		r := e.run("token", "-p", "app", "--min-valid", "2h")
		if r.err != nil {
			t.Fatalf("token on a read-only disk failed: %v\n%s", r.err, r.text())
		}
		tok := strings.TrimSpace(r.out)
		if tok == "" || tok == strings.TrimSpace(first.out) || strings.Count(tok, ".") != 2 {
			t.Errorf("token on a read-only disk printed %d bytes, not a new JWT", len(tok))
		}
		if n := strings.Count(r.errOut, "not kept"); n != 1 {
			t.Errorf("%d warnings that the token is not kept, want one:\n%s", n, r.errOut)
		}
		wantWords(t, "the warning", r.errOut, `profile "app"`, "not kept for the next run", cacheFile,
			"read-only file system", "the file system at "+disk+" is read-only", "set CDFLOGIN_HOME to a folder on a writable disk")
		if strings.Contains(r.errOut, tok) {
			t.Error("the warning holds the token")
		}

		// login's whole point is the cache: it says it signed in, then
		// fails, saying what to do.
		r = e.run("login", "-p", "app", "--plain")
		if r.code != cmdutil.ExitError {
			t.Errorf("login on a read-only disk: exit %d, want %d\n%s", r.code, cmdutil.ExitError, r.text())
		}
		wantWords(t, "login on a read-only disk", r.text(), "Signed in as", cacheFile, "read-only file system",
			"CDFLOGIN_HOME", "not saved", "cdflogin login -p app")

		// A profile change must not vanish: it fails, naming the cause.
		for _, args := range [][]string{e.addArgs("second"), {"profile", "edit", "app", "--project", "other"}, {"profile", "remove", "app"}} {
			r := e.run(args...)
			what := "cdflogin " + strings.Join(args[:3], " ")
			if r.err == nil || r.code != cmdutil.ExitError {
				t.Errorf("%s on a read-only disk: exit %d, err %v\n%s", what, r.code, r.err, r.errOut)
				continue
			}
			if !errors.Is(r.err, syscall.EROFS) {
				t.Errorf("%s: EROFS is not in the chain: %v", what, r.err)
			}
			wantWords(t, what, r.text(), "cannot save "+profilesFile+": read-only file system",
				"the file system at "+disk+" is read-only", "the file is unchanged", "make it writable", "CDFLOGIN_HOME")
			if strings.Contains(r.text(), ".tmp") {
				t.Errorf("%s names the temp file: %v", what, r.err)
			}
		}

		// logout cannot delete on a read-only disk: it says so.
		if r := e.run("logout", "-p", "app"); r.err == nil || !strings.Contains(r.text(), "read-only file system") {
			t.Errorf("logout on a read-only disk: %v\n%s", r.err, r.errOut)
		}
		sameFiles(t, disk, before)

		// Once the disk is writable again the token is cached, silently.
		writable()
		r = e.run("login", "-p", "app", "--plain")
		if r.err != nil || strings.Contains(r.errOut, "Warning") {
			t.Fatalf("login on a writable disk again: %v\n%s", r.err, r.errOut)
		}
		if after := snapshot(t, disk); after[filepath.Join("cache", tokencache.FileName("app"))] == before[filepath.Join("cache", tokencache.FileName("app"))] {
			t.Error("the cache file did not change after login on a writable disk")
		}
	})

	t.Run("CLI: no cache folder on a read-only disk", func(t *testing.T) {
		disk := smallDisk(t, 1<<20)
		e := &diskEnv{t: t, sb: sb, home: disk}
		if r := e.run(e.addArgs("app")...); r.err != nil {
			t.Fatalf("profile add: %v\n%s", r.err, r.errOut)
		}
		readOnly(t, disk)
		r := e.run("token", "-p", "app")
		if r.code != cmdutil.ExitError {
			t.Fatalf("token without a cache folder on a read-only disk: exit %d\n%s", r.code, r.text())
		}
		wantWords(t, "the error", r.text(), filepath.Join(disk, "cache"), "read-only file system",
			"the file system at "+disk+" is read-only: set CDFLOGIN_HOME to a folder on a writable disk")
	})

	t.Run("user sign-in and refresh: the cached sign-in survives", func(t *testing.T) {
		disk := smallDisk(t, 1<<20)
		cachedSignInSurvives(t, sb, disk, func() func() { return readOnly(t, disk) },
			"read-only file system", "the file system at "+disk+" is read-only", "CDFLOGIN_HOME")
	})

	t.Run("CLI: no device or browser sign-in starts that could not be kept", func(t *testing.T) {
		disk := smallDisk(t, 1<<20)
		userSignInsDoNotStart(t, sb, disk, func() func() { return readOnly(t, disk) },
			"read-only file system", "(the file system at "+disk+" is read-only)", "set CDFLOGIN_HOME to a folder on a writable disk")
	})
}

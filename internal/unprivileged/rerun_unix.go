//go:build unix

package unprivileged

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Rerun runs the test t again as the unprivileged user UID when this
// process is root, and reports the child's result as t's: the caller
// returns when it says true. Not as root (or in the child itself) it says
// false and the test goes on here. The test binary is copied to a folder
// the user may read, and the child is given a home of its own; its
// temporary files go to os.TempDir() as usual.
func Rerun(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 || Child() {
		return false
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("unprivileged rerun: %v", err)
	}
	dir, err := os.MkdirTemp("", "cdflogin-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	home := filepath.Join(dir, "home")
	bin := filepath.Join(dir, filepath.Base(exe))
	if err := copyFile(exe, bin); err != nil {
		t.Fatalf("unprivileged rerun: copy the test binary: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, UID, GID); err != nil {
		t.Fatal(err)
	}

	args := []string{"-test.run=" + runPattern(t.Name()), "-test.count=1", "-test.v"}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout="+time.Until(d).Round(time.Second).String())
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "HOME="+home, "XDG_CONFIG_HOME=", "XDG_CACHE_HOME=", "XDG_RUNTIME_DIR=")
	cmd.Dir, _ = os.Getwd() // the package's folder, for its testdata
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: UID, Gid: GID, Groups: []uint32{}}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	report(t, err, out.String())
	return true
}

// report makes the child's outcome t's: its failure (with its output), its
// skip, or a pass that really ran the test.
func report(t *testing.T, err error, out string) {
	t.Helper()
	name := regexp.QuoteMeta(t.Name())
	switch {
	case err != nil && !strings.Contains(out, "=== RUN"):
		t.Fatalf("could not run the test as uid %d: %v\n%s", UID, err, out)
	case err != nil:
		t.Fatalf("as uid %d (the test reruns unprivileged, as root ignores file modes):\n%s", UID, out)
	case regexp.MustCompile(`--- SKIP: ` + name + ` `).MatchString(out):
		t.Skipf("skipped as uid %d:\n%s", UID, out)
	case !regexp.MustCompile(`--- PASS: ` + name + ` `).MatchString(out):
		t.Fatalf("the rerun as uid %d did not run %s:\n%s", UID, t.Name(), out)
	}
	t.Logf("passed as uid %d", UID)
}

// runPattern is the -test.run pattern that selects exactly the test (or
// subtest) of that name.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

//go:build unix

package root

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/fsfault"
)

// TestDebugLogWriteFailure: a log that cannot be written (here its folder
// is gone; in e2e, a full disk) does not fail the command or the trace on
// stderr beside it; the person is told once, and the log ends there: it
// does not go on with a gap once it could be written again.
func TestDebugLogWriteFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "debug.log")
	var stderr bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{ErrOut: &stderr}, Version: "test"}
	cmd := &cobra.Command{Use: "cdflogin"}
	addDebugFlags(cmd, f)
	cmd.AddCommand(&cobra.Command{Use: "probe", RunE: func(c *cobra.Command, _ []string) error {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		for i := range 3 {
			if i == 2 {
				if err := os.Mkdir(dir, 0o700); err != nil { // writable again
					return err
				}
				if err := os.WriteFile(logPath, nil, 0o600); err != nil {
					return err
				}
			}
			resp, err := f.HTTPClient.Get(srv.URL + "/probe")
			if err != nil {
				return err
			}
			resp.Body.Close()
			f.Logf("request %d done", i)
		}
		fmt.Fprintln(c.OutOrStdout(), "result")
		return nil
	}})
	var stdout bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetArgs([]string{"probe", "--verbose", "--debug-log", logPath})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("the command failed with its log: %v", err)
	}
	if stdout.String() != "result\n" {
		t.Errorf("stdout %q, want the command's result", stdout.String())
	}
	if n := strings.Count(stderr.String(), "Warning: --debug-log "+logPath+": "); n != 1 {
		t.Errorf("%d warnings about the log, want one:\n%s", n, stderr.String())
	}
	for _, w := range []string{"no such file or directory", "the log ends here, and the command goes on without it"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
		}
	}
	if n := strings.Count(stderr.String(), "> GET "+srv.URL+"/probe"); n != 3 {
		t.Errorf("the trace on stderr has %d of 3 requests:\n%s", n, stderr.String())
	}
	if data, err := os.ReadFile(logPath); err != nil || len(data) != 0 {
		t.Errorf("the log went on after it had failed (%v):\n%s", err, data)
	}
}

func TestLogFault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	tests := []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}, "no space left on device: the log ends here, and the command goes on without it; for a whole log, free space on "},
		{&fs.PathError{Op: "write", Path: path, Err: syscall.EDQUOT}, "(or have your disk quota raised) or give --debug-log a file on another disk"},
		{&fs.PathError{Op: "open", Path: path, Err: syscall.EROFS}, "read-only file system: the log ends here, and the command goes on without it; for a whole log, make it writable or give --debug-log another file"},
		{&fs.PathError{Op: "write", Path: path, Err: syscall.EIO}, "input/output error: the log ends here, and the command goes on without it"},
	}
	for _, tt := range tests {
		got := logFault(path, tt.err)
		if !strings.Contains(got, tt.want) {
			t.Errorf("logFault(%v) = %q, want it to hold %q", tt.err, got, tt.want)
		}
		if strings.Contains(got, "for a whole log") != (fsfault.NoSpace(tt.err) || fsfault.NotWritable(tt.err)) {
			t.Errorf("logFault(%v) = %q: a fix for the wrong fault", tt.err, got)
		}
	}
}

// TestDebugLogHostileFiles (issue 16, item 7): --debug-log refuses a
// symbolic link and a file of another user, leaving the file (and a
// link's target) as they were; a log replaced by a link while the command
// runs gets no more lines.
func TestDebugLogHostileFiles(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "debug.log")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if _, err := newLogFile(link, func(error) {}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a symlinked log was accepted: %v", err)
	}
	others := filepath.Join(dir, "others.log")
	if err := os.WriteFile(others, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(others, 4242, 4242); err == nil {
		if _, err := newLogFile(others, func(error) {}); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Errorf("another user's log was accepted: %v", err)
		}
		if info, _ := os.Stat(others); info.Mode().Perm() != 0o644 {
			t.Errorf("another user's file was chmodded to %v", info.Mode().Perm())
		}
	} else {
		t.Logf("not checked without root: another user's file (%v)", err)
	}
	for _, p := range []string{victim, others} {
		if data, _ := os.ReadFile(p); string(data) != "theirs\n" {
			t.Errorf("%s was written: %q", p, data)
		}
	}
	if info, _ := os.Stat(victim); info.Mode().Perm() != 0o644 {
		t.Errorf("the link's target was chmodded to %v", info.Mode().Perm())
	}

	// Swapped for a link after the log began.
	mine := filepath.Join(dir, "mine.log")
	var warned []error
	lf, err := newLogFile(mine, func(err error) { warned = append(warned, err) })
	if err != nil {
		t.Fatal(err)
	}
	_, _ = lf.Write([]byte("one\n"))
	if err := os.Remove(mine); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, mine); err != nil {
		t.Fatal(err)
	}
	_, _ = lf.Write([]byte("two\n"))
	if data, _ := os.ReadFile(victim); string(data) != "theirs\n" || len(warned) != 1 {
		t.Errorf("after the swap the target holds %q (%d warnings)", data, len(warned))
	}
}

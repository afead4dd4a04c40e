package profiles

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadTightensOpenFile: reading a profiles.yaml that others may read
// restricts it to the owner and warns (its folder is left as it is); a private one is
// left alone silently; a failure to tighten is warned about once and does
// not stop the read.
func TestLoadTightensOpenFile(t *testing.T) {
	const content = "profiles:\n  dev:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: westeurope-1\n    project: acme-dev\n    flow: browser\n"
	tests := []struct {
		name              string
		fileMode, dirMode fs.FileMode
		chmodErr          error
		wantFile, wantDir fs.FileMode
		warn              []string // one entry per expected warning, each with these words
	}{
		{"private", 0o600, 0o700, nil, 0o600, 0o700, nil},
		{"owner read-only", 0o400, 0o700, nil, 0o400, 0o700, nil},
		{"world readable", 0o644, 0o700, nil, 0o600, 0o700, []string{"from mode 0644 to 0600"}},
		{"group readable", 0o640, 0o700, nil, 0o600, 0o700, []string{"from mode 0640 to 0600"}},
		{"others writable", 0o602, 0o700, nil, 0o600, 0o700, []string{"from mode 0602 to 0600"}},
		// A folder is never changed: the files in it are private.
		{"folder listable", 0o600, 0o755, nil, 0o600, 0o755, nil},
		{"both", 0o644, 0o755, nil, 0o600, 0o755, []string{"0644 to 0600"}},
		{"cannot tighten", 0o644, 0o700, syscall.EROFS, 0o644, 0o700, []string{"could not restrict", "read-only file system", "run chmod 600 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cfg")
			path := filepath.Join(dir, "profiles.yaml")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			for p, m := range map[string]fs.FileMode{path: tt.fileMode, dir: tt.dirMode} {
				if err := os.Chmod(p, m); err != nil {
					t.Fatal(err)
				}
			}
			var warnings []string
			s := NewStore(path)
			s.Warnf = func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
			if tt.chmodErr != nil {
				s.chmod = func(p string, _ fs.FileMode) error { return &fs.PathError{Op: "chmod", Path: p, Err: tt.chmodErr} }
			}
			// Several reads, as one command does: one warning at most.
			for range 3 {
				if _, err := s.Get("dev"); err != nil {
					t.Fatalf("the read failed: %v", err)
				}
				if _, err := s.Select("", ""); err != nil {
					t.Fatalf("the read failed: %v", err)
				}
			}
			if got := mode(t, path); got != tt.wantFile {
				t.Errorf("file mode %04o, want %04o", got, tt.wantFile)
			}
			if got := mode(t, dir); got != tt.wantDir {
				t.Errorf("folder mode %04o, want %04o", got, tt.wantDir)
			}
			if want := min(len(tt.warn), 1); len(warnings) != want {
				t.Fatalf("warnings %q, want %d", warnings, want)
			}
			for _, w := range tt.warn {
				if !strings.Contains(warnings[0], w) || !strings.Contains(warnings[0], "other users") {
					t.Errorf("warning %q does not say %q", warnings[0], w)
				}
			}
			if data, err := os.ReadFile(path); err != nil || string(data) != content {
				t.Errorf("the content changed: %q, %v", data, err)
			}
		})
	}
}

// TestLoadTightensWithoutWarnf: a Store with no Warnf still tightens.
func TestLoadTightensWithoutWarnf(t *testing.T) {
	s := newTestStore(t, "profiles: {}\n")
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, s.Path()); got != 0o600 {
		t.Errorf("mode %04o, want 0600", got)
	}
}

// TestLoadBrokenFileTightenedNotRewritten: a broken profiles.yaml others
// can read is restricted, but its bytes stay as they are.
func TestLoadBrokenFileTightenedNotRewritten(t *testing.T) {
	const broken = "profiles:\n  dev: [unclosed\n"
	s := newTestStore(t, broken)
	if err := os.Chmod(s.Path(), 0o666); err != nil {
		t.Fatal(err)
	}
	var warned int
	s.Warnf = func(string, ...any) { warned++ }
	if _, err := s.List(); err == nil {
		t.Fatal("a broken file read fine")
	}
	if got := mode(t, s.Path()); got != 0o600 || warned != 1 {
		t.Errorf("mode %04o with %d warnings, want 0600 and 1", got, warned)
	}
	if data, _ := os.ReadFile(s.Path()); string(data) != broken {
		t.Errorf("the broken file was rewritten: %q", data)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

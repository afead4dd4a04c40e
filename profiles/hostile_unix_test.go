//go:build unix

package profiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/privatefs"
)

// otherUID is a user that owns nothing on a test machine.
const otherUID = 4242

// giveAway chowns path to otherUID, which only root may do; elsewhere the
// test is skipped. CI runs as root.
func giveAway(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, otherUID, otherUID); err != nil {
		t.Skipf("cannot give %s to another user here (needs root): %v", path, err)
	}
}

// TestHostileFolders (issue 16, item 4): a profiles folder that others may
// write to, or that another user owns, is refused with the fix, and is
// never chmodded; a folder cdflogin did not create is left as it is.
func TestHostileFolders(t *testing.T) {
	const content = "profiles:\n  dev:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: westeurope-1\n    project: acme-dev\n    flow: browser\n"
	tests := []struct {
		name    string
		mode    fs.FileMode
		other   bool
		wantErr []string
	}{
		// A shared folder: the fix is a folder of one's own, never a chmod of /tmp.
		{"world-writable sticky, like /tmp", 0o777 | fs.ModeSticky, false, []string{"other users may write to", "mode 1777", "mkdir -m 700", "export CDFLOGIN_HOME="}},
		{"group-writable", 0o770, false, []string{"mode 0770", "chmod go-w"}},
		{"another user's", 0o700, true, []string{"belongs to another user (uid 4242)", "CDFLOGIN_HOME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cfg")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "profiles.yaml")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if tt.other {
				giveAway(t, dir)
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(dir)
			s := NewStore(path)
			_, readErr := s.List()
			addErr := s.Add(goodProfile("new"))
			for _, err := range []error{readErr, addErr, EnsureDir(dir)} {
				if err == nil {
					t.Fatal("a hostile folder was used")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if tt.mode&fs.ModeSticky != 0 && strings.Contains(err.Error(), "chmod") {
					t.Errorf("error %q advises a chmod of a shared folder", err)
				}
			}
			after, _ := os.Stat(dir)
			if before.Mode() != after.Mode() || privatefs.Owner(before) != privatefs.Owner(after) {
				t.Errorf("the folder changed from %v to %v", before.Mode(), after.Mode())
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Errorf("the file changed: %q", data)
			}
		})
	}
}

// TestSymlinkedProfilesChecked (item 4): a symlinked profiles.yaml works
// when its target is the user's; a target of another user, or in a folder
// others may write to, is refused.
func TestSymlinkedProfilesChecked(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, real string)
		wantErr string
	}{
		{"own target", func(*testing.T, string) {}, ""},
		{"another user's target", func(t *testing.T, real string) { giveAway(t, real) }, "belongs to another user"},
		{"target in a shared folder", func(t *testing.T, real string) {
			if err := os.Chmod(filepath.Dir(real), 0o777|fs.ModeSticky); err != nil {
				t.Fatal(err)
			}
		}, "other users may write to"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			real := filepath.Join(dir, "dotfiles", "cdflogin.yaml")
			link := filepath.Join(dir, "cfg", "profiles.yaml")
			for _, d := range []string{filepath.Dir(real), filepath.Dir(link)} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(real, []byte(handEdited), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, real)
			s := NewStore(link)
			_, err := s.List()
			if addErr := s.Add(goodProfile("new")); err == nil {
				err = addErr
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got := readFile(t, real); got != handEdited {
				t.Errorf("the target changed:\n%s", got)
			}
		})
	}
}

// TestBoundedProfiles (issue 16, item 6 and the nesting cap): an oversized
// profiles.yaml or a deeply nested one is refused before it is parsed.
func TestBoundedProfiles(t *testing.T) {
	huge := "profiles: {}\n" + strings.Repeat("# padding\n", MaxFileSize/10+1)
	deep := "profiles: {}\nx-deep: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	for name, content := range map[string]string{"huge": huge, "deep": deep} {
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t, content)
			_, err := s.List()
			if err == nil {
				t.Fatal("read fine")
			}
			if !strings.Contains(err.Error(), "at most") && !strings.Contains(err.Error(), "nested more than") {
				t.Errorf("err = %v", err)
			}
			var fe *FileError
			if name == "deep" && !errors.As(err, &fe) {
				t.Errorf("the nesting error has no place in the file: %v", err)
			}
		})
	}
}

// TestFileRefsBounded (issue 16, item 6): a certificate or ca_file that is
// a device (/dev/zero) or too large is refused by validation (and so by
// an import) and by the read, with the reason.
func TestFileRefsBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, make([]byte, MaxFileRefSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/dev/zero": "not a plain file", big: "more than a"} {
		for _, check := range []func(string) error{ValidateCertificate, ValidateCAFile} {
			if err := check(path); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("validate %s: %v, want %q", path, err, want)
			}
		}
		if _, err := ReadFileRef("ca_file", path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s: %v, want %q", path, err, want)
		}
		env := "CDF_CLUSTER=westeurope-1\nCDF_PROJECT=acme\nLOGIN_FLOW=device_code\nIDP_CLIENT_ID=" + clientA + "\nIDP_TENANT_ID=" + tenantA + "\nCDFLOGIN_CA_FILE=" + path + "\n"
		// profile import validates what it read before it adds it.
		imp, err := ImportDotenv([]byte(env), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(imp.Profile); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("an import with ca_file %s validates: %v", path, err)
		}
	}
}

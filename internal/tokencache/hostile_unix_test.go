//go:build unix

package tokencache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/privatefs"
)

// TestHostileCacheFolder (issue 16, item 4): a cache folder that others
// may write to, or that another user owns, is refused with the fix and
// never chmodded.
func TestHostileCacheFolder(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mode  fs.FileMode
		owner int
		want  string
	}{
		{"sticky world-writable", 0o777 | fs.ModeSticky, -1, "mode 1777"},
		{"group-writable", 0o770, -1, "chmod go-w"},
		{"another user's", 0o700, 4242, "belongs to another user (uid 4242)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			f, _ := Open(dir, "dev", Options{})
			if err := f.Save([]byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			if tt.owner >= 0 {
				if err := os.Chown(dir, tt.owner, tt.owner); err != nil {
					t.Skipf("needs root: %v", err)
				}
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(dir)
			_, loadErr := f.Load()
			for _, err := range []error{loadErr, f.EnsureDir(), f.Save([]byte(`{}`)), f.CheckWritable()} {
				var fe *FolderError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want a *FolderError saying %q", err, tt.want)
				}
			}
			after, _ := os.Stat(dir)
			if before.Mode() != after.Mode() || privatefs.Owner(before) != privatefs.Owner(after) {
				t.Errorf("the folder changed: %v → %v", before.Mode(), after.Mode())
			}
		})
	}
}

// TestCacheSymlinkNotFollowed (item 8): a cache file that is a symlink is
// refused; its target is neither read nor chmodded.
func TestCacheSymlinkNotFollowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte(`{"x":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := Open(dir, "dev", Options{})
	if err := os.Symlink(victim, f.Path()); err != nil {
		t.Fatal(err)
	}
	data, err := f.Load()
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "cdflogin logout -p dev") {
		t.Fatalf("Load = %q, %v; want a refusal", data, err)
	}
	if m := modeOf(t, victim); m != 0o644 {
		t.Errorf("the link's target was chmodded to %04o", m)
	}
	if removed, err := f.Remove(); err != nil || len(removed) != 1 {
		t.Errorf("Remove = %v, %v", removed, err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("Remove removed the target: %v", err)
	}
}

// TestCacheFolderInPlaceOfFile (item 8): a folder at the cache file's path
// is reported before anything is changed.
func TestCacheFolderInPlaceOfFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	f, _ := Open(dir, "dev", Options{})
	if err := os.MkdirAll(f.Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := f.Load()
	if err == nil || !strings.Contains(err.Error(), "not a plain file (a folder)") {
		t.Fatalf("Load err = %v", err)
	}
	if m := modeOf(t, f.Path()); m != 0o755 {
		t.Errorf("the folder was chmodded to %04o", m)
	}
}

// TestCacheBounded (item 6 and the nesting cap): an oversized or deeply
// nested cache is moved aside as corrupt, without reading it whole.
func TestCacheBounded(t *testing.T) {
	for name, content := range map[string][]byte{
		// Both are valid JSON objects, which a cache without caps takes.
		"huge": []byte(`{"AccessToken":{},"x":"` + strings.Repeat("a", MaxFileSize) + `"}`),
		"deep": []byte(`{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`),
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			var warnings []string
			f, _ := Open(dir, "dev", Options{Warnf: func(format string, a ...any) { warnings = append(warnings, fmt.Sprintf(format, a...)) }})
			if err := f.Save(content); err != nil {
				t.Fatal(err)
			}
			data, err := f.Load()
			if err != nil || data != nil {
				t.Fatalf("Load = %d bytes, %v; want empty", len(data), err)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "moved it to") {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

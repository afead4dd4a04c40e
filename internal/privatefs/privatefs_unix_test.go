//go:build unix

package privatefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureDir(t *testing.T) {
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "b")
	created, err := EnsureDir(fresh)
	if err != nil || !created {
		t.Fatalf("EnsureDir(new) = %v, %v", created, err)
	}
	if info, _ := os.Stat(fresh); info.Mode().Perm() != 0o700 {
		t.Errorf("new folder mode %v", info.Mode().Perm())
	}
	for mode, want := range map[fs.FileMode]string{
		0o755:                 "",
		0o750:                 "",
		0o775:                 "mode 0775",
		0o777 | fs.ModeSticky: "mode 1777",
	} {
		dir := filepath.Join(base, "m"+strings.ReplaceAll(mode.String(), "-", "_"))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		created, err := EnsureDir(dir)
		if created || (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("mode %v: created %v, err %v; want %q", mode, created, err, want)
		}
		if info, _ := os.Stat(dir); info.Mode()&(fs.ModePerm|fs.ModeSticky) != mode {
			t.Errorf("mode %v changed to %v", mode, info.Mode())
		}
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureDir(file); err == nil {
		t.Error("a file was taken for a folder")
	}
}

func TestOpenFileRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY | os.O_APPEND | os.O_CREATE} {
		if f, err := OpenFile(link, flag, 0o600); !errors.Is(err, ErrSymlink) {
			if f != nil {
				f.Close()
			}
			t.Errorf("flag %#x: err = %v, want ErrSymlink", flag, err)
		}
	}
	f, err := OpenFile(target, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

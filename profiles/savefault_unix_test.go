//go:build unix

package profiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestStoreDiskFull: a write that the file system has no room for (the
// temp file gets part of the content, then ENOSPC or EDQUOT, as on a full
// disk) fails with a *DiskFullError that names profiles.yaml, the cause,
// and where to free space; one that may not be written (EROFS, EACCES)
// with a *NotWritableError that names profiles.yaml, what is read-only
// and the fix. profiles.yaml is byte for byte unchanged and the temp file
// is gone. Other write errors keep their own message.
func TestStoreDiskFull(t *testing.T) {
	const content = "# my profiles\nprofiles:\n  dev:\n    tenant: " + tenantA + "\n    client_id: " + clientA + "\n    cluster: westeurope-1\n    project: acme-dev\n    flow: browser\n"
	ops := []struct {
		name string
		run  func(*Store) error
	}{
		{"Add", func(s *Store) error { return s.Add(goodProfile("new")) }},
		{"Update", func(s *Store) error {
			return s.Update("dev", func(p *Profile) error { p.Project = "other"; return nil })
		}},
		{"SetDefault", func(s *Store) error { return s.SetDefault("dev") }},
		{"Remove", func(s *Store) error { return s.Remove("dev") }},
	}
	errs := []struct {
		name        string
		err         error
		diskFull    bool
		notWritable bool
		words       []string
	}{
		{"ENOSPC", syscall.ENOSPC, true, false, []string{"no space left on device", "free space on ", "the file is unchanged", "run the command again"}},
		{"EDQUOT", syscall.EDQUOT, true, false, []string{"disk quota exceeded", "free space on ", "disk quota raised"}},
		{"EROFS", syscall.EROFS, false, true, []string{"read-only file system", "(the file system at ", " is read-only)", "the file is unchanged", "make it writable", "set CDFLOGIN_HOME", "run the command again"}},
		{"EACCES", syscall.EACCES, false, true, []string{"permission denied", "(the folder ", " is read-only for you)", "the file is unchanged", "make it writable", "run the command again"}},
		{"EIO", syscall.EIO, false, false, []string{"input/output error"}},
	}
	for _, op := range ops {
		for _, e := range errs {
			t.Run(op.name+"/"+e.name, func(t *testing.T) {
				s := newTestStore(t, content)
				dir := filepath.Dir(s.Path())
				var tmpName string
				s.write = func(f *os.File, data []byte) error {
					tmpName = f.Name()
					if _, err := f.Write(data[:len(data)/2]); err != nil {
						return err
					}
					return &fs.PathError{Op: "write", Path: f.Name(), Err: e.err}
				}
				err := op.run(s)
				if err == nil {
					t.Fatal("the write failed, yet no error")
				}
				if tmpName == "" {
					t.Fatal("the write seam was not used")
				}
				if !errors.Is(err, e.err) {
					t.Errorf("errors.Is(err, %v) is false: %v", e.err, err)
				}
				var df *DiskFullError
				if got := errors.As(err, &df); got != e.diskFull {
					t.Errorf("DiskFullError %v, want %v: %v", got, e.diskFull, err)
				}
				var nw *NotWritableError
				if got := errors.As(err, &nw); got != e.notWritable {
					t.Errorf("NotWritableError %v, want %v: %v", got, e.notWritable, err)
				}
				if nw != nil && (nw.Path != s.Path() || nw.Blocked != dir || nw.Mount == "" || strings.Contains(err.Error(), tmpName)) {
					t.Errorf("NotWritableError{Path: %q, Blocked: %q, Mount: %q}: %v", nw.Path, nw.Blocked, nw.Mount, err)
				}
				if df != nil {
					if df.Path != s.Path() || df.Mount == "" {
						t.Errorf("DiskFullError{Path: %q, Mount: %q}, want the file and a mount point", df.Path, df.Mount)
					}
					if !strings.Contains(err.Error(), s.Path()+": ") || strings.Contains(err.Error(), tmpName) {
						t.Errorf("the message names the temp file, not profiles.yaml: %v", err)
					}
					if !strings.Contains(err.Error(), "free space on "+df.Mount) {
						t.Errorf("the message does not say where to free space: %v", err)
					}
				}
				for _, w := range e.words {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("the message lacks %q: %v", w, err)
					}
				}
				if got := readFile(t, s.Path()); got != content {
					t.Errorf("profiles.yaml changed:\n%q", got)
				}
				entries, _ := os.ReadDir(dir)
				var names []string
				for _, ent := range entries {
					names = append(names, ent.Name())
				}
				if want := []string{"profiles.yaml", "profiles.yaml.lock"}; !slices.Equal(names, want) {
					t.Errorf("files in the folder %q, want %q (a temp file left behind?)", names, want)
				}
				// With room again, the same change goes through.
				s.write = nil
				if err := op.run(s); err != nil {
					t.Errorf("%s with room: %v", op.name, err)
				}
			})
		}
	}
}

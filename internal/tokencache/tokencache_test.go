package tokencache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dev", "dev.msal.json"},
		{"prod-eu_1", "prod-eu_1.msal.json"},
		{"../etc", "%2E%2E%2Fetc.msal.json"},
		{"a b", "a%20b.msal.json"},
		{"a.b", "a%2Eb.msal.json"},
	}
	for _, tt := range tests {
		if got := FileName(tt.in); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(FileName(tt.in), "/\\") {
			t.Errorf("FileName(%q) has a path separator", tt.in)
		}
	}
}

func TestOpenRejectsEmpty(t *testing.T) {
	if _, err := Open("", "dev", Options{}); err == nil {
		t.Error("Open with no dir succeeded")
	}
	if _, err := Open(t.TempDir(), "", Options{}); err == nil {
		t.Error("Open with no profile succeeded")
	}
}

func TestSaveLoadModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	f, err := Open(dir, "dev", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if data, err := f.Load(); err != nil || data != nil {
		t.Fatalf("Load of a missing file = %q, %v", data, err)
	}
	if err := f.Save([]byte(`{"AccessToken":{}}`)); err != nil {
		t.Fatal(err)
	}
	// The modes as Save wrote them: stat before any Load, which would
	// tighten a too-open file and hide how it was written.
	requireMode(t, f.Path(), 0o600)
	requireMode(t, dir, 0o700)
	data, err := f.Load()
	if err != nil || string(data) != `{"AccessToken":{}}` {
		t.Fatalf("Load = %q, %v", data, err)
	}
	// An existing folder others may list is used as it is: cdflogin
	// never chmods a folder (the files in it are private).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Save([]byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	requireMode(t, dir, 0o755)
	requireMode(t, f.Path(), 0o600) // replaced by a new file, written 0600 again
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

// requireMode fails the test unless path has the permission bits want. Call
// it before anything reads the file: reading a too-open cache tightens it.
func requireMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return // no Unix modes (privatefs guards the files with ACLs)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Fatalf("%s has mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

func TestLoadCorrupted(t *testing.T) {
	tests := []struct {
		name    string
		content string
		aside   bool
	}{
		{"truncated", `{"AccessToken": {`, true},
		{"array", `[1,2]`, true},
		{"binary", "\x00\x01\x02", true},
		{"empty", ``, false},
		{"object", `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o700); err != nil { // a folder as cdflogin makes it: no mode warning
				t.Fatal(err)
			}
			var warnings []string
			f, _ := Open(dir, "dev", Options{Warnf: func(format string, args ...any) { warnings = append(warnings, format) }})
			if err := os.WriteFile(f.Path(), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			data, err := f.Load()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			aside, _ := filepath.Glob(f.Path() + ".corrupt-*")
			if tt.aside {
				if data != nil || len(aside) != 1 || len(warnings) != 1 {
					t.Fatalf("data %q aside %v warnings %v", data, aside, warnings)
				}
				if _, err := os.Stat(f.Path()); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("corrupted file still in place")
				}
				removed, err := f.Remove()
				if err != nil || len(removed) != 1 {
					t.Fatalf("Remove = %v, %v", removed, err)
				}
			} else if len(aside) != 0 || len(warnings) != 0 {
				t.Fatalf("aside %v warnings %v", aside, warnings)
			}
		})
	}
}

// TestLockExcludes checks that the lock serialises critical sections of
// goroutines holding separate locks (flock locks are per open file, so
// this is the same exclusion separate processes get).
func TestLockExcludes(t *testing.T) {
	f, _ := Open(t.TempDir(), "dev", Options{})
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := f.Lock(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		}()
	}
	wg.Wait()
	if maxInside.Load() != 1 {
		t.Fatalf("%d goroutines were inside the lock at once", maxInside.Load())
	}
}

func TestLockHonoursContext(t *testing.T) {
	f, _ := Open(t.TempDir(), "dev", Options{})
	unlock, err := f.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context = %v", err)
	}
}

type memCache struct{ data []byte }

func (m *memCache) Marshal() ([]byte, error) { return m.data, nil }
func (m *memCache) Unmarshal(b []byte) error {
	m.data = append([]byte(nil), b...)
	return nil
}

func TestAccessorModes(t *testing.T) {
	const stored = `{"AccessToken":{"k":{"secret":"at"}},"RefreshToken":{"r":{"secret":"rt"}}}`
	tests := []struct {
		mode Mode
		want string
	}{
		{Shared, stored},
		{Fresh, `{}`},
		{DropAccessTokens, `{"RefreshToken":{"r":{"secret":"rt"}}}`},
	}
	for _, tt := range tests {
		f, _ := Open(t.TempDir(), "dev", Options{})
		if err := f.Save([]byte(stored)); err != nil {
			t.Fatal(err)
		}
		a := NewAccessor(f, tt.mode, false)
		m := &memCache{}
		if err := a.Replace(context.Background(), m, cacheReplaceHints()); err != nil {
			t.Fatal(err)
		}
		if string(m.data) != tt.want {
			t.Errorf("mode %d: Replace gave %s, want %s", tt.mode, m.data, tt.want)
		}
		if a.Exported() {
			t.Errorf("mode %d: Exported before Export", tt.mode)
		}
		m.data = []byte(`{"AccessToken":{"n":{"secret":"new"}}}`)
		if err := a.Export(context.Background(), m, cacheExportHints()); err != nil {
			t.Fatal(err)
		}
		requireMode(t, f.Path(), 0o600) // as Export wrote it, before Load could tighten it
		if got, _ := f.Load(); string(got) != string(m.data) || !a.Exported() {
			t.Errorf("mode %d: file after Export = %s", tt.mode, got)
		}
		// After an export the same operation sees what it wrote.
		m2 := &memCache{}
		if err := a.Replace(context.Background(), m2, cacheReplaceHints()); err != nil || string(m2.data) != string(m.data) {
			t.Errorf("mode %d: Replace after Export = %s, %v", tt.mode, m2.data, err)
		}
	}
}

// A cache file or folder others may access is restricted to its owner as
// soon as it is read, with a warning naming it; the content is returned
// as it was.
func TestLoadRestrictsOpenFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	tests := []struct {
		file, dir          fs.FileMode
		fileWarn, dirWarns bool
	}{
		{file: 0o644, dir: 0o700, fileWarn: true},
		{file: 0o660, dir: 0o750, fileWarn: true},
		{file: 0o606, dir: 0o700, fileWarn: true},
		{file: 0o600, dir: 0o755},
		{file: 0o400, dir: 0o700},
		{file: 0o600, dir: 0o700},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("file_%04o_folder_%04o", tt.file, tt.dir), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			var warnings, logs []string
			f, _ := Open(dir, "dev", Options{
				Warnf: func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) },
				Logf:  func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) },
			})
			const content = `{"AccessToken":{"k":{"secret":"at-secret-value"}}}`
			if err := f.Save([]byte(content)); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(f.Path(), tt.file); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.dir); err != nil {
				t.Fatal(err)
			}
			data, err := f.Load()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if string(data) != content {
				t.Errorf("Load = %q", data)
			}
			wantFile := tt.file
			if tt.fileWarn {
				wantFile = 0o600
			}
			if got := modeOf(t, f.Path()); got != wantFile {
				t.Errorf("file mode %04o, want %04o", got, wantFile)
			}
			if got := modeOf(t, dir); got != tt.dir {
				t.Errorf("folder mode %04o, want %04o (never changed)", got, tt.dir)
			}
			joined := strings.Join(warnings, "\n")
			if got := strings.Contains(joined, f.Path()+" could be read by other users"); got != tt.fileWarn {
				t.Errorf("file warning given = %v, want %v: %q", got, tt.fileWarn, joined)
			}
			if got := strings.Contains(joined, "token cache folder"); got != tt.dirWarns {
				t.Errorf("folder warning given = %v, want %v: %q", got, tt.dirWarns, joined)
			}
			if strings.Contains(joined, "at-secret-value") || len(logs) != 0 {
				t.Errorf("warnings %q, diagnostics %q", joined, logs)
			}
			// Nothing more to say the second time.
			warnings = nil
			if _, err := f.Load(); err != nil || len(warnings) != 0 {
				t.Errorf("second Load: %v, warnings %q", err, warnings)
			}
		})
	}
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// A cache folder that cannot be created is a *FolderError naming the
// folder, the file in the way and what to do; nothing is changed.
func TestFolderInTheWay(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		op   func(f *File) error
	}{
		{"EnsureDir below a file", filepath.Join(blocker, "cache"), func(f *File) error { return f.EnsureDir() }},
		{"Save below a file", filepath.Join(blocker, "a", "b"), func(f *File) error { return f.Save([]byte("{}")) }},
		{"Lock below a file", filepath.Join(blocker, "cache"), func(f *File) error {
			unlock, err := f.Lock(context.Background())
			if err == nil {
				unlock()
			}
			return err
		}},
		{"the folder is a file", blocker, func(f *File) error { return f.EnsureDir() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := Open(tt.dir, "dev", Options{})
			err := tt.op(f)
			var fe *FolderError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FolderError", err, err)
			}
			for _, w := range []string{"token cache folder " + tt.dir, blocker + " is a file, not a folder", "CDFLOGIN_HOME"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message does not say %q: %v", w, err)
				}
			}
			if data, _ := os.ReadFile(blocker); string(data) != "x" {
				t.Error("the file in the way was changed")
			}
		})
	}
}

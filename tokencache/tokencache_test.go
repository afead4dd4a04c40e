package tokencache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
	data, err := f.Load()
	if err != nil || string(data) != `{"AccessToken":{}}` {
		t.Fatalf("Load = %q, %v", data, err)
	}
	fi, _ := os.Stat(f.Path())
	di, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes file %v dir %v", fi.Mode().Perm(), di.Mode().Perm())
	}
	// An existing loose folder is tightened.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Save([]byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode after Save %v", di.Mode().Perm())
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
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
			var warnings []string
			f, _ := Open(dir, "dev", Options{Logf: func(format string, args ...any) { warnings = append(warnings, format) }})
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

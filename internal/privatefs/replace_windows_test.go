package privatefs

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestReplaceWhileOpen: a private file that one cdflogin reads (for a few
// milliseconds) is replaced by another (temporary file renamed over it)
// once the reader lets go, instead of failing with "Access denied" as a
// bare os.Rename does on Windows. Run under Wine by .ci/wine.sh; t.TempDir
// is not used, as its clean-up fails there.
func TestReplaceWhileOpen(t *testing.T) {
	dir, err := os.MkdirTemp("", "privatefs-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "cache.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".cache.tmp")
	if err := os.WriteFile(tmp, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The reader finishes while the replace waits (a cdflogin read takes
	// milliseconds; Rename waits up to two seconds).
	read := make(chan string, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		got, _ := io.ReadAll(reader)
		reader.Close()
		read <- string(got)
	}()
	if err := Rename(tmp, path); err != nil {
		t.Fatalf("replace while a reader has the file open: %v", err)
	}
	if got := <-read; got != "old" {
		t.Errorf("the reader saw %q, want the file it opened (old)", got)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("the file holds %q, want new", got)
	}
	// A directory is opened (and then refused by its callers as not a
	// plain file), not failed with an obscure error.
	fh, err := OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open a folder: %v", err)
	}
	info, _ := fh.Stat()
	fh.Close()
	if !info.IsDir() {
		t.Error("the folder is not seen as one")
	}
}

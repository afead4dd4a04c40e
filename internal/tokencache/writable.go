package tokencache

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/cognite-tools/cdflogin/internal/fsfault"
)

// probeSize is how much CheckWritable writes: one block of most file
// systems, and less than the cache of a user sign-in (an access, a
// refresh and an ID token), so that a file system with no room for the
// probe has none for the sign-in either, and one with room for a sign-in
// is never refused.
const probeSize = 4 << 10

// CheckWritable tells whether the cache could be saved now, without
// changing it, so that a sign-in a person waits for is not started when
// its tokens would be lost. It creates the folder as Save does (a
// *FolderError when it cannot), opens the lock file without waiting for
// the lock, and creates, writes, syncs and removes a temporary file of a
// few KB next to the cache file. A file system without room gives a
// *DiskFullError, a folder, lock file or file system that may not be
// written a *NotWritableError: the words of the warning that a token is
// not kept.
func (f *File) CheckWritable() error {
	if err := f.ensureDir(); err != nil {
		return err
	}
	return f.saveFault(f.probe())
}

// probe does what Save does to the folder and the lock file, with a
// temporary file that is removed.
func (f *File) probe() error {
	l := flock.New(f.lockPath(), flock.SetPermissions(0o600))
	locked, err := l.TryLock()
	if locked {
		_ = l.Unlock()
	}
	_ = l.Close()
	// On a read-only file system Lock takes no lock: the temporary file
	// below fails as Save would.
	if err != nil && !fsfault.ReadOnly(err) {
		return fmt.Errorf("lock the token cache %s: %w", l.Path(), err)
	}
	tmp, err := os.CreateTemp(f.dir, "."+filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write the token cache: %w", err)
	}
	tmpName := tmp.Name()
	defer func() { _ = os.Remove(tmpName) }()
	err = f.writeData(tmp, make([]byte, probeSize))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the token cache: %w", err)
	}
	return nil
}

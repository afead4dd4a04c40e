// Package tokencache keeps MSAL's token cache of each cdflogin profile in a
// file of its own: mode 0600 in a 0700 folder, written atomically, guarded
// by a file lock that concurrent cdflogin processes share, and moved aside
// (never fatal) when it cannot be read.
package tokencache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting process retries the file lock.
const lockRetry = 20 * time.Millisecond

// File is the cache file of one profile. Its methods are safe for use by
// several goroutines and processes as long as writers hold Lock.
type File struct {
	dir     string
	path    string
	logf    func(format string, args ...any)
	now     func() time.Time
	profile string
}

// Options tune a File.
type Options struct {
	// Logf receives warnings (a corrupted cache moved aside); nil discards.
	Logf func(format string, args ...any)
	// Now is the clock used to name moved-aside files; nil means time.Now.
	Now func() time.Time
}

// Open returns the cache file of profile under dir. It touches no file.
func Open(dir, profile string, opts Options) (*File, error) {
	if dir == "" {
		return nil, errors.New("token cache: no cache folder configured")
	}
	if profile == "" {
		return nil, errors.New("token cache: empty profile name")
	}
	f := &File{
		dir:     dir,
		path:    filepath.Join(dir, FileName(profile)),
		logf:    opts.Logf,
		now:     opts.Now,
		profile: profile,
	}
	if f.logf == nil {
		f.logf = func(string, ...any) {}
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// FileName is the base name of a profile's cache file. Characters outside
// [A-Za-z0-9_-] are escaped as %XX so that any profile name maps to one
// plain file inside the cache folder.
func FileName(profile string) string {
	var b strings.Builder
	for i := 0; i < len(profile); i++ {
		c := profile[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".msal.json"
}

// Path is the cache file's path.
func (f *File) Path() string { return f.path }

// lockPath is the path of the lock file next to the cache file.
func (f *File) lockPath() string { return f.path + ".lock" }

// Lock takes the profile's exclusive cross-process lock, waiting until ctx
// ends. Hold it across read → refresh → write; call the returned function
// to release it.
func (f *File) Lock(ctx context.Context) (unlock func(), err error) {
	if err := ensureDir(f.dir); err != nil {
		return nil, err
	}
	l := flock.New(f.lockPath(), flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, lockRetry)
	if err != nil {
		_ = l.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("wait for the token cache lock %s: %w", l.Path(), ctxErr)
		}
		return nil, fmt.Errorf("lock the token cache %s: %w", l.Path(), err)
	}
	if !ok {
		_ = l.Close()
		return nil, fmt.Errorf("lock the token cache %s: not acquired", l.Path())
	}
	return func() { _ = l.Unlock(); _ = l.Close() }, nil
}

// Load reads the cache. A missing file is empty (nil, nil). A file that is
// not valid JSON is moved aside with a warning and treated as empty. Call
// it with the lock held when the result is acted on.
func (f *File) Load() ([]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the token cache %s: %w", f.path, err)
	}
	if len(data) == 0 {
		return nil, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		aside := fmt.Sprintf("%s.corrupt-%s", f.path, f.now().UTC().Format("20060102T150405.000000000Z"))
		if rerr := os.Rename(f.path, aside); rerr != nil {
			return nil, fmt.Errorf("token cache %s is corrupted and could not be moved aside: %w", f.path, rerr)
		}
		f.logf("warning: token cache of profile %q was unreadable (%v); moved it to %s and started empty", f.profile, describeJSONError(err), aside)
		return nil, nil
	}
	return data, nil
}

// describeJSONError keeps the position of a JSON error but none of the
// file's content (which may hold tokens).
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "not a JSON object"
	}
	return "invalid JSON"
}

// Save replaces the cache with data atomically (temporary file in the same
// folder, fsync, rename) with mode 0600 in a 0700 folder. Call it with the
// lock held.
func (f *File) Save(data []byte) error {
	if err := ensureDir(f.dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.dir, "."+filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write the token cache: %w", err)
	}
	tmpName := tmp.Name()
	cleanup := func() { _ = tmp.Close(); _ = os.Remove(tmpName) }
	if err := tmp.Chmod(0o600); err != nil {
		cleanup()
		return fmt.Errorf("write the token cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		cleanup()
		return fmt.Errorf("write the token cache: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		cleanup()
		return fmt.Errorf("write the token cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmpName)
		return fmt.Errorf("write the token cache: %w", err)
	}
	if err := os.Rename(tmpName, f.path); err != nil {
		_ = os.Remove(tmpName)
		return fmt.Errorf("write the token cache %s: %w", f.path, err)
	}
	return nil
}

// Remove deletes the cache file and any moved-aside copies of it, and
// returns the paths it removed. The lock file (empty) stays so that a
// concurrent process holding it keeps excluding others.
func (f *File) Remove() ([]string, error) {
	candidates := []string{f.path}
	aside, err := filepath.Glob(globEscape(f.path) + ".corrupt-*")
	if err == nil {
		candidates = append(candidates, aside...)
	}
	var removed []string
	var errs []error
	for _, p := range candidates {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = append(removed, p)
		case errors.Is(err, fs.ErrNotExist):
		default:
			errs = append(errs, fmt.Errorf("remove %s: %w", p, err))
		}
	}
	return removed, errors.Join(errs...)
}

// globEscape escapes the glob metacharacters of a literal path.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ensureDir creates dir with mode 0700 and tightens an existing one.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the token cache folder: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("token cache folder: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restrict the token cache folder %s to its owner: %w", dir, err)
		}
	}
	return nil
}

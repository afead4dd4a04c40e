// Package tokencache keeps MSAL's token cache of each cdflogin profile in a
// file of its own: mode 0600 in a 0700 folder, written atomically, guarded
// by a file lock that concurrent cdflogin processes share, and moved aside
// (never fatal) when it cannot be read.
package tokencache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/cognite-tools/cdflogin/internal/fsfault"
	"github.com/cognite-tools/cdflogin/internal/privatefs"
)

// lockRetry is how often a waiting process retries the file lock.
const lockRetry = 20 * time.Millisecond

// File is the cache file of one profile. Its methods are safe for use by
// several goroutines and processes as long as writers hold Lock.
type File struct {
	dir     string
	path    string
	logf    func(format string, args ...any)
	warnf   func(format string, args ...any)
	now     func() time.Time
	profile string
	write   func(*os.File, []byte) error // writes the new content; tests inject a full disk
}

// Options tune a File.
type Options struct {
	// Logf receives diagnostics; nil discards.
	Logf func(format string, args ...any)
	// Warnf receives warnings the user must see whether or not diagnostics
	// are shown: a corrupted cache moved aside, a file or folder others
	// could read that was restricted to its owner. The text has no
	// "warning:" prefix. nil discards.
	Warnf func(format string, args ...any)
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
		warnf:   opts.Warnf,
		now:     opts.Now,
		profile: profile,
	}
	if f.logf == nil {
		f.logf = func(string, ...any) {}
	}
	if f.warnf == nil {
		f.warnf = func(string, ...any) {}
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
// to release it. On a read-only file system where the lock file cannot be
// created no process can change the cache, so no lock is taken.
func (f *File) Lock(ctx context.Context) (unlock func(), err error) {
	if err := f.ensureDir(); err != nil {
		return nil, err
	}
	l := flock.New(f.lockPath(), flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, lockRetry)
	if err != nil {
		_ = l.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("wait for the token cache lock %s: %w", l.Path(), ctxErr)
		}
		if fsfault.ReadOnly(err) {
			// No process can change a cache on a read-only file system:
			// reading it needs no lock, and a save fails on its own.
			f.logf("token cache %s: the file system is read-only; reading the cache without its lock", f.path)
			return func() {}, nil
		}
		return nil, f.saveFault(fmt.Errorf("lock the token cache %s: %w", l.Path(), err))
	}
	if !ok {
		_ = l.Close()
		return nil, fmt.Errorf("lock the token cache %s: not acquired", l.Path())
	}
	return func() { _ = l.Unlock(); _ = l.Close() }, nil
}

// Load reads the cache. A missing file is empty (nil, nil). A file (or
// its folder) that the group or others may access is restricted to its
// owner (0600, folder 0700) with a warning before it is read. A file that
// is not valid JSON is moved aside with a warning and treated as empty.
// Call it with the lock held when the result is acted on.
func (f *File) Load() ([]byte, error) {
	data, err := f.read()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil && !errors.Is(err, errTooLarge) {
		return nil, err
	}
	if len(data) == 0 && err == nil {
		return nil, nil
	}
	if err == nil {
		err = checkObject(data)
	}
	if err != nil {
		aside := fmt.Sprintf("%s.corrupt-%s", f.path, f.now().UTC().Format("20060102T150405.000000000Z"))
		if rerr := os.Rename(f.path, aside); rerr != nil {
			return nil, fmt.Errorf("token cache %s is corrupted and could not be moved aside: %w", f.path, rerr)
		}
		f.warnf("token cache of profile %q was unreadable (%v); moved it to %s and started empty", f.profile, describeJSONError(err), aside)
		return nil, nil
	}
	return data, nil
}

// checkObject returns the error json.Unmarshal would return for data
// decoded into a JSON object (null included). A cache of the shape MSAL
// writes is checked in one pass without building anything: a warm
// `cdflogin token` reads the cache on every call.
func checkObject(data []byte) error {
	if isPlainObject(data) {
		return nil
	}
	if tooDeep(data, MaxNesting) {
		return errTooDeep
	}
	var probe map[string]json.RawMessage
	return json.Unmarshal(data, &probe)
}

// describeJSONError keeps the position of a JSON error but none of the
// file's content (which may hold tokens).
func describeJSONError(err error) string {
	if errors.Is(err, errTooLarge) || errors.Is(err, errTooDeep) {
		return err.Error()
	}
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
// lock held. When any step fails the temporary file is removed and the
// cache file is as it was; a file system without room gives a
// *DiskFullError, a folder or file system that may not be written a
// *NotWritableError.
func (f *File) Save(data []byte) error {
	return f.saveFault(f.save(data))
}

func (f *File) save(data []byte) error {
	if err := f.ensureDir(); err != nil {
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
	if err := f.writeData(tmp, data); err != nil {
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
	if err := privatefs.Rename(tmpName, f.path); err != nil {
		_ = os.Remove(tmpName)
		return fmt.Errorf("write the token cache %s: %w", f.path, err)
	}
	return nil
}

// writeData writes data to the temporary file.
func (f *File) writeData(tmp *os.File, data []byte) error {
	if f.write != nil {
		return f.write(tmp, data)
	}
	_, err := tmp.Write(data)
	return err
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

// MaxFileSize is the largest cache file read: a profile's cache holds a
// few tokens of a few KB each. A larger file is moved aside as corrupt.
const MaxFileSize = 4 << 20

// MaxNesting is how deep a cache's JSON may nest (MSAL writes 3 levels;
// isPlainObject takes 32).
const MaxNesting = 32

// errTooDeep is a cache nested deeper than MaxNesting.
var errTooDeep = fmt.Errorf("JSON nested more than %d levels deep", MaxNesting)

// tooDeep reports whether the JSON text data nests arrays and objects
// deeper than max, in one pass (strings are skipped).
func tooDeep(data []byte, max int) bool {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			if depth++; depth > max {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// errTooLarge is a cache file over MaxFileSize.
var errTooLarge = fmt.Errorf("larger than %d bytes", MaxFileSize)

// read opens the cache file without following a symbolic link, checks that
// it is a plain file (before anything else is done to it), restricts it to
// the owner when others may read it, and reads at most MaxFileSize bytes.
// A missing file is returned as an error matching fs.ErrNotExist; a file
// over the size cap as errTooLarge.
func (f *File) read() ([]byte, error) {
	if err := f.checkDir(); err != nil {
		return nil, err
	}
	fh, err := privatefs.OpenFile(f.path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if errors.Is(err, privatefs.ErrSymlink) {
		return nil, fmt.Errorf("the token cache %s is a symbolic link, and cdflogin does not follow one there (it would read, and restrict, whatever it points at): remove the link with cdflogin logout -p %s", f.path, f.profile)
	}
	if err != nil {
		return nil, fmt.Errorf("read the token cache %s: %w", f.path, err)
	}
	defer func() { _ = fh.Close() }()
	info, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("read the token cache %s: %w", f.path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("the token cache %s is not a plain file (%s): move it away, then sign in again", f.path, kind(info))
	}
	if info.Size() > MaxFileSize {
		return nil, errTooLarge
	}
	if mode := info.Mode().Perm(); ownerOnlyModes && mode&0o077 != 0 {
		if !privatefs.Mine(info) {
			return nil, fmt.Errorf("the token cache %s can be read by other users (mode %04o) and belongs to another user (uid %d), so cdflogin does not change it: remove it, or run: chmod 600 %s as its owner", f.path, mode, privatefs.Owner(info), f.path)
		}
		// Chmod the open file: the file checked is the file changed.
		if err := fh.Chmod(0o600); err != nil {
			return nil, fmt.Errorf("the token cache %s can be read by other users (mode %04o) and could not be restricted to its owner: %w; run: chmod 600 %s", f.path, mode, err, f.path)
		}
		f.warnf("token cache %s could be read by other users (mode %04o); restricted it to its owner (0600)", f.path, mode)
	}
	// Sized from the file, the buffer takes the cache in one read, not in
	// a series of growing ones.
	buf := bytes.NewBuffer(make([]byte, 0, int(info.Size())+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the token cache %s: %w", f.path, err)
	}
	if buf.Len() > MaxFileSize {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// kind names what a file that is not a plain one is.
func kind(info fs.FileInfo) string {
	switch {
	case info.IsDir():
		return "a folder"
	case info.Mode()&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// ownerOnlyModes says whether Unix permission bits guard the cache (on
// Windows they do not: the profile folder's ACL does).
const ownerOnlyModes = privatefs.Modes

// FolderError is a token cache folder that cannot be created or used: a
// local file problem (permissions, a file in the way), not a network one.
type FolderError struct {
	Dir     string
	Problem string // e.g. "cannot be created"
	Blocker string // an existing file in the way of Dir, if one was found
	Err     error
}

func (e *FolderError) Error() string {
	var pfe *privatefs.FolderError
	if errors.As(e.Err, &pfe) {
		return "token cache folder: " + pfe.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "token cache folder %s %s", e.Dir, e.Problem)
	if e.Blocker != "" {
		fmt.Fprintf(&b, ": %s is a file, not a folder", e.Blocker)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	switch {
	case e.Blocker != "":
		b.WriteString("; move that file away, or set CDFLOGIN_HOME to a folder you own")
	case e.Err != nil && fsfault.NoSpace(e.Err):
		b.WriteString("; " + fsfault.FreeSpaceFix(fsfault.Place(fsfault.MountPoint(e.Dir), e.Dir), e.Err))
	case e.Err != nil && fsfault.ReadOnly(e.Err):
		b.WriteString("; the file system at " + fsfault.Place(fsfault.MountPoint(e.Dir), e.Dir) + " is read-only: set CDFLOGIN_HOME to a folder on a writable disk")
	default:
		b.WriteString("; check that you own the folder (or its parent) and may write to it, or set CDFLOGIN_HOME to a folder you own")
	}
	return b.String()
}

// Unwrap returns the cause (an *fs.PathError, often fs.ErrPermission).
func (e *FolderError) Unwrap() error { return e.Err }

// EnsureDir creates the cache folder (mode 0700) if needed; an existing
// one is checked, never changed: a folder that another user owns or that
// others may write to is refused with a *FolderError that says what to
// do. It lets a sign-in fail before it starts when its tokens could not
// be kept.
func (f *File) EnsureDir() error { return f.ensureDir() }

// ensureDir creates the folder with mode 0700, or checks an existing one.
func (f *File) ensureDir() error {
	if _, err := privatefs.EnsureDir(f.dir); err != nil {
		var pfe *privatefs.FolderError
		if errors.As(err, &pfe) {
			return &FolderError{Dir: f.dir, Problem: "is not private", Err: err}
		}
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || blocker(f.dir) != "" {
			return &FolderError{Dir: f.dir, Problem: "cannot be created", Blocker: blocker(f.dir), Err: err}
		}
		return &FolderError{Dir: f.dir, Problem: "cannot be created", Err: err}
	}
	return nil
}

// checkDir refuses an existing folder that another user could change.
func (f *File) checkDir() error {
	info, err := os.Stat(f.dir)
	if err != nil {
		return nil // the file's open says what is wrong
	}
	if err := privatefs.CheckDir(f.dir, info); err != nil {
		return &FolderError{Dir: f.dir, Problem: "is not private", Err: err}
	}
	return nil
}

// blocker returns the nearest existing ancestor of dir (or dir itself)
// when it is not a folder, or "".
func blocker(dir string) string {
	for p := filepath.Clean(dir); ; {
		info, err := os.Stat(p)
		if err == nil {
			if info.IsDir() {
				return ""
			}
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return ""
		}
		p = parent
	}
}

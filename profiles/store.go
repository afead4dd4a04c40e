package profiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/cognite-tools/cdflogin/internal/privatefs"
)

// LockTimeout bounds the wait for another cdflogin writing profiles.yaml.
const LockTimeout = 15 * time.Second

// Store is the profiles.yaml file. Reads need no lock (writes replace the
// file atomically); every write holds an exclusive lock on
// profiles.yaml.lock, re-reads the file under it, edits the YAML node tree
// (comments and key order survive), and replaces the file by rename, mode
// 0600 in a 0700 folder. A file that does not parse is never written.
//
// Reading a profiles.yaml that the group or others may read tightens it
// to 0600 and reports that through Warnf. A folder that another user owns
// or may write to is refused; a symlinked profiles.yaml is followed
// explicitly and refused when another user could change its target.
type Store struct {
	path string
	// Warnf, when set, receives warnings about the file that do not stop
	// the command (a file others could read, tightened or not). Set it
	// before the first use.
	Warnf func(format string, args ...any)

	unfixable atomic.Bool                     // a failure to tighten was reported once
	chmod     func(string, fs.FileMode) error // os.Chmod; tests inject failures
	write     func(*os.File, []byte) error    // writes the new content; tests inject a full disk
}

// NewStore returns the store kept at path.
func NewStore(path string) *Store { return &Store{path: path} }

func (s *Store) warnf(format string, args ...any) {
	if s.Warnf != nil {
		s.Warnf(format, args...)
	}
}

// CheckPermissions tightens a profiles.yaml that others may read now,
// warning through Warnf, as every read does. Call it before a full-screen
// program starts, so that a warning is not printed over it.
func (s *Store) CheckPermissions() {
	if fh, _, err := s.open(); err == nil {
		fh.Close()
	}
}

// cause is the reason of a file-system error without the path it names.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (s *Store) chmodFile(fh *os.File, mode fs.FileMode) error {
	if s.chmod != nil {
		return s.chmod(fh.Name(), mode)
	}
	return fh.Chmod(mode)
}

// MaxFileSize is the largest profiles.yaml cdflogin reads: a file of a
// thousand profiles is a few hundred KB.
const MaxFileSize = 1 << 20

// target is the file that s.path names: s.path itself, or the file a
// symlinked profiles.yaml (dotfile managers) points at. The link is
// followed explicitly, and a target (or its folder) that another user
// could change is refused: cdflogin would read their profiles, and
// replace their file.
func (s *Store) target() (string, error) {
	if err := checkFolder(filepath.Dir(s.path)); err != nil {
		return "", err
	}
	info, err := os.Lstat(s.path)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return s.path, nil
	}
	resolved, err := filepath.EvalSymlinks(s.path)
	if err != nil {
		return "", fmt.Errorf("read profiles: %s is a symbolic link that cannot be followed: %w", s.path, err)
	}
	if err := checkFolder(filepath.Dir(resolved)); err != nil {
		return "", fmt.Errorf("%s is a symbolic link to %s, and %w", s.path, resolved, err)
	}
	if ti, err := os.Stat(resolved); err == nil && !privatefs.Mine(ti) && privatefs.Owner(ti) != 0 {
		return "", fmt.Errorf("%s is a symbolic link to %s, which belongs to another user (uid %d), who could change your profiles: copy it into a file of your own", s.path, resolved, privatefs.Owner(ti))
	}
	return resolved, nil
}

// checkFolder refuses a folder of profiles.yaml that another user could
// change (see privatefs.CheckDir). A missing folder is fine.
func checkFolder(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	if err := privatefs.CheckDir(dir, info); err != nil {
		return fmt.Errorf("cdflogin will not use these profiles: %w", err)
	}
	return nil
}

// open opens the profiles file (through a symlink, see target) without
// following a link at its last step, checks that it is a plain file of a
// sane size, and tightens it when others may read it. A missing file
// gives an error matching fs.ErrNotExist.
func (s *Store) open() (*os.File, fs.FileInfo, error) {
	path, err := s.target()
	if err != nil {
		return nil, nil, err
	}
	fh, err := privatefs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		fh.Close()
		return nil, nil, fmt.Errorf("read profiles: %s is not a plain file", path)
	}
	if info.Size() > MaxFileSize {
		fh.Close()
		return nil, nil, fmt.Errorf("read profiles: %s is %d bytes, and a profiles file is at most %d: is it the right file?", path, info.Size(), MaxFileSize)
	}
	s.tighten(fh, path, info)
	return fh, info, nil
}

// tighten restricts a profiles.yaml that others may read to the owner,
// and says so. It never fails the read: when the mode cannot be changed
// (a read-only file system, a file of another user) it warns once, with
// the command that fixes it. Folders are never changed (see
// privatefs.EnsureDir), and nothing is done where Unix modes do not
// exist (Windows).
func (s *Store) tighten(fh *os.File, path string, info fs.FileInfo) {
	mode := info.Mode().Perm()
	if !privatefs.Modes || mode&0o077 == 0 {
		return
	}
	err := errors.New("it belongs to another user")
	if privatefs.Mine(info) {
		err = s.chmodFile(fh, 0o600)
	}
	if err == nil {
		s.warnf("other users could read your cdflogin profiles; restricted %s from mode %04o to 0600", path, mode)
		return
	}
	if s.unfixable.CompareAndSwap(false, true) {
		s.warnf("other users can read your cdflogin profiles and cdflogin could not restrict them: %s (mode %04o: %v; run chmod 600 %s)", path, mode, cause(err), path)
	}
}

// Path is the file's location.
func (s *Store) Path() string { return s.path }

// load reads and parses the file; a missing file is an empty store.
func (s *Store) load() (*document, error) {
	fh, info, err := s.open()
	if errors.Is(err, fs.ErrNotExist) {
		return &document{path: s.path, indent: 2}, nil
	}
	if errors.Is(err, privatefs.ErrSymlink) {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data := make([]byte, 0, info.Size()+1)
	data, err = readAll(io.LimitReader(fh, MaxFileSize+1), data)
	if err != nil {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read profiles: %s grew past %d bytes while it was read", s.path, MaxFileSize)
	}
	return parseDocument(s.path, data)
}

// readAll appends what r gives to buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	b := bytes.NewBuffer(buf)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// List returns every profile in file order.
func (s *Store) List() ([]Profile, error) {
	doc, err := s.load()
	if err != nil {
		return nil, err
	}
	out := make([]Profile, len(doc.entries))
	for i, e := range doc.entries {
		out[i] = e.profile
	}
	return out, nil
}

// Names returns the profile names in file order.
func (s *Store) Names() ([]string, error) {
	doc, err := s.load()
	if err != nil {
		return nil, err
	}
	return doc.names(), nil
}

// Get returns the named profile as written (it is not validated, so a
// broken profile can still be shown, edited and removed).
func (s *Store) Get(name string) (Profile, error) {
	doc, err := s.load()
	if err != nil {
		return Profile{}, err
	}
	i := doc.find(name)
	if i < 0 {
		return Profile{}, s.notFound(doc, name, "")
	}
	return doc.entries[i].profile, nil
}

func (s *Store) notFound(doc *document, name, source string) error {
	names := doc.names()
	return &NotFoundError{Name: name, Path: s.path, Known: names, Suggest: Nearest(name, names), Source: source}
}

// Select picks the profile to use: the named one (from -p), else the one
// named by envName (CDFLOGIN_PROFILE), else the one marked default, else
// the only one. The chosen profile is validated; a problem is reported
// with its place in the file.
func (s *Store) Select(flagName, envName string) (Profile, error) {
	doc, err := s.load()
	if err != nil {
		return Profile{}, err
	}
	idx := -1
	switch {
	case flagName != "":
		if idx = doc.find(flagName); idx < 0 {
			return Profile{}, s.notFound(doc, flagName, "")
		}
	case envName != "":
		if idx = doc.find(envName); idx < 0 {
			return Profile{}, s.notFound(doc, envName, "CDFLOGIN_PROFILE")
		}
	default:
		var defaults []int
		for i, e := range doc.entries {
			if e.profile.Default {
				defaults = append(defaults, i)
			}
		}
		switch {
		case len(doc.entries) == 0:
			return Profile{}, fmt.Errorf("%w in %s: add one with cdflogin profile add NAME --tenant … --client-id … --cluster … --project … --flow browser, or cdflogin profile import FILE", ErrNoProfiles, s.path)
		case len(defaults) == 1:
			idx = defaults[0]
		case len(defaults) > 1:
			names := make([]string, len(defaults))
			for i, d := range defaults {
				names[i] = doc.entries[d].profile.Name
			}
			return Profile{}, fmt.Errorf("%w: several profiles are marked default (%s) in %s: keep default: true on one only, or pick one with -p NAME", ErrAmbiguous, strings.Join(names, ", "), s.path)
		case len(doc.entries) == 1:
			idx = 0
		default:
			return Profile{}, fmt.Errorf("%w: there are several profiles (%s) and none is the default: pick one with -p NAME or CDFLOGIN_PROFILE=NAME, or mark one with cdflogin profile edit NAME --default", ErrAmbiguous, strings.Join(doc.names(), ", "))
		}
	}
	e := doc.entries[idx]
	if err := Validate(e.profile); err != nil {
		return Profile{}, positioned(s.path, e, err)
	}
	return e.profile, nil
}

// positioned turns a *ValidationError of a stored profile into a
// *FileError at its first problem, listing every problem.
func positioned(path string, e entry, err error) error {
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return err
	}
	line, col := e.fieldPos(ve.Problems[0].Field)
	msgs := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		l, c := e.fieldPos(p.Field)
		msgs[i] = p.Error()
		if i > 0 {
			msgs[i] = fmt.Sprintf("(line %d:%d) %s", l, c, msgs[i])
		}
	}
	return &invalidStored{FileError{Path: path, Line: line, Column: col,
		Msg: fmt.Sprintf("profile %q: %s (fix it with cdflogin profile edit %s or in an editor)", e.profile.Name, strings.Join(msgs, "; "), e.profile.Name)}, ve}
}

// invalidStored is a stored profile that does not validate: a FileError
// that also unwraps to the *ValidationError.
type invalidStored struct {
	FileError
	ve *ValidationError
}

// Unwrap gives the *ValidationError.
func (e *invalidStored) Unwrap() error { return e.ve }

// Add stores a new profile; it fails if the name is taken or the profile
// is not valid. A profile added with Default clears the mark on the others.
func (s *Store) Add(p Profile) error {
	if err := Validate(p); err != nil {
		return err
	}
	return s.mutate(func(doc *document) error {
		if doc.find(p.Name) >= 0 {
			return fmt.Errorf("%w: %q is already in %s: change it with cdflogin profile edit %s, or remove it first", ErrExists, p.Name, s.path, p.Name)
		}
		doc.ensureList()
		if p.Default {
			clearDefaults(doc, "")
		}
		key := newKey(p.Name)
		val := encodeProfile(p)
		doc.list.Content = append(doc.list.Content, key, val)
		doc.entries = append(doc.entries, entry{key: key, value: val, profile: p})
		return nil
	})
}

// Update changes the named profile in place, keeping comments and order.
// change may rename the profile (set Name); the result must validate.
// Setting Default clears the mark on the others.
func (s *Store) Update(name string, change func(*Profile) error) error {
	return s.mutate(func(doc *document) error {
		i := doc.find(name)
		if i < 0 {
			return s.notFound(doc, name, "")
		}
		e := &doc.entries[i]
		old := e.profile
		p := old
		p.Scopes = append([]string(nil), old.Scopes...)
		if err := change(&p); err != nil {
			return err
		}
		if err := Validate(p); err != nil {
			return err
		}
		if p.Name != old.Name {
			if doc.find(p.Name) >= 0 {
				return fmt.Errorf("%w: cannot rename %q to %q: that name is taken", ErrExists, old.Name, p.Name)
			}
			e.key.Value, e.key.Tag, e.key.Style = p.Name, "!!str", 0
		}
		if p.Default && !old.Default {
			clearDefaults(doc, old.Name)
		}
		applyProfile(e.value, old, p)
		// A setting inherited through a YAML merge key (<<: *anchor)
		// cannot be cleared in the profile alone.
		if got, err := decodeProfile(s.path, p.Name, e.value); err != nil || fmt.Sprint(got) != fmt.Sprint(p) {
			return fmt.Errorf("profile %q inherits settings through a YAML merge key (<<: *anchor), and this change cannot be made in the profile alone: edit %s in an editor", old.Name, s.path)
		}
		e.profile = p
		return nil
	})
}

// SetDefault marks the named profile as the default and clears the mark on
// every other one.
func (s *Store) SetDefault(name string) error {
	return s.Update(name, func(p *Profile) error { p.Default = true; return nil })
}

// Remove deletes the named profile (with the comments above it).
func (s *Store) Remove(name string) error {
	return s.mutate(func(doc *document) error {
		i := doc.find(name)
		if i < 0 {
			return s.notFound(doc, name, "")
		}
		e := doc.entries[i]
		for j := 0; j+1 < len(doc.list.Content); j += 2 {
			if doc.list.Content[j] == e.key {
				doc.list.Content = append(doc.list.Content[:j], doc.list.Content[j+2:]...)
				break
			}
		}
		doc.entries = append(doc.entries[:i], doc.entries[i+1:]...)
		return nil
	})
}

func clearDefaults(doc *document, except string) {
	for i := range doc.entries {
		e := &doc.entries[i]
		if e.profile.Name == except || !e.profile.Default {
			continue
		}
		old := e.profile
		e.profile.Default = false
		applyProfile(e.value, old, e.profile)
	}
}

// mutate runs edit on the freshly read document under the file lock and
// writes the result atomically. Nothing is written when the file does not
// parse or edit fails; a file system without room for the new content
// gives a *DiskFullError, one that may not be written a *NotWritableError.
func (s *Store) mutate(edit func(*document) error) error {
	return s.diskFull(s.mutateLocked(edit))
}

func (s *Store) mutateLocked(edit func(*document) error) error {
	dir := filepath.Dir(s.path)
	if err := EnsureDir(dir); err != nil {
		return err
	}
	lock := flock.New(s.path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), LockTimeout)
	defer cancel()
	ok, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return s.notWritable(fmt.Errorf("lock %s (is another cdflogin writing profiles?): %w", s.path, err))
	}
	defer func() { _ = lock.Unlock() }()

	doc, err := s.load()
	if err != nil {
		return err
	}
	if err := edit(doc); err != nil {
		return err
	}
	data, err := doc.encode()
	if err != nil {
		return err
	}
	// Guard: what we write must read back as the same profiles.
	check, err := parseDocument(s.path, data)
	if err != nil {
		return fmt.Errorf("internal error: the edited profiles would not read back, nothing written: %w", err)
	}
	if len(check.entries) != len(doc.entries) {
		return fmt.Errorf("internal error: the edited profiles would not read back (%d instead of %d), nothing written", len(check.entries), len(doc.entries))
	}
	// A profiles.yaml that is a symlink (dotfile managers) stays one: the
	// file it points at (checked by load, through target) is replaced.
	target, err := s.target()
	if err != nil {
		return err
	}
	return s.notWritable(s.writeAtomic(target, data))
}

// writeData writes data to the temporary file.
func (s *Store) writeData(f *os.File, data []byte) error {
	if s.write != nil {
		return s.write(f, data)
	}
	_, err := f.Write(data)
	return err
}

// writeAtomic replaces path with data: a 0600 temp file in the same folder,
// synced, then renamed over path. The temp file is removed when any step
// fails, so that a full disk keeps no half-written copy.
func (s *Store) writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".profiles-*.tmp")
	if err != nil {
		return fmt.Errorf("write profiles: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if name != "" {
			_ = os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write profiles: %w", err)
	}
	if err := s.writeData(tmp, data); err != nil {
		tmp.Close()
		return fmt.Errorf("write profiles: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write profiles: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write profiles: %w", err)
	}
	if err := privatefs.Rename(name, path); err != nil {
		return fmt.Errorf("write profiles: %w", err)
	}
	name = ""
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// EnsureDir creates dir (and parents) with mode 0700 when it is missing.
// An existing folder is never changed: one that another user owns or that
// others may write to is refused (privatefs.EnsureDir), with the fix. It
// keeps profiles.yaml's folder, and is cmdutil.EnsureDir, for cdflogin's
// other private folders. (tokencache keeps the cache folder with its own
// errors, which say what to do.)
func EnsureDir(dir string) error {
	if _, err := privatefs.EnsureDir(dir); err != nil {
		var fe *privatefs.FolderError
		if errors.As(err, &fe) {
			return fmt.Errorf("cdflogin will not keep files in this folder: %w", err)
		}
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}

package profiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"
)

// LockTimeout bounds the wait for another cdflogin writing profiles.yaml.
const LockTimeout = 15 * time.Second

// Store is the profiles.yaml file. Reads need no lock (writes replace the
// file atomically); every write holds an exclusive lock on
// profiles.yaml.lock, re-reads the file under it, edits the YAML node tree
// (comments and key order survive), and replaces the file by rename, mode
// 0600 in a 0700 folder. A file that does not parse is never written.
//
// Reading a profiles.yaml that the group or others may read (or a folder
// they may list) tightens it to 0600 (folder 0700) and reports that
// through Warnf.
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

// CheckPermissions tightens a profiles.yaml (and folder) that others may
// read now, warning through Warnf, as every read does. Call it before a
// full-screen program starts, so that a warning is not printed over it.
func (s *Store) CheckPermissions() {
	if info, err := os.Stat(s.path); err == nil {
		s.tighten(info)
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

func (s *Store) chmodFile(path string, mode fs.FileMode) error {
	if s.chmod != nil {
		return s.chmod(path, mode)
	}
	return os.Chmod(path, mode)
}

// tighten restricts a profiles.yaml (and its folder) that others may read
// to the owner, and says so. It never fails the read: when the mode cannot
// be changed (a read-only file system, a file of another user) it warns
// once, with the command that fixes it.
func (s *Store) tighten(info fs.FileInfo) {
	var changed, failed []string
	if info.Mode().IsRegular() && info.Mode().Perm()&0o077 != 0 {
		if err := s.chmodFile(s.path, 0o600); err != nil {
			failed = append(failed, fmt.Sprintf("%s (mode %04o: %v; run chmod 600 %s)", s.path, info.Mode().Perm(), cause(err), s.path))
		} else {
			changed = append(changed, fmt.Sprintf("%s from mode %04o to 0600", s.path, info.Mode().Perm()))
		}
	}
	dir := filepath.Dir(s.path)
	if di, err := os.Stat(dir); err == nil && di.IsDir() && di.Mode().Perm()&0o077 != 0 {
		if err := s.chmodFile(dir, 0o700); err != nil {
			failed = append(failed, fmt.Sprintf("%s (mode %04o: %v; run chmod 700 %s)", dir, di.Mode().Perm(), cause(err), dir))
		} else {
			changed = append(changed, fmt.Sprintf("%s from mode %04o to 0700", dir, di.Mode().Perm()))
		}
	}
	if len(changed) > 0 {
		s.warnf("other users could read your cdflogin profiles; restricted %s", strings.Join(changed, " and "))
	}
	if len(failed) > 0 && s.unfixable.CompareAndSwap(false, true) {
		s.warnf("other users can read your cdflogin profiles and cdflogin could not restrict them: %s", strings.Join(failed, "; "))
	}
}

// Path is the file's location.
func (s *Store) Path() string { return s.path }

// load reads and parses the file; a missing file is an empty store.
func (s *Store) load() (*document, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &document{path: s.path, indent: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	if info, err := os.Stat(s.path); err == nil {
		s.tighten(info)
	}
	return parseDocument(s.path, data)
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
	if err := ValidateNew(p); err != nil {
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
		if err := ValidateNew(p); err != nil {
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
	// file it points at is replaced.
	target := s.path
	if resolved, err := filepath.EvalSymlinks(s.path); err == nil {
		target = resolved
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
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write profiles: %w", err)
	}
	name = ""
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// EnsureDir creates dir (and parents) with mode 0700, and restricts an
// existing one that others may access to its owner (0700), silently. An
// error names dir and the step that failed: create, stat, or restrict.
// It keeps profiles.yaml's folder, and is cmdutil.EnsureDir, for
// cdflogin's other private folders. (tokencache keeps the cache folder
// with its own: it warns when it restricts, and its errors say what to
// do.)
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", dir, err)
		}
	}
	return nil
}

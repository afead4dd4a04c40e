package profiles

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is matched (errors.Is) by every "no such profile" error.
var ErrNotFound = errors.New("profile not found")

// ErrExists is matched by the error of Add when the name is taken.
var ErrExists = errors.New("profile already exists")

// ErrNoProfiles is matched when the store holds no profile at all.
var ErrNoProfiles = errors.New("no profiles")

// ErrAmbiguous is matched when Select cannot tell which profile to use.
var ErrAmbiguous = errors.New("no profile chosen")

// ErrBadFile is matched by every *FileError: profiles.yaml cannot be
// read as a profile file (syntax, unknown key, wrong type).
var ErrBadFile = errors.New("profiles file is not valid")

// FileError is a problem at a place in profiles.yaml. The file is never
// written while it has one.
type FileError struct {
	Path   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
}

// Error is "path:line:column: message".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, ErrBadFile) true.
func (e *FileError) Is(target error) bool { return target == ErrBadFile }

// Details tells the user that nothing was changed and how to go on.
func (e *FileError) Details() string {
	return "cdflogin did not change the file. Fix it in an editor (or move it away to start afresh), then run the command again."
}

// NotFoundError names a missing profile and the nearest existing names.
type NotFoundError struct {
	Name    string
	Path    string
	Known   []string
	Suggest string // nearest known name, may be empty
	Source  string // where the name came from, e.g. "CDFLOGIN_PROFILE"; empty for an argument
}

// Error names the profile, the file and the nearest known name.
func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no profile %q", e.Name)
	if e.Source != "" {
		fmt.Fprintf(&b, " (named by %s)", e.Source)
	}
	fmt.Fprintf(&b, " in %s", e.Path)
	switch {
	case e.Suggest != "":
		fmt.Fprintf(&b, "; did you mean %q?", e.Suggest)
	case len(e.Known) > 0:
		fmt.Fprintf(&b, "; profiles: %s", strings.Join(e.Known, ", "))
	default:
		b.WriteString("; there are no profiles yet: add one with cdflogin profile add")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// FieldError is one invalid field of a profile, with a message a person
// can act on. Secret fields never quote their value.
type FieldError struct {
	Field string // the YAML key, e.g. "client_id"; "name" for the name
	Msg   string
}

// Error is "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// ValidationError lists every invalid field of one profile.
type ValidationError struct {
	Profile  string
	Problems []*FieldError
}

// Error lists every problem on one line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	name := e.Profile
	if name == "" {
		name = "(unnamed)"
	}
	return fmt.Sprintf("profile %q is not valid: %s", name, strings.Join(parts, "; "))
}

// Field returns the problem of the named field, or nil.
func (e *ValidationError) Field(name string) *FieldError {
	for _, p := range e.Problems {
		if p.Field == name {
			return p
		}
	}
	return nil
}

package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes of cdflogin, documented in docs/scripting.md (internal/docscheck
// checks that the table there matches these constants).
const (
	ExitOK            = 0
	ExitError         = 1
	ExitUsage         = 2
	ExitLoginRequired = 4   // a person must sign in: run the command named in the message
	ExitTooShort      = 5   // token/env --min-valid D: no token that stays valid for D can be had
	ExitNoAccess      = 6   // inspect: the token has no access to the profile's project
	ExitCancelled     = 130 // interrupted (Ctrl+C)
)

// ExitCodeError carries an exit code with an error.
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string { return e.Err.Error() }
func (e *ExitCodeError) Unwrap() error { return e.Err }

// WithExitCode wraps err so that the process ends with code.
func WithExitCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &ExitCodeError{Code: code, Err: err}
}

// UsageError marks a wrong invocation (exit code 2).
func UsageError(format string, a ...any) error {
	return WithExitCode(ExitUsage, fmt.Errorf(format, a...))
}

// ErrNotBuilt is returned by commands that are announced but not built yet.
var ErrNotBuilt = errors.New("not built yet")

// NotBuilt reports a command that is part of the command surface but not
// built yet.
func NotBuilt(command string) error {
	return WithExitCode(ExitError, fmt.Errorf("cdflogin %s: %w (see the README's command list)", command, ErrNotBuilt))
}

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec *ExitCodeError
	if errors.As(err, &ec) {
		return ec.Code
	}
	return ExitError
}

// Detailer is an error with more to say than its one line, such as the
// AADSTS explanation and fix. The error handler prints Details after the
// line.
type Detailer interface {
	Details() string
}

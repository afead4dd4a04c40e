package cmdutil

import "github.com/cognite-tools/cdflogin/internal/nethint"

// Hinted is a failure to reach Entra ID or CDF with nethint's advice
// (summary, cause, fix) printed under the error line; FlowError makes it
// from the diagnosis seam's explanation.
type Hinted struct {
	Err    error
	Advice nethint.Advice
}

func (e *Hinted) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *Hinted) Unwrap() error { return e.Err }

// Details is the advice.
func (e *Hinted) Details() string { return e.Advice.String() }

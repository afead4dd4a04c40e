package cmdutil

import (
	"errors"
	"net/url"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

// networkAdvice is nethint's advice for err, a failure to reach Entra ID
// or CDF for profile p; false when err is not one. An answer from
// something in Entra's place (*flows.AnswerError) is not: its message
// already says what to check.
func networkAdvice(err error, p profiles.Profile) (nethint.Advice, bool) {
	var answer *flows.AnswerError
	if errors.As(err, &answer) {
		return nethint.Advice{}, false
	}
	t := nethint.Target{Profile: p.Name, CAFile: p.CAFile}
	var ce *cdf.Error
	switch {
	case errors.As(err, &ce):
		t.Service, t.Host, t.Unreachable = nethint.CDF, hostOf(p.BaseURL()), ce.Unreachable()
	case errors.Is(err, flows.ErrNetwork):
		t.Service, t.Host, t.Unreachable = nethint.Entra, hostOf(p.AuthorityURL()), true
	}
	return nethint.Explain(err, t)
}

// hostOf is the host[:port] of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// Hinted is a failure to reach Entra ID or CDF with nethint's advice
// (summary, cause, fix) printed under the error line.
type Hinted struct {
	Err    error
	Advice nethint.Advice
}

func (e *Hinted) Error() string { return e.Err.Error() }

// Unwrap returns the error.
func (e *Hinted) Unwrap() error { return e.Err }

// Details is the advice.
func (e *Hinted) Details() string { return e.Advice.String() }

package ui

import (
	"errors"

	"github.com/cognite-tools/cdflogin/aadsts"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/nethint"
)

// defaultExplain explains a sign-in error: Entra's answers through the
// aadsts catalogue (with the profile's values in the fix), failures to
// reach Entra ID through nethint (the same classification and fix as the
// command line).
func defaultExplain(err error, c aadsts.Context) (aadsts.Explanation, bool) {
	if e, ok := aadsts.Parse(err); ok {
		return aadsts.Explain(e, c), true
	}
	if a, ok := networkAdvice(err); ok {
		return aadsts.Explanation{Title: a.Title(), Cause: networkCause(a), Fix: a.FixText()}, true
	}
	return aadsts.Explanation{}, false
}

// networkAdvice is nethint's advice for a failure of a sign-in or refresh
// to reach Entra ID. An answer from something in Entra's place
// (*flows.AnswerError) is not one: its message says what to check.
func networkAdvice(err error) (nethint.Advice, bool) {
	var answer *flows.AnswerError
	if errors.As(err, &answer) {
		return nethint.Advice{}, false
	}
	return nethint.Explain(err, nethint.Target{Service: nethint.Entra, Unreachable: errors.Is(err, flows.ErrNetwork)})
}

// networkCause is the advice's cause, or, when it has none, the host
// it failed to reach.
func networkCause(a nethint.Advice) string {
	if a.Cause != "" || a.Host == "" {
		return a.Cause
	}
	return "No connection to " + a.Host + "."
}

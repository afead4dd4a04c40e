package ui

import (
	"github.com/cognite-tools/cdflogin/aadsts"
)

// defaultExplain explains an Entra error found in err.
func defaultExplain(err error, c aadsts.Context) (aadsts.Explanation, bool) {
	e, ok := aadsts.Parse(err)
	if !ok {
		return aadsts.Explanation{}, false
	}
	title := "Entra refused the sign-in"
	if e.Code != "" {
		title += ": " + e.Code
	}
	return aadsts.Explanation{Code: e.AADSTS(), Title: title, Cause: firstLine(e.Description)}, true
}

package ui

import (
	"errors"

	"github.com/cognite-tools/cdflogin/aadsts"
	"github.com/cognite-tools/cdflogin/flows"
)

// defaultExplain explains a sign-in error: Entra's answers through the
// aadsts catalogue (with the profile's values in the fix), network
// failures with what to check.
func defaultExplain(err error, c aadsts.Context) (aadsts.Explanation, bool) {
	if e, ok := aadsts.Parse(err); ok {
		return aadsts.Explain(e, c), true
	}
	if errors.Is(err, flows.ErrNetwork) {
		return aadsts.Explanation{
			Title: "Cannot reach Microsoft Entra ID",
			Cause: firstLine(err.Error()),
			Fix:   "Check the network and any proxy (HTTPS_PROXY); behind a TLS-inspecting proxy set the profile's ca_file to its CA bundle.",
		}, true
	}
	return aadsts.Explanation{}, false
}

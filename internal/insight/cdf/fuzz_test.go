package cdf_test

import (
	"encoding/json"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
)

// FuzzDecodeInspection: any answer body must decode or fail, never panic,
// and a decoded inspection must survive the access and capability views.
func FuzzDecodeInspection(f *testing.F) {
	f.Add([]byte(inspectBody))
	f.Fuzz(func(t *testing.T, in []byte) {
		insp, err := cdf.DecodeInspection(in)
		if err != nil {
			return
		}
		a := cdf.ProjectAccess(insp, "acme-prod")
		for _, c := range insp.CapabilitiesIn(a.Project) {
			_ = c.String()
		}
		if _, err := json.Marshal(insp); err != nil {
			t.Fatalf("decoded inspection does not encode: %v", err)
		}
	})
}

// FuzzDecodeGroups: any groups body must decode or fail, never panic.
func FuzzDecodeGroups(f *testing.F) {
	f.Add([]byte(allGroupsBody))
	f.Fuzz(func(t *testing.T, in []byte) {
		gs, err := cdf.DecodeGroups(in)
		if err != nil {
			return
		}
		m := cdf.MapGroups("p", []string{groupA, groupB}, gs, true)
		if len(m.Matched)+len(m.UnmatchedToken) != 2 {
			t.Fatalf("two token groups, mapping %+v", m)
		}
	})
}

// FuzzDecodeError: any error body gives a message or nothing.
func FuzzDecodeError(f *testing.F) {
	f.Add([]byte(`{"error":{"code":401,"message":"Unauthorized"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = cdf.DecodeError(in)
		_, _ = cdf.DecodeProject(in)
	})
}

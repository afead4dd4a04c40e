//go:build !unix

package unprivileged

import "testing"

// Rerun says false: only Unix has root and file modes that root ignores.
func Rerun(t *testing.T) bool { return false }

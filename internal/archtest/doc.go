// Package archtest holds the tests of cdflogin's layer rules, written down
// in docs/architecture.md: which packages may import which, what must stay
// under internal/, and which folders the repository's root holds. It has no
// code of its own; `go test ./...` runs the rules.
package archtest

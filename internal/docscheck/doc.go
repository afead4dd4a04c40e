// Package docscheck holds the tests that keep the README and docs/ true to
// the code and readable: the exit-code table matches the exit-code
// constants, links and anchors resolve, paths named in the text exist, the
// README stays short and links every page, and no line runs on. It has no
// code of its own; `go test ./...` runs the checks.
package docscheck

// Package release says how the benchmarks build cdflogin: as the README
// installs it.
package release

import "os"

// BuildEnv is the environment for `go build` of the measured binary:
// without cgo, a static binary (README, Install). BENCH_CGO=1 measures a
// cgo (dynamically linked) build instead.
func BuildEnv() []string {
	cgo := "0"
	if os.Getenv("BENCH_CGO") == "1" {
		cgo = "1"
	}
	return append(os.Environ(), "CGO_ENABLED="+cgo)
}

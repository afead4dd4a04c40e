// Command cdflogin signs people in to Cognite Data Fusion with Microsoft
// Entra ID and shows what their token says.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognite-tools/cdflogin/command/root"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
)

// A release build stamps these with -ldflags "-X main.version=… -X
// main.commit=… -X main.date=…" (.goreleaser.yaml); left empty, `cdflogin
// version` reads what Go recorded from the checkout (debug.ReadBuildInfo).
var version, commit, date string

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	build := buildinfo.Read(buildinfo.Stamp{Version: version, Commit: commit, Date: date})
	return root.Main(ctx, build, os.Args[1:])
}

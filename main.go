// Command cdflogin signs people in to Cognite Data Fusion with Microsoft
// Entra ID and shows what their token says.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognite-tools/cdflogin/command/root"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return root.Main(ctx, version, os.Args[1:])
}

package root

import (
	"context"
	"errors"
	"fmt"
	"io"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/ui"
)

// Execute runs cmd with fang's help and error styling and returns the
// process exit code.
func Execute(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) int {
	err := fang.Execute(ctx, cmd,
		// --version is the root's own (version.AddFlag): it prints the
		// commit and date too, which fang's would not.
		fang.WithoutVersion(),
		// The man pages are generated from this tree by internal/gendocs
		// (docs/reference/man) and shipped in the release archives.
		fang.WithoutManpage(),
		fang.WithErrorHandler(func(w io.Writer, _ fang.Styles, err error) {
			printError(w, err)
		}),
	)
	if err != nil && errors.Is(err, context.Canceled) && (ctx.Err() != nil || errors.Is(err, ui.ErrCancelled)) {
		return cmdutil.ExitCancelled
	}
	return cmdutil.ExitCode(err)
}

// printError writes one clear line; errors that know more (an AADSTS
// explanation) implement Detailer.
func printError(w io.Writer, err error) {
	// Errors quote files, servers and flags: never a control sequence.
	fmt.Fprintf(w, "Error: %s\n", textsafe.Block(err.Error()))
	var d cmdutil.Detailer
	if errors.As(err, &d) {
		if more := d.Details(); more != "" {
			fmt.Fprintln(w, textsafe.Block(more))
		}
	}
}

// Main runs cdflogin with args (without the program name) and returns the
// process exit code; build says which build this is.
func Main(ctx context.Context, build buildinfo.Info, args []string) int {
	f := cmdutil.New(build.Version)
	f.Build = build
	return Execute(ctx, f, NewCmdFor(f, args))
}

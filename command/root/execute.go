package root

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/ui"
)

// Execute runs cmd and returns the process exit code. Errors are printed
// once, on one line (plus the explanation of those that know more); a
// cancellation is said as what it is, not as an error. The help is the
// root's own (help.go); --version is version.AddFlag's; the man pages are
// generated from this tree by internal/gendocs.
func Execute(ctx context.Context, f *cmdutil.Factory, cmd *cobra.Command) int {
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	w := cmd.ErrOrStderr()
	if cancelled(ctx, err) {
		fmt.Fprintln(w, sentence(err.Error()))
		return cmdutil.ExitCancelled
	}
	printError(w, err)
	return cmdutil.ExitCode(err)
}

// cancelled reports a run the person stopped (ctrl+c): a sign-in, a
// refresh, the program.
func cancelled(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && (ctx.Err() != nil || errors.Is(err, ui.ErrCancelled))
}

// sentence is msg with a capital first letter and a final full stop.
func sentence(msg string) string {
	if msg == "" || msg == context.Canceled.Error() {
		return "Cancelled."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
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

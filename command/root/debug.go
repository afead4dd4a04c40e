package root

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/fsfault"
	"github.com/cognite-tools/cdflogin/internal/httplog"
	"github.com/cognite-tools/cdflogin/internal/privatefs"
)

// defaultHTTPTimeout bounds one request of the traced client when the
// Factory has no client of its own: the same 60 s the flows give a nil
// client.
const defaultHTTPTimeout = 60 * time.Second

// debugFlags are the global --verbose and --debug-log flags.
type debugFlags struct {
	verbose bool
	logFile string
}

// addDebugFlags adds --verbose and --debug-log to cmd and installs, before
// any subcommand runs, the redacted HTTP trace on the Factory's client and
// its Logf.
func addDebugFlags(cmd *cobra.Command, f *cmdutil.Factory) {
	d := &debugFlags{}
	cmd.PersistentFlags().BoolVar(&d.verbose, "verbose", false, "trace HTTP requests and answers on stderr (secrets and tokens redacted)")
	cmd.PersistentFlags().StringVar(&d.logFile, "debug-log", "", "append the redacted HTTP trace and diagnostics to this file (created with mode 0600)")
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		return d.install(f, c)
	}
}

// install wires the trace into f when asked for.
func (d *debugFlags) install(f *cmdutil.Factory, c *cobra.Command) error {
	var outs []io.Writer
	if d.verbose {
		outs = append(outs, f.IO.ErrOut)
	}
	if d.logFile != "" {
		warn := func(err error) {
			fmt.Fprintf(f.IO.ErrOut, "Warning: --debug-log %s: %s\n", d.logFile, logFault(d.logFile, err))
		}
		lf, err := newLogFile(d.logFile, warn)
		switch {
		case err != nil && fsfault.NoSpace(err):
			// The log is an aid: a full disk must not stop the command.
			warn(err)
		case err != nil:
			return cmdutil.UsageError("--debug-log %s: %v", d.logFile, err)
		default:
			now := ""
			if f.Now != nil {
				now = f.Now().UTC().Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(lf, "# cdflogin %s: %s %s: cdflogin %s\n", f.Version, now, c.CommandPath(), strings.Join(redactArgs(os.Args[1:]), " "))
			outs = append(outs, lf)
		}
	}
	if len(outs) == 0 {
		return nil
	}
	w := &lockedWriter{w: io.MultiWriter(outs...)}
	base := f.HTTPClient
	if base == nil {
		// The flows give a nil client a bounded timeout; the traced
		// client stands in for nil and must keep that bound, or a silent
		// server hangs cdflogin until ctrl+c.
		base = &http.Client{Timeout: defaultHTTPTimeout}
	}
	f.HTTPClient = httplog.Wrap(base, w)
	f.Logf = func(format string, args ...any) {
		fmt.Fprintf(w, "cdflogin: %s\n", httplog.RedactText(fmt.Sprintf(format, args...)))
	}
	return nil
}

// redactArgs keeps the command line readable in the log without values
// that could be secrets.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = httplog.RedactText(a)
	}
	return out
}

// logFile appends each write to a file opened only for that write, so no
// descriptor stays open and every line is on disk at once. The first
// write that fails (a full disk, say) ends the log: nothing more is
// written, so that it has no gap the person does not know of, and warn is
// called once. Writes never fail, so that the command, and a trace on
// stderr beside the log, go on. Every open refuses a symbolic link, and a
// file that is no longer the one first opened (replaced in between).
type logFile struct {
	path   string
	warn   func(error)
	info   fs.FileInfo // the file as first opened
	failed bool        // guarded by the lockedWriter that serializes writes
}

// newLogFile creates (mode 0600) or opens the log at path, and restricts
// an existing one that others may read. It refuses a symbolic link, a
// file that is not a plain one, and a file of another user (cdflogin,
// perhaps run as root, would write to, and chmod, someone else's file).
func newLogFile(path string, warn func(error)) (*logFile, error) {
	fh, err := privatefs.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if errors.Is(err, privatefs.ErrSymlink) {
		return nil, errors.New("is a symbolic link; give the path of the file itself")
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("is not a plain file")
	}
	if !privatefs.Mine(info) {
		return nil, fmt.Errorf("belongs to another user (uid %d): give a file of your own", privatefs.Owner(info))
	}
	if privatefs.Modes && info.Mode().Perm()&0o077 != 0 {
		if err := fh.Chmod(0o600); err != nil {
			return nil, fmt.Errorf("restrict to its owner: %w", err)
		}
	}
	return &logFile{path: path, warn: warn, info: info}, nil
}

func (l *logFile) Write(p []byte) (int, error) {
	if l.failed {
		return len(p), nil
	}
	if err := l.append(p); err != nil {
		l.failed = true
		l.warn(err)
	}
	return len(p), nil
}

// append writes p at the end of the file, if it is still the file first
// opened.
func (l *logFile) append(p []byte) error {
	fh, err := privatefs.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if info, err := fh.Stat(); err != nil || !os.SameFile(info, l.info) {
		fh.Close()
		return &fs.PathError{Op: "append", Path: l.path, Err: errors.New("the file was replaced since the log began")}
	}
	_, err = fh.Write(p)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

// logFault says why the log at path could not be written, that the
// command goes on, and what to do for a whole log next time.
func logFault(path string, err error) string {
	dir := filepath.Dir(path)
	what := fsfault.ErrnoText(err) + ": the log ends here, and the command goes on without it"
	switch {
	case fsfault.NoSpace(err):
		return what + "; for a whole log, " + fsfault.FreeSpaceFix(fsfault.Place(fsfault.MountPoint(dir), dir), err) + " or give --debug-log a file on another disk"
	case fsfault.NotWritable(err):
		return what + "; for a whole log, make it writable or give --debug-log another file"
	}
	return what
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

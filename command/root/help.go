package root

import (
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// The help is written as the code writes it: no word is re-capitalised
// (a usage that starts "CDF base URL" stays so), every flag that takes a
// value names it (--tenant ID, --redirect-port N), long lines wrap at the
// terminal's width and nothing is cut. Colour follows the terminal (none
// for a pipe, NO_COLOR or TERM=dumb).

// helpStyles are the help's few styles.
type helpStyles struct {
	heading, cmd, flag, muted lipgloss.Style
}

func newHelpStyles() helpStyles {
	accent := lipgloss.Color("#8B75E6")
	return helpStyles{
		heading: lipgloss.NewStyle().Bold(true),
		cmd:     lipgloss.NewStyle().Foreground(accent),
		flag:    lipgloss.NewStyle().Foreground(accent),
		muted:   lipgloss.NewStyle().Faint(true),
	}
}

// helpWidth is the width help wraps at: the terminal's (at most 100), or
// 80 when out is not a terminal.
func helpWidth(out io.Writer) int {
	if f, ok := out.(interface{ Fd() uintptr }); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			return min(w, 100)
		}
	}
	return 80
}

// help is the help function of every command.
func help(c *cobra.Command, _ []string) {
	out := c.OutOrStdout()
	w := colorprofile.NewWriter(out, os.Environ())
	_, _ = io.WriteString(w, renderHelp(c, helpWidth(out), newHelpStyles()))
}

// renderHelp is the help of c, wrapped at width.
func renderHelp(c *cobra.Command, width int, st helpStyles) string {
	var b strings.Builder
	para := func(s string, indent int) {
		// Lines at the margin are running text, wrapped in the code at
		// some width: they are joined and wrapped at this one. Indented
		// lines (lists, commands) keep their lines.
		var run []string
		flush := func() {
			if len(run) > 0 {
				b.WriteString(strings.Repeat(" ", indent) + strings.ReplaceAll(wrapSpaces(strings.Join(run, " "), max(width-indent, 20)), "\n", "\n"+strings.Repeat(" ", indent)) + "\n")
				run = nil
			}
		}
		for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			switch {
			case strings.TrimSpace(l) == "":
				flush()
				b.WriteString("\n")
			case strings.HasPrefix(l, " "):
				flush()
				if indent+ansi.StringWidth(l) <= width {
					b.WriteString(strings.Repeat(" ", indent) + l + "\n") // as written: a table keeps its columns
					continue
				}
				own := len(l) - len(strings.TrimLeft(l, " "))
				writeHanging(&b, strings.Repeat(" ", indent+own), indent+own+2, strings.TrimLeft(l, " "), width)
			default:
				run = append(run, l)
			}
		}
		flush()
	}
	heading := func(s string) { b.WriteString("\n" + st.heading.Render(s) + "\n") }

	text := c.Long
	if text == "" {
		text = c.Short
	}
	para(text, 0)

	heading("Usage")
	if c.Runnable() {
		b.WriteString("  " + st.cmd.Render(useLine(c)) + "\n")
	}
	if hasSubcommands(c) {
		b.WriteString("  " + st.cmd.Render(c.CommandPath()+" COMMAND") + "\n")
	}

	if c.Example != "" {
		heading("Examples")
		for _, l := range strings.Split(strings.TrimRight(c.Example, "\n"), "\n") {
			// Examples are commands to copy: never wrapped or cut.
			b.WriteString(st.cmd.Render(l) + "\n")
		}
	}

	if hasSubcommands(c) {
		heading("Commands")
		nameW := 0
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				nameW = max(nameW, len(s.Name()))
			}
		}
		for _, s := range c.Commands() {
			if !s.IsAvailableCommand() {
				continue
			}
			lead := "  " + st.cmd.Render(padTo(s.Name(), nameW)) + "  "
			writeHanging(&b, lead, nameW+4, s.Short, width)
		}
	}

	if fs := visibleFlags(c.LocalFlags()); len(fs) > 0 {
		heading("Flags")
		writeFlags(&b, fs, width, st)
	}
	if fs := visibleFlags(c.InheritedFlags()); len(fs) > 0 {
		heading("Flags of every command")
		writeFlags(&b, fs, width, st)
	}
	if hasSubcommands(c) {
		b.WriteString("\n" + st.muted.Render(fmt.Sprintf("Run %s COMMAND --help for a command's help.", c.CommandPath())) + "\n")
	}
	return b.String()
}

// useLine is the command's usage line, with [flags] when it has any.
func useLine(c *cobra.Command) string {
	line := c.UseLine()
	line = strings.ReplaceAll(line, " [flags]", "")
	if c.HasAvailableFlags() {
		line += " [flags]"
	}
	return line
}

func hasSubcommands(c *cobra.Command) bool {
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			return true
		}
	}
	return false
}

func visibleFlags(fs *pflag.FlagSet) []*pflag.Flag {
	var out []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			out = append(out, f)
		}
	})
	return out
}

// writeFlags lists flags, the usage (as written, without the backquotes)
// wrapped beside them, with the default.
func writeFlags(b *strings.Builder, fs []*pflag.Flag, width int, st helpStyles) {
	specW := 0
	for _, f := range fs {
		specW = max(specW, len(cmdutil.FlagSpec(f)))
	}
	specW = min(specW, 34)
	for _, f := range fs {
		spec := cmdutil.FlagSpec(f)
		usage := cmdutil.FlagUsage(f)
		if len(spec) > specW {
			// A long flag on its own line, the usage under it.
			b.WriteString("  " + st.flag.Render(spec) + "\n")
			writeHanging(b, strings.Repeat(" ", specW+4), specW+4, usage, width)
			continue
		}
		writeHanging(b, "  "+st.flag.Render(padTo(spec, specW))+"  ", specW+4, usage, width)
	}
}

// writeHanging writes lead then text wrapped to width, its other lines
// indented by hang.
func writeHanging(b *strings.Builder, lead string, hang int, text string, width int) {
	lines := strings.Split(wrapSpaces(text, max(width-hang, 20)), "\n")
	for i, l := range lines {
		if i == 0 {
			b.WriteString(lead + l + "\n")
			continue
		}
		b.WriteString(strings.Repeat(" ", hang) + strings.TrimLeft(l, " ") + "\n")
	}
}

// wrapSpaces wraps s at spaces only (a URL or a flag name is never
// broken; a word longer than the width stays whole on its line).
func wrapSpaces(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		ww := ansi.StringWidth(w)
		switch {
		case n == 0:
		case n+1+ww > width:
			b.WriteString("\n")
			n = 0
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += ww
	}
	return b.String()
}

func padTo(s string, w int) string {
	if d := w - len(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

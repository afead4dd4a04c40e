package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// markdownName is the page of c: "cdflogin_profile_add.md".
func markdownName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

func markdownLink(c *cobra.Command) string {
	return fmt.Sprintf("[`%s`](%s)", c.CommandPath(), markdownName(c))
}

// markdownPage is the reference page of one command.
func markdownPage(c *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- %s -->\n\n", generatedMark)
	fmt.Fprintf(&b, "# `%s`\n\n", c.CommandPath())
	fmt.Fprintf(&b, "%s\n\n", mdEscape(c.Short))
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		b.WriteString(mdText(c.Long))
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```\n%s\n```\n\n", dedent(c.Example))
	}
	if subs := shownSubcommands(c); len(subs) > 0 {
		b.WriteString("## Commands\n\n| Command | Description |\n| --- | --- |\n")
		for _, s := range subs {
			fmt.Fprintf(&b, "| %s | %s |\n", markdownLink(s), mdCell(s.Short))
		}
		b.WriteString("\n")
	}
	if fl := c.NonInheritedFlags(); fl.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Flags\n\n```\n%s```\n\n", flagTable(fl))
	}
	if fl := c.InheritedFlags(); fl.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Flags of every command\n\n```\n%s```\n\n", flagTable(fl))
	}
	b.WriteString("## See also\n\n")
	if c.HasParent() {
		fmt.Fprintf(&b, "- %s: %s\n", markdownLink(c.Parent()), mdEscape(c.Parent().Short))
	}
	fmt.Fprintf(&b, "- [All commands](%s)\n", indexPage)
	return b.Bytes()
}

// markdownIndex is the reference's README: every command in one table.
func markdownIndex(root *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- %s -->\n\n", generatedMark)
	b.WriteString("# Command reference\n\n")
	b.WriteString("Every `cdflogin` command with its flags and examples, generated from the code.\n")
	b.WriteString("`cdflogin COMMAND --help` shows the same in the terminal.\n\n")
	b.WriteString("| Command | Description |\n| --- | --- |\n")
	for _, c := range documented(root) {
		fmt.Fprintf(&b, "| %s | %s |\n", markdownLink(c), mdCell(c.Short))
	}
	b.WriteString("\nAlso generated here, and shipped in every release archive:\n\n")
	fmt.Fprintf(&b, "- [`%s`](%s): the cdflogin(1) man page (`man ./%s` to read it from here).\n", ManPage, ManPage, ManPage)
	fmt.Fprintf(&b, "- [`completions/`](completions): the bash (`%s`), zsh (`%s`), fish (`%s`) and PowerShell (`%s`)\n",
		strings.TrimPrefix(BashCompletion, "completions/"), strings.TrimPrefix(ZshCompletion, "completions/"),
		strings.TrimPrefix(FishCompletion, "completions/"), strings.TrimPrefix(PowerShellCompl, "completions/"))
	b.WriteString("  completion scripts, the same as `cdflogin completion SHELL` prints. `-p <TAB>` completes profile names.\n\n")
	fmt.Fprintf(&b, "After changing a command, run `%s` and commit the result: `go test ./...`\n", Regenerate)
	b.WriteString("fails while this folder differs from the code.\n")
	return b.Bytes()
}

func shownSubcommands(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, s := range c.Commands() {
		if shown(s) {
			out = append(out, s)
		}
	}
	return out
}

// mdText turns a command's Long text into markdown: paragraphs of prose
// (escaped, so that <tenant> or *.pem stay text) and indented lines as code
// blocks.
func mdText(s string) string {
	var b strings.Builder
	var code []string
	flush := func() {
		for len(code) > 0 && code[len(code)-1] == "" {
			code = code[:len(code)-1]
		}
		if len(code) > 0 {
			fmt.Fprintf(&b, "```\n%s\n```\n\n", dedent(strings.Join(code, "\n")))
			code = nil
		}
	}
	for _, para := range paragraphs(s) {
		var prose []string
		for _, line := range para {
			if indented(line) {
				if len(prose) > 0 {
					fmt.Fprintf(&b, "%s\n\n", strings.Join(prose, "\n"))
					prose = nil
				}
				code = append(code, line)
				continue
			}
			flush()
			prose = append(prose, mdEscape(line))
		}
		if len(prose) > 0 {
			fmt.Fprintf(&b, "%s\n\n", strings.Join(prose, "\n"))
		} else if len(code) > 0 {
			// A blank line inside a code block stays in it.
			code = append(code, "")
		}
	}
	flush()
	return b.String()
}

// paragraphs splits s at blank lines.
func paragraphs(s string) [][]string {
	var out [][]string
	var cur []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

func indented(line string) bool {
	return strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "  ")
}

// dedent removes the indentation all non-blank lines share, and tabs
// become four spaces.
func dedent(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimRight(s, "\n"), "\t", "    "), "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			lines[i] = l[common:]
		} else {
			lines[i] = strings.TrimLeft(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}

// mdEscape escapes the characters markdown would read as markup. An
// underscore inside a word (CDFLOGIN_HOME, client_id) is no markup and
// stays as it is, and so does a '#' that does not start the line, so that
// the page reads well as plain text too.
func mdEscape(s string) string {
	var b strings.Builder
	r := []rune(s)
	lead := len(r) - len([]rune(strings.TrimLeft(s, " ")))
	if strings.Trim(s, "=-") == "" && s != "" {
		// A line of only = or - would make the line above a heading.
		b.WriteRune('\\')
	}
	for i, c := range r {
		switch c {
		case '\\', '`', '*', '<', '>', '[', ']', '|':
			b.WriteRune('\\')
		case '#':
			if i == lead {
				b.WriteRune('\\')
			}
		case '_':
			if i == 0 || i == len(r)-1 || !wordRune(r[i-1]) || !wordRune(r[i+1]) {
				b.WriteRune('\\')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCell is text for a table cell: one line, escaped.
func mdCell(s string) string {
	return mdEscape(strings.Join(strings.Fields(s), " "))
}

// flagTable lists flags as the terminal help does (cmdutil.FlagSpec, the
// same value names), one flag a line with its usage beside it.
func flagTable(fs *pflag.FlagSet) string {
	var flags []*pflag.Flag
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			flags = append(flags, f)
			width = max(width, len(cmdutil.FlagSpec(f)))
		}
	})
	var b strings.Builder
	for _, f := range flags {
		spec := cmdutil.FlagSpec(f)
		fmt.Fprintf(&b, "  %s%s  %s\n", spec, strings.Repeat(" ", width-len(spec)), cmdutil.FlagUsage(f))
	}
	return b.String()
}

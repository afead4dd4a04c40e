package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manPage is cdflogin(1): the root's description and flags, then every
// command with its usage, description, examples and flags. It has no date,
// so that the page is the same for the same code.
func manPage(root *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, ".\\\" %s\n", generatedMark)
	b.WriteString(".TH CDFLOGIN 1 \"\" \"cdflogin\" \"User Commands\"\n")
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "cdflogin \\- %s\n", roffLine(lowerFirst(root.Short)))
	b.WriteString(".SH SYNOPSIS\n")
	fmt.Fprintf(&b, ".B cdflogin\n[\\fIcommand\\fR] [\\fIflags\\fR]\n")
	b.WriteString(".SH DESCRIPTION\n")
	b.WriteString(roffText(root.Long))
	b.WriteString(".SH OPTIONS\n")
	roffFlags(&b, root.LocalNonPersistentFlags())
	if hasDocumentedFlags(root.PersistentFlags()) {
		b.WriteString(".PP\nThese work with every command:\n")
		roffFlags(&b, root.PersistentFlags())
	}
	b.WriteString(".SH COMMANDS\n")
	for _, c := range documented(root)[1:] {
		fmt.Fprintf(&b, ".SS \"%s\"\n", roffLine(c.CommandPath()))
		fmt.Fprintf(&b, "%s\n", roffLine(c.Short))
		fmt.Fprintf(&b, ".PP\n.B %s\n", roffLine(c.UseLine()))
		if c.Long != "" {
			b.WriteString(".PP\n")
			b.WriteString(roffText(c.Long))
		}
		if c.Example != "" {
			b.WriteString(".PP\nExamples:\n")
			roffCode(&b, dedent(c.Example))
		}
		if fl := c.LocalNonPersistentFlags(); hasDocumentedFlags(fl) {
			b.WriteString(".PP\nFlags:\n")
			roffFlags(&b, fl)
		}
		if fl := c.PersistentFlags(); c.HasParent() && hasDocumentedFlags(fl) {
			fmt.Fprintf(&b, ".PP\nFlags of %s and its commands:\n", roffLine(c.CommandPath()))
			roffFlags(&b, fl)
		}
	}
	b.WriteString(".SH SEE ALSO\n")
	b.WriteString("\\fBcdflogin\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR shows a command's help in the terminal.\n")
	b.WriteString("The same reference, one page a command, is in docs/reference in the source.\n")
	return b.Bytes()
}

// hasDocumentedFlags reports whether fs has a flag other than --help.
func hasDocumentedFlags(fs *pflag.FlagSet) bool {
	found := false
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && f.Name != "help" {
			found = true
		}
	})
	return found
}

// roffFlags writes one tagged paragraph a flag (not --help, which every
// command has).
func roffFlags(b *bytes.Buffer, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		varname, usage := cmdutil.FlagPlaceholder(f), cmdutil.FlagUsage(f)
		b.WriteString(".TP\n")
		if f.Shorthand != "" {
			fmt.Fprintf(b, "\\fB\\-%s\\fR, ", roffLine(f.Shorthand))
		}
		fmt.Fprintf(b, "\\fB\\-\\-%s\\fR", roffLine(f.Name))
		if varname != "" {
			fmt.Fprintf(b, " \\fI%s\\fR", roffLine(varname))
		}
		b.WriteString("\n")
		fmt.Fprintf(b, "%s\n", roffLine(usage))
	})
}

// roffText turns a Long text into paragraphs and, for indented lines,
// unfilled blocks.
func roffText(s string) string {
	var b bytes.Buffer
	for i, para := range paragraphs(s) {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		var code []string
		flush := func() {
			if len(code) > 0 {
				roffCode(&b, dedent(strings.Join(code, "\n")))
				code = nil
			}
		}
		for _, line := range para {
			if indented(line) {
				code = append(code, line)
				continue
			}
			flush()
			fmt.Fprintf(&b, "%s\n", roffLine(line))
		}
		flush()
	}
	return b.String()
}

// roffCode writes s as an indented block that keeps its line breaks.
func roffCode(b *bytes.Buffer, s string) {
	b.WriteString(".RS 4\n.nf\n")
	for _, line := range strings.Split(s, "\n") {
		fmt.Fprintf(b, "%s\n", roffLine(line))
	}
	b.WriteString(".fi\n.RE\n")
}

var roffEscaper = strings.NewReplacer(`\`, `\e`, "-", `\-`)

// roffLine escapes one line of text for roff: backslashes and minus signs
// (which roff would print as hyphens, so that a copied flag would not
// work), a leading dot or quote, which would start a request, and every
// non-ASCII character as \[uXXXX], which groff and mandoc read without a
// preprocessor.
func roffLine(s string) string {
	s = roffEscaper.Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\[uFFFD]`)
		case r > unicode.MaxASCII:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

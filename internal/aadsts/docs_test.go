package aadsts

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The AADSTS list in docs/troubleshooting.md is written from the catalogue
// by this test, so the two cannot drift apart:
//
//	go test ./internal/aadsts -run TestDocsAADSTS -update-docs
var updateDocs = flag.Bool("update-docs", false, "rewrite the AADSTS list in docs/troubleshooting.md from the catalogue")

const (
	docsFile      = "../../docs/troubleshooting.md"
	docsBegin     = "<!-- aadsts:begin"
	docsEnd       = "<!-- aadsts:end -->"
	regenerateCmd = "go test ./internal/aadsts -run TestDocsAADSTS -update-docs"
)

// TestDocsAADSTS fails when the AADSTS list in docs/troubleshooting.md is not
// what the catalogue says, and rewrites it with -update-docs.
func TestDocsAADSTS(t *testing.T) {
	doc, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(doc, []byte(docsBegin))
	end := bytes.Index(doc, []byte(docsEnd))
	if start < 0 || end < start {
		t.Fatalf("%s has no %q … %q markers around its AADSTS list", docsFile, docsBegin, docsEnd)
	}
	body := start + bytes.IndexByte(doc[start:], '\n') + 1 // after the begin marker's line
	want := catalogueMarkdown()
	if string(doc[body:end]) == want {
		return
	}
	if *updateDocs {
		out := slices.Concat(doc[:body], []byte(want), doc[end:])
		if err := os.WriteFile(docsFile, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the AADSTS list in %s", filepath.Clean(docsFile))
		return
	}
	got := strings.Split(string(doc[body:end]), "\n")
	lines := strings.Split(want, "\n")
	for i := range max(len(got), len(lines)) {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(lines) {
			w = lines[i]
		}
		if g != w {
			t.Fatalf("the AADSTS list in docs/troubleshooting.md is not the catalogue's (first difference at its line %d:\n"+
				"  docs:      %q\n  catalogue: %q)\nregenerate it: %s", i+1, g, w, regenerateCmd)
		}
	}
}

// TestCatalogueMarkdownEscapes checks that text from the catalogue cannot
// change the list's Markdown.
func TestCatalogueMarkdownEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, (not Web) › Save", "plain text, (not Web) › Save"},
		{"client_id and user_impersonation", "client_id and user_impersonation"},
		{"_claim_names *and* `code` <b> [x](y) a\\b", `\_claim_names \*and\* \` + "`code\\`" + ` \<b\> \[x\](y) a\\b`},
	}
	for _, tt := range tests {
		if got := markdownEscape(tt.in); got != tt.want {
			t.Errorf("markdownEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A wrapped line never starts with something Markdown reads as a list
	// item or a heading, wherever the risky word falls.
	for _, risky := range []string{"-", "+", "*", "1.", "2)", "#", "##", ">"} {
		for pad := range 12 {
			s := "- " + strings.Repeat("x", pad) + strings.Repeat(" word", 12) + " " + risky + " end"
			for i, line := range wrapText(s, "  ", 30) {
				if i > 0 && strings.HasPrefix(strings.TrimLeft(line, " "), risky+" ") {
					t.Errorf("wrapText(%q): line %d starts a Markdown block: %q", s, i, line)
				}
			}
		}
	}
}

// Stand-ins in the docs for a profile's values and Entra's answer: plain
// words that survive the URL parsing the explanations do, and are then
// shown as <…>.
const (
	phApp      = "xdocsappx"
	phTenant   = "xdocstenantx"
	phCluster  = "xdocsclusterx"
	phProfile  = "xdocsprofilex"
	phResource = "https://xdocsresourcex"
)

// docsContext is the context the docs explain every code in; variants
// change its flow, step or resource.
func docsContext() Context {
	return Context{ClientID: phApp, Tenant: phTenant, RedirectURI: "http://localhost:53000", Cluster: phCluster,
		CDFURL: "https://" + phCluster + ".cognitedata.com", Profile: phProfile}
}

// variantContexts are the contexts that show a variant: one for each of
// its flows (its texts may name the flow or the credential).
func variantContexts(v variant) []Context {
	base := docsContext()
	base.Step = v.Step
	if v.Foreign {
		base.Resource = phResource
	}
	if len(v.Flows) == 0 {
		return []Context{base}
	}
	var out []Context
	for _, f := range v.Flows {
		c := base
		c.Flow = f
		out = append(out, c)
	}
	return out
}

// variantLabel says when a variant applies, for the docs.
func variantLabel(c Context, v variant) string {
	var parts []string
	if c.Flow != "" {
		parts = append(parts, "with the "+c.Flow+" flow")
	}
	if v.Step == StepRefresh {
		parts = append(parts, "on a refresh")
	}
	if v.Foreign {
		parts = append(parts, "for an API other than CDF (`<resource>`)")
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// catalogueMarkdown is the catalogue as a Markdown list, one item a row,
// with the texts each variant gives in its context, wrapped at 104
// columns.
func catalogueMarkdown() string {
	show := strings.NewReplacer(
		"https://"+phCluster+".cognitedata.com/.default", "`https://<cluster>.cognitedata.com/.default`",
		"https://"+phCluster+".cognitedata.com", "`https://<cluster>.cognitedata.com`",
		phResource+"/.default", "`<resource>/.default`",
		phResource, "`<resource>`",
		phCluster, "`<cluster>`",
		phApp, "`<client_id>`",
		phTenant, "`<tenant>`",
		phProfile, "`<profile>`",
	)
	text := func(c Context, s string) string { return show.Replace(markdownEscape(c.replacer().Replace(s))) }
	var b strings.Builder
	b.WriteString("\n")
	line := func(s, indent string, width int) {
		for _, l := range wrapText(s, indent, width) {
			b.WriteString(l + "\n")
		}
	}
	for _, en := range catalogue {
		var names []string
		for _, c := range en.Codes {
			names = append(names, "AADSTS"+strconv.Itoa(c))
		}
		names = append(names, en.Errors...)
		base := docsContext()
		line("- **"+markdownEscape(strings.Join(names, ", "))+"**: "+text(base, en.Title), "  ", 104)
		line("  - Cause: "+text(base, en.Cause), "    ", 104)
		line("  - Fix: "+text(base, en.Fix), "    ", 104)
		for _, v := range en.Variants {
			for _, c := range variantContexts(v) {
				var said []string
				if v.Title != "" {
					said = append(said, "*"+text(c, v.Title)+"*.")
				}
				if v.Cause != "" {
					said = append(said, "Cause: "+text(c, v.Cause))
				}
				if v.Fix != "" {
					said = append(said, "Fix: "+text(c, v.Fix))
				}
				if v.NoSuggest {
					said = append(said, "No other flow is suggested.")
				}
				line("  - "+variantLabel(c, v)+": "+strings.Join(said, " "), "    ", 104)
			}
		}
		if en.Suggest != "" {
			line("  - cdflogin suggests `cdflogin login -p <profile> --flow "+en.Suggest+"`.", "    ", 104)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// markdownEscape makes catalogue text literal in Markdown. Underscores
// inside words (client_id) are literal in CommonMark already and are kept.
func markdownEscape(s string) string {
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\`*<>[]", r):
			b.WriteByte('\\')
		case r == '_' && !unicode.IsLetter(prev) && !unicode.IsDigit(prev):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// wrapText wraps s at width, continuing lines with indent. A word that
// would start a Markdown block at the start of a line (-, +, *, 1., #)
// stays on the line before.
func wrapText(s, indent string, width int) []string {
	words := strings.Fields(s)
	lead := len(s) - len(strings.TrimLeft(s, " "))
	var lines []string
	cur := s[:lead] + words[0]
	for _, w := range words[1:] {
		risky := w == "-" || w == "+" || w == "*" || strings.HasPrefix(w, "#") || strings.HasPrefix(w, ">") ||
			(strings.TrimRight(w, ".)") != w && strings.Trim(strings.TrimRight(w, ".)"), "0123456789") == "")
		if utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) > width && !risky {
			lines = append(lines, cur)
			cur = indent + w
			continue
		}
		cur += " " + w
	}
	return append(lines, cur)
}

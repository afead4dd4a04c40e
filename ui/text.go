package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The program cuts nothing it knows: sentences (meanings, causes, fixes,
// warnings) wrap, and URLs are never cut or broken by a wrap. A URL that
// fits the line is an OSC 8 hyperlink in the text; one longer than the
// width is a link block: lines of the whole terminal width from column 0
// with nothing added, all one hyperlink to the whole URL, which the app
// then lets the terminal wrap itself (so a copy gets one line; see
// softwrap.go).

// urlRE finds URLs in running text: ASCII only (an OSC 8 hyperlink
// carries ASCII; anything else is text), and the characters that usually
// close a URL in prose (quotes, brackets, a final dot or comma) stay
// outside.
var urlRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("https?://[A-Za-z0-9._~:/?#@!$&*+,;=%|^`-]*[A-Za-z0-9_~/#@$&*+=%|^`-]")
})

// isURL reports whether s is one URL and nothing else.
func isURL(s string) bool { return s != "" && urlRE().FindString(s) == s }

// linkMark starts every line of a link block: the OSC 8 sequence with
// the app's id, which the frame keeps at column 0, unindented and uncut.
const linkMark = "\x1b]8;id=cdfl-"

// linkID is a short id for url (the same for every line of its block, so
// that terminals treat the lines as one link).
func linkID(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:6])
}

// hyperlink is text as an OSC 8 hyperlink to url (plain: just text).
func hyperlink(st Styles, url, text string) string {
	if st.Plain {
		return text
	}
	// Not the block mark (cdfl-): an inline link is an ordinary line.
	return ansi.SetHyperlink(url, "id=cdfu-"+linkID(url)) + text + ansi.ResetHyperlink()
}

// linkBlock renders url as lines of exactly width cells (the last one
// shorter), each an OSC 8 hyperlink to the whole URL. Plain mode gives the
// URL on one line: its output is a transcript the terminal wraps.
func linkBlock(st Styles, url string, width int) []string {
	return block(st, url, url, width, st.Link)
}

// textBlock is a block of text that must stay whole for a copy (the raw
// token): like a link block, without the hyperlink.
func textBlock(st Styles, text string, width int) []string {
	return block(st, "", text, width, st.Value)
}

// block lays text out from column 0 in lines of exactly width cells, each
// marked (an OSC 8 sequence with the block's id, a hyperlink to url when
// url is set) so that the frame keeps them unindented and whole.
func block(st Styles, url, text string, width int, style lipgloss.Style) []string {
	if st.Plain || width <= 0 {
		return []string{text}
	}
	open := ansi.SetHyperlink(url, "id=cdfl-"+linkID(text))
	var out []string
	for _, l := range strings.Split(ansi.Hardwrap(text, width, true), "\n") {
		out = append(out, open+style.Render(l)+ansi.ResetHyperlink())
	}
	return out
}

// isLinkLine reports whether a frame line belongs to a block (a link
// block or a text block).
func isLinkLine(l string) bool { return strings.HasPrefix(l, linkMark) }

// linkOf returns the URL of a link block line.
func linkOf(l string) string {
	rest := strings.TrimPrefix(l, linkMark)
	i := strings.IndexByte(rest, ';')
	if i < 0 {
		return ""
	}
	rest = rest[i+1:]
	if j := strings.IndexByte(rest, '\a'); j >= 0 {
		return rest[:j]
	}
	if j := strings.Index(rest, "\x1b\\"); j >= 0 {
		return rest[:j]
	}
	return ""
}

// token is a word of running text; glued tokens follow the previous one
// with no space (the parts around a URL inside a word).
type token struct {
	text  string
	url   bool
	glued bool
}

// tokenize splits text into words, and words with a URL inside into the
// URL and what is around it.
func tokenize(text string) []token {
	var out []token
	for _, w := range strings.Fields(text) {
		var locs [][]int
		if strings.Contains(w, "://") { // most words are no URL: skip the regexp
			locs = urlRE().FindAllStringIndex(w, -1)
		}
		if len(locs) == 0 {
			out = append(out, token{text: w})
			continue
		}
		at, glued := 0, false
		for _, l := range locs {
			if l[0] > at {
				out = append(out, token{text: w[at:l[0]], glued: glued})
				glued = true
			}
			out = append(out, token{text: w[l[0]:l[1]], url: true, glued: glued})
			glued = true
			at = l[1]
		}
		if at < len(w) {
			out = append(out, token{text: w[at:], glued: true})
		}
	}
	return out
}

// wrapped is a line of a wrapped paragraph, or (link != "") a link block.
type wrapped struct {
	text string
	link string
}

// wrapWords wraps text (plain, one line, already cleaned) into lines of
// at most first cells for the first line and rest for the others. Words
// longer than a line are broken, except URLs: one that does not fit the
// line goes to the next, and one longer than rest becomes a link block.
func wrapWords(text string, first, rest int) []wrapped {
	var out []wrapped
	var line strings.Builder
	lineW := 0
	limit := max(first, 1)
	flush := func() {
		out = append(out, wrapped{text: line.String()})
		line.Reset()
		lineW = 0
		limit = max(rest, 1)
	}
	for _, t := range tokenize(text) {
		w := ansi.StringWidth(t.text)
		sep := 1
		if t.glued || lineW == 0 {
			sep = 0
		}
		if lineW > 0 && lineW+sep+w > limit {
			flush()
			sep = 0
		}
		if t.url && w > limit {
			if lineW > 0 {
				flush()
			}
			out = append(out, wrapped{link: t.text})
			limit = max(rest, 1)
			continue
		}
		for w > limit { // a long word that is not a URL: break it
			head := ansi.Truncate(t.text, limit-lineW, "")
			if head == "" { // a wide character at a one-cell limit
				head = string([]rune(t.text)[:1])
			}
			line.WriteString(head)
			t.text = strings.TrimPrefix(t.text, head)
			flush()
			w = ansi.StringWidth(t.text)
		}
		if sep == 1 {
			line.WriteByte(' ')
		}
		if t.url {
			line.WriteString("\x00" + t.text + "\x00") // marked for the hyperlink
		} else {
			line.WriteString(t.text)
		}
		lineW += sep + w
	}
	if lineW > 0 || len(out) == 0 {
		out = append(out, wrapped{text: line.String()})
	}
	return out
}

// para lays out a paragraph: lead (styled, leadW cells wide) then text
// wrapped to width, painted with paint; continuation lines are indented
// by hang cells. URLs in the text are hyperlinks, or link blocks of the
// terminal's width (termW) when longer than a line.
func para(st Styles, lead string, leadW int, text string, width, hang, termW int, paint func(...string) string) []string {
	if paint == nil {
		paint = func(s ...string) string { return strings.Join(s, " ") }
	}
	first := width - leadW
	restW := width - hang
	var out []string
	pad := strings.Repeat(" ", max(hang, 0))
	for i, l := range wrapWords(text, first, restW) {
		if l.link != "" {
			out = append(out, linkBlock(st, l.link, termW)...)
			continue
		}
		s := paintLinks(st, l.text, paint)
		if i == 0 {
			out = append(out, lead+s)
		} else {
			out = append(out, pad+s)
		}
	}
	if len(out) > 0 && isLinkLine(out[0]) && lead != "" {
		out = append([]string{lead}, out...)
	}
	return out
}

// paintLinks paints a wrapped line, its marked URLs as hyperlinks.
func paintLinks(st Styles, s string, paint func(...string) string) string {
	if !strings.Contains(s, "\x00") {
		return paint(s)
	}
	parts := strings.Split(s, "\x00")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i%2 == 1 {
			b.WriteString(hyperlink(st, p, st.Link.Render(p)))
		} else {
			b.WriteString(paint(p))
		}
	}
	return b.String()
}

// urlLines shows a URL on its own: one line (a hyperlink) when it fits the
// width w, else a link block of the terminal's width termW.
func urlLines(st Styles, u string, w, termW int) []string {
	u = clean(u)
	if !isURL(u) {
		// Not a URL (whatever Entra sent): text, wrapped.
		return para(st, "", 0, u, w, 0, termW, st.Link.Render)
	}
	if ansi.StringWidth(u) <= w || st.Plain {
		return []string{hyperlink(st, u, st.Link.Render(u))}
	}
	return linkBlock(st, u, termW)
}

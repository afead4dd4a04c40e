// Package textwrap wraps cdflogin's explanations for the terminal: a label
// such as "Fix:   " followed by text, wrapped with a hanging indent so the
// text lines up under itself. The AADSTS and network explanations share it.
package textwrap

import (
	"strings"
	"unicode/utf8"
)

// Hanging writes label followed by words, starting a new line before a
// word that would make the line wider than width (in runes); lines after
// the first are indented by the label's width. A word is never split, so a
// word wider than width gets a line of its own. The result ends in "\n".
func Hanging(label string, words []string, width int) string {
	indent := strings.Repeat(" ", utf8.RuneCountInString(label))
	var b strings.Builder
	line, empty := label, true
	for _, w := range words {
		if !empty && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			b.WriteString(line + "\n")
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// KeepParentheses joins the words of a parenthesis, such as
// "(profiles.yaml: profiles.dev.ca_file)", into one word when the result is
// at most max runes, so that Hanging never breaks a line inside it. A
// parenthesis that is longer, or never closed, is left as separate words.
func KeepParentheses(words []string, max int) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "(") && !strings.Contains(w, ")") {
			for j := i + 1; j < len(words); j++ {
				if strings.Contains(words[j], "(") {
					break
				}
				if strings.Contains(words[j], ")") {
					if u := strings.Join(words[i:j+1], " "); utf8.RuneCountInString(u) <= max {
						w, i = u, j
					}
					break
				}
			}
		}
		out = append(out, w)
	}
	return out
}

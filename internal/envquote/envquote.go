// Package envquote writes a value as a variable assignment's right-hand
// side that each consumer reads back exactly: POSIX shells (bash, dash,
// zsh: eval, source), .env files (python-dotenv, and so the Cognite
// Toolkit, and `set -a; . ./.env` in a shell) and PowerShell. Where no
// quoting is safe for every consumer of a format, the value is refused:
// a value is never written in a form that a reader would run or change.
// Python string literals are written for the SDK export. Each quoting is
// fuzzed against the real parser where one is installed (bash, dash,
// python-dotenv, Python).
package envquote

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrUnquotable is wrapped by every refusal.
var ErrUnquotable = errors.New("cannot be quoted safely")

func refuse(format, why string) error {
	return fmt.Errorf("%w for %s: %s", ErrUnquotable, format, why)
}

// lineBreakOrNUL refuses what no line-based format carries.
func lineBreakOrNUL(format, s string) error {
	if strings.ContainsAny(s, "\x00\r\n") {
		return refuse(format, "it holds a line break or NUL")
	}
	return nil
}

// text refuses what a format of Unicode text cannot hold: bytes that are
// not UTF-8.
func text(format, s string) error {
	if err := lineBreakOrNUL(format, s); err != nil {
		return err
	}
	if !utf8.ValidString(s) {
		return refuse(format, "it is not UTF-8 text")
	}
	return nil
}

// Sh quotes s for POSIX shells: single quotes, in which nothing is
// special; each ' in s ends the quotes, is written escaped (\') and
// opens them again.
func Sh(s string) (string, error) {
	if err := lineBreakOrNUL("sh", s); err != nil {
		return "", err
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", nil
}

// PowerShell quotes s as a verbatim (single-quoted) string, in which the
// only special characters are the single quotes — ' and its typographic
// variants U+2018 to U+201B, which PowerShell also ends strings with —
// each written twice. A value that is not UTF-8 is refused.
func PowerShell(s string) (string, error) {
	if err := text("powershell", s); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		b.WriteRune(r)
		if IsPowerShellQuote(r) {
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String(), nil
}

// IsPowerShellQuote reports whether PowerShell takes r as a single quote.
func IsPowerShellQuote(r rune) bool {
	return r == '\'' || r >= '\u2018' && r <= '\u201b'
}

// dotenvPlain are the characters a .env value may hold unquoted: neither
// python-dotenv nor a shell gives any of them a meaning there (~ is left
// out: a shell expands a leading one).
func dotenvPlain(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.:/@+,%", r)
}

// dotenvReference is what python-dotenv expands in every kind of quotes
// (its _posix_variable); it has no escape for it.
var dotenvReference = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{[^}:]*(?::-[^}]*)?\}`) })

// Dotenv quotes s for a .env file that python-dotenv reads and a shell
// sources (set -a; . ./.env): plain when every character is inert; in
// single quotes when s has no ' or \ (python-dotenv reads \\ and \' in
// single quotes, a shell does not); else in double quotes with \ and "
// escaped, which both read alike — unless s also holds $ or `, which a
// shell expands in double quotes and python-dotenv does not unescape:
// such a value is refused. So is one with a ${VAR} reference, which
// python-dotenv expands even in single quotes, and one that is not UTF-8.
func Dotenv(s string) (string, error) {
	if err := text("dotenv", s); err != nil {
		return "", err
	}
	if dotenvReference().MatchString(s) {
		return "", refuse("dotenv", "it holds a ${…} reference, which python-dotenv expands in any quotes")
	}
	plain := s != ""
	for _, r := range s {
		if !dotenvPlain(r) {
			plain = false
			break
		}
	}
	switch {
	case plain:
		return s, nil
	case !strings.ContainsAny(s, `'\`):
		return "'" + s + "'", nil
	case strings.ContainsAny(s, "$`"):
		return "", refuse("dotenv", "it holds ' or \\ together with $ or `, which python-dotenv and a shell would read differently")
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, nil
}

// Python quotes s as a Python string literal (the SDK export): a JSON
// string, which Python reads alike (its escapes are Python's, and
// encoding/json also escapes <, >, &, U+2028 and U+2029). A value that is
// not UTF-8 is refused (JSON would change it).
func Python(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", refuse("python", "it is not UTF-8 text")
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", refuse("python", err.Error())
	}
	return string(b), nil
}

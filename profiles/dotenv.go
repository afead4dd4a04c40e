package profiles

import (
	"bytes"
	"fmt"
	"strings"
)

// EnvVar is one KEY=value line of a .env file.
type EnvVar struct {
	Key   string
	Value string
	Line  int
	// Quoted is the quote the value was written in: 0, '\'' or '"'.
	// Single-quoted values are literal (no ${VAR} references).
	Quoted byte
}

// DotenvProblem is a line of a .env file that is not KEY=value.
type DotenvProblem struct {
	Line int
	Msg  string
}

// ParseDotenv reads a .env file the way python-dotenv (and so the Cognite
// Toolkit) does: KEY=value lines, optional "export " prefixes, blank lines
// and # comments, values unquoted (a " #" starts a comment), in single
// quotes (literal) or double quotes (\n, \", \\ escapes; may span lines).
// A UTF-8 BOM and CRLF line ends are accepted. Lines it cannot read are
// returned as problems, not guessed at. Later keys override earlier ones
// in the returned order (the last wins, as in python-dotenv).
func ParseDotenv(data []byte) ([]EnvVar, []DotenvProblem) {
	data = bytes.TrimPrefix(data, utf8BOM)
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	var vars []EnvVar
	var probs []DotenvProblem
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export"); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t")) {
			line = strings.TrimSpace(rest)
		}
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			probs = append(probs, DotenvProblem{Line: lineNo, Msg: "not KEY=value"})
			continue
		}
		key := strings.TrimSpace(line[:eq])
		if !envVarRE().MatchString(key) {
			probs = append(probs, DotenvProblem{Line: lineNo, Msg: fmt.Sprintf("%q is not a variable name", key)})
			continue
		}
		raw := strings.TrimLeft(line[eq+1:], " \t")
		v := EnvVar{Key: key, Line: lineNo}
		switch {
		case strings.HasPrefix(raw, "'") || strings.HasPrefix(raw, `"`):
			q := raw[0]
			body := raw[1:]
			// Gather following lines until the closing quote.
			val, rest, closed := scanQuoted(body, q)
			for !closed && i+1 < len(lines) {
				i++
				body += "\n" + lines[i]
				val, rest, closed = scanQuoted(body, q)
			}
			if !closed {
				probs = append(probs, DotenvProblem{Line: lineNo, Msg: fmt.Sprintf("the %c quote of %s is never closed", q, key)})
				continue
			}
			if r := strings.TrimSpace(rest); r != "" && !strings.HasPrefix(r, "#") {
				probs = append(probs, DotenvProblem{Line: lineNo, Msg: fmt.Sprintf("text after the closing quote of %s", key)})
				continue
			}
			v.Value, v.Quoted = val, q
		default:
			if j := strings.Index(raw, " #"); j >= 0 {
				raw = raw[:j]
			} else if j := strings.Index(raw, "\t#"); j >= 0 {
				raw = raw[:j]
			}
			v.Value = strings.TrimSpace(raw)
		}
		vars = append(vars, v)
	}
	return vars, probs
}

// scanQuoted reads a quoted value up to its closing quote q, returning the
// value, what follows the quote and whether the quote was closed.
func scanQuoted(s string, q byte) (string, string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\\' && q == '"' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\', '$':
				b.WriteByte(s[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		case c == '\\' && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
			b.WriteByte('\'')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "", false
}

// varRef reports whether s is exactly one reference ${VAR} (or $VAR) and
// returns VAR.
func varRef(s string) (string, bool) {
	if inner, ok := strings.CutPrefix(s, "${"); ok {
		if name, ok := strings.CutSuffix(inner, "}"); ok && envVarRE().MatchString(name) {
			return name, true
		}
		return "", false
	}
	if name, ok := strings.CutPrefix(s, "$"); ok && envVarRE().MatchString(name) {
		return name, true
	}
	return "", false
}

// expandRefs replaces ${VAR} references in s using lookup; it reports the
// names it could not resolve.
func expandRefs(s string, lookup func(string) (string, bool)) (string, []string) {
	var missing []string
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		if v, ok := lookup(name); ok && envVarRE().MatchString(name) {
			b.WriteString(v)
		} else {
			missing = append(missing, name)
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	return b.String(), missing
}

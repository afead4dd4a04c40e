// Package jsonlimit bounds the JSON that comes from outside (tokens, CDF's
// answers) before it is decoded: how deeply it nests and how large it is.
// A token or an answer nesting thousands of arrays deep costs time and
// memory out of proportion to its size in every step after the decoder
// (formatting, indenting, checking); no real one nests more than a few
// levels, so anything beyond the limit is refused with a clear error.
package jsonlimit

import "fmt"

// Depth is how deeply the arrays and objects of a JSON text nest (0 for a
// scalar, 1 for a flat object). Brackets inside strings do not count. It
// reads the text once and allocates nothing, whatever the input.
func Depth(data []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return deepest
}

// Error says a JSON text is over a limit.
type Error struct {
	What     string // "the token's payload", "CDF's token/inspect answer"
	Depth    int    // how deeply it nests, when that is the problem
	MaxDepth int
	Size     int // its size in bytes, when that is the problem
	MaxSize  int
}

func (e *Error) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("%s is %d bytes, more than the %d any real one has", e.What, e.Size, e.MaxSize)
	}
	return fmt.Sprintf("%s nests %d levels deep, more than the %d any real one does", e.What, e.Depth, e.MaxDepth)
}

// Check returns an *Error when data (named what) is larger than maxSize
// bytes (0: no size limit) or nests deeper than maxDepth.
func Check(what string, data []byte, maxDepth, maxSize int) error {
	if maxSize > 0 && len(data) > maxSize {
		return &Error{What: what, Size: len(data), MaxSize: maxSize}
	}
	if d := Depth(data); d > maxDepth {
		return &Error{What: what, Depth: d, MaxDepth: maxDepth}
	}
	return nil
}

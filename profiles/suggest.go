package profiles

import (
	"strings"
	"unicode"

	"github.com/cognite-tools/cdflogin/internal/textdist"
)

// Nearest returns the candidate closest to s (by edit distance after
// normalising case, dashes and camelCase), or "" when none is close enough
// to be a plausible typo.
func Nearest(s string, candidates []string) string {
	ns := normalizeKey(s)
	best, bestDist := "", -1
	for _, c := range candidates {
		nc := normalizeKey(c)
		if nc == ns {
			return c
		}
		d := textdist.Levenshtein(ns, nc)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := len(ns) / 3
	if limit < 2 {
		limit = 2
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// normalizeKey lower-cases s, turns camelCase humps and dashes into
// underscores, so clientId, client-id and CLIENT_ID all meet client_id.
func normalizeKey(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
			prevLower = false
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	return b.String()
}

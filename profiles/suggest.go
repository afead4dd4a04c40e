package profiles

import (
	"strings"
	"unicode"
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
		d := editDistance(ns, nc)
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

// editDistance is the Levenshtein distance of a and b (by rune).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

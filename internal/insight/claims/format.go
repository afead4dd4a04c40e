package claims

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// FormatValue renders a claim value for people: a time claim as local time
// in loc plus its distance from now ("in 53 min"), acr/azpacr codes with
// their meaning, lists joined with ", ", objects as compact JSON.
func FormatValue(name string, v any, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	if IsTimeClaim(name) {
		if t, ok := NumericDate(v); ok {
			return FormatTime(t, now, loc)
		}
	}
	switch name {
	case "azpacr", "appidacr":
		if s, ok := v.(string); ok {
			if m := clientAuthNames[s]; m != "" {
				return s + " (" + m + ")"
			}
		}
	case "pwd_exp":
		if n, ok := v.(json.Number); ok {
			if secs, err := n.Int64(); err == nil && secs >= 0 {
				return fmt.Sprintf("%s (in %s)", n, Relative(time.Duration(secs)*time.Second))
			}
		}
	}
	return formatAny(v)
}

var clientAuthNames = map[string]string{"0": "public client", "1": "client secret", "2": "certificate"}

func formatAny(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		// A list of plain values is joined; a list holding lists or
		// objects is shown as compact JSON, decided before anything is
		// formatted, so the work stays proportional to the value's size
		// however deeply it nests.
		for _, e := range x {
			switch e.(type) {
			case []any, map[string]any:
				return compactJSON(x)
			}
		}
		if len(x) == 0 {
			return "(none)"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatAny(e)
		}
		return strings.Join(parts, ", ")
	default:
		return compactJSON(x)
	}
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// FormatTime renders t as "2006-01-02 15:04:05 MST (in 53 min)".
func FormatTime(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST") + " (" + RelativeTo(t, now) + ")"
}

// RelativeTo says how far t is from now: "in 53 min", "2 h 5 min ago",
// "now".
func RelativeTo(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > -time.Second && d < time.Second:
		return "now"
	case d > 0:
		return "in " + Relative(d)
	default:
		return Relative(-d) + " ago"
	}
}

// Relative renders a positive duration coarsely: "42 s", "53 min",
// "2 h 5 min", "3 days 4 h".
func Relative(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		h := int(d / time.Hour)
		m := int((d % time.Hour) / time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	default:
		days := int(d / (24 * time.Hour))
		h := int((d % (24 * time.Hour)) / time.Hour)
		if h == 0 {
			return fmt.Sprintf("%d days", days)
		}
		return fmt.Sprintf("%d days %d h", days, h)
	}
}

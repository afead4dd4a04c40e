package httplog

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzRedactBody checks that any body from a server or a request is
// redacted without panicking, and that planted secrets never survive.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", `{"access_token":"abc","refresh_token":"def"}`, "planted-secret-1")
	f.Add("application/x-www-form-urlencoded", "client_id=x&client_secret=y", "planted-secret-2")
	f.Add("text/html", "<html>code=1</html>", "planted-secret-3")
	f.Add("", "", "planted")
	// Issue 16, item 11: the escaped body holds the plant's bytes ("%21"
	// + "0000000"), yet no value leaks: the check decodes before it looks.
	f.Add("text/plain", "!0000000", "10000000")
	f.Fuzz(func(t *testing.T, ct, body, plant string) {
		_ = RedactBody(ct, []byte(body))
		_ = RedactText(body)
		if len(plant) < 8 || strings.Contains(body, plant) {
			return
		}
		form := "x=" + url.QueryEscape(body) + "&refresh_token=" + url.QueryEscape(plant)
		if got := RedactForm(form); formLeaks(got, plant) {
			t.Fatalf("form kept the planted secret: %q", got)
		}
		doc, _ := json.Marshal(map[string]any{"other": body, "client_secret": plant})
		if got := RedactJSON(doc); jsonLeaks(got, plant) {
			t.Fatalf("JSON kept the planted secret: %q", got)
		}
	})
}

// formLeaks reports whether a value of the redacted form holds plant once
// decoded. A form that no longer parses is searched as text, decoded.
func formLeaks(redacted, plant string) bool {
	vals, err := url.ParseQuery(redacted)
	if err != nil {
		dec, derr := url.QueryUnescape(redacted)
		return derr != nil || strings.Contains(dec, plant)
	}
	for _, vs := range vals {
		for _, v := range vs {
			if strings.Contains(v, plant) {
				return true
			}
		}
	}
	return false
}

// jsonLeaks reports whether a string of the redacted JSON document holds
// plant once decoded (the other value is the body, which does not).
func jsonLeaks(redacted, plant string) bool {
	var doc map[string]any
	if err := json.Unmarshal([]byte(redacted), &doc); err != nil {
		return strings.Contains(redacted, plant)
	}
	for _, v := range doc {
		if s, ok := v.(string); ok && strings.Contains(s, plant) {
			return true
		}
	}
	return false
}

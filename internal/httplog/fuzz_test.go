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
	f.Fuzz(func(t *testing.T, ct, body, plant string) {
		_ = RedactBody(ct, []byte(body))
		_ = RedactText(body)
		if len(plant) < 8 || strings.Contains(body, plant) {
			return
		}
		form := "x=" + url.QueryEscape(body) + "&refresh_token=" + url.QueryEscape(plant)
		if got := RedactForm(form); strings.Contains(got, url.QueryEscape(plant)) {
			t.Fatalf("form kept the planted secret: %q", got)
		}
		doc, _ := json.Marshal(map[string]any{"other": body, "client_secret": plant})
		if got := RedactJSON(doc); strings.Contains(got, mustJSONString(plant)) {
			t.Fatalf("JSON kept the planted secret: %q", got)
		}
	})
}

func mustJSONString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

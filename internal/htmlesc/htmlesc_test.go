package htmlesc

import (
	"html/template"
	"strings"
	"testing"
)

// oracle is html/template itself, in the same contexts.
var oracle = template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p><title>{{.}}</title><a href="{{.}}">`))

func viaTemplate(t testing.TB, s string) string {
	t.Helper()
	var b strings.Builder
	if err := oracle.Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func viaHTMLEsc(s string) string {
	return `<p title="` + Text(s) + `">` + Text(s) + `</p><title>` + Text(s) + `</title><a href="` + URL(s) + `">`
}

var seeds = []string{
	"", "plain", `<script>alert("x")</script>`, "a&b+c'd\"e", "nul\x00byte", "bad utf-8 \xff\xfe end",
	"ünïcödé €", "https://127.0.0.1:53000/?code=a+b&state=c d", "javascript:alert(1)", "JAVASCRIPT:x", "mailto:a@b",
	"HTTP://X", "/relative/path?q=1#frag", "a/b:c", "%41%zz%4", "%", "100%", "data:,", "  spaced  ", "\u2028\ufdd0\uffff",
}

func TestMatchesHTMLTemplate(t *testing.T) {
	for _, s := range seeds {
		if got, want := viaHTMLEsc(s), viaTemplate(t, s); got != want {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func FuzzMatchesHTMLTemplate(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := viaHTMLEsc(s), viaTemplate(t, s); got != want {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

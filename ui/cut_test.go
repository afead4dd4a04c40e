package ui

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/claims"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestGoldensHaveNoCuts reads every golden screen and fails on a line
// that ends in a cut: an ellipsis at the window's edge, where a cut line
// ends. The profile list's rows are summaries (enter shows the profile in
// full) and may end so; nothing else may (explanations, fixes, codes and
// URLs are wrapped, never cut). A golden's width is its folder's name
// (80x24) or, for the few in testdata itself, the size its test uses.
func TestGoldensHaveNoCuts(t *testing.T) {
	topWidth := map[string]int{"TestProgramSecretSignIn.golden": 80, "TestTooSmall.golden": 40}
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".golden") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 100 {
		t.Fatalf("%d goldens: %v", len(files), err)
	}
	for _, f := range files {
		w, ok := topWidth[filepath.Base(f)]
		if filepath.Dir(f) != "testdata" {
			size := filepath.Base(filepath.Dir(f)) // 80x24
			w, err = strconv.Atoi(strings.Split(size, "x")[0])
			ok = err == nil
		}
		if !ok {
			t.Errorf("%s: no window width known for it: keep goldens in a WxH folder (or name its width here)", f)
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if cuts := cutLines(string(b), w, strings.HasPrefix(filepath.Base(f), "profiles")); len(cuts) > 0 {
			t.Errorf("%s ends lines in a cut:\n%s", f, strings.Join(cuts, "\n"))
		}
	}
}

// cutLines returns the lines of a w-cell-wide screen that end in a cut (an
// ellipsis at the edge); on a profile list (list) its rows may.
func cutLines(screen string, w int, list bool) []string {
	var cuts []string
	for i, l := range strings.Split(screen, "\n") {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if !strings.HasSuffix(l, "…") || ansi.StringWidth(l) < w-2 {
			continue
		}
		if list && (strings.HasPrefix(l, "   ") || strings.HasPrefix(l, " > ")) {
			continue
		}
		cuts = append(cuts, fmt.Sprintf("line %d: %q", i+1, l))
	}
	return cuts
}

func TestCutLines(t *testing.T) {
	const w = 40
	for _, tt := range []struct {
		name   string
		screen string
		list   bool
		cut    bool
	}{
		{"wrapped fix", " Fix: open App registrations › (app\n      4a2c1d3e) › Authentication", false, false},
		{"cut fix", " Fix: open App registrations › (app 4a2…", false, true},
		{"cut URL", " https://login.microsoftonline.com/8f0c…  ", false, true},
		{"ellipsis inside a short line", " ⣾ Signing in…", false, false},
		{"scroll marker", " … 3 more lines (↓ j, G end)", false, false},
		{"profile row", " > dev     device code  acme-dev on west…", true, false},
		{"profile list's other lines", " Fix: open App registrations › (app 4a2…", true, true},
	} {
		if got := len(cutLines(tt.screen, w, tt.list)) > 0; got != tt.cut {
			t.Errorf("%s: cut = %v, want %v", tt.name, got, tt.cut)
		}
	}
}

// TestNothingCutAtAnyWidth renders, at every width from the minimum to a
// wide window (and a window tall enough that nothing scrolls), the pages
// that explain: every claim's value and meaning, every check and its fix,
// the CDF answer, a refresh failure, and the explanations of Entra and
// network errors. Each text must be on the screen whole: in order, cut
// nowhere (whitespace aside, as wrapping changes only that).
func TestNothingCutAtAnyWidth(t *testing.T) {
	widths := []int{60, 61, 67, 73, 80, 89, 100, 117, 120, 133, 160}
	const h = 400
	for _, w := range widths {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			// The token of a profile whose checks fail (the long CDF URL
			// is not the token's audience), 12 groups, then an overage.
			for _, overage := range []bool{false, true} {
				d := newDriver(t, w, h, []profiles.Profile{prodProfile}, func(c *Config) { c.Inspect = fakeAccess })
				d.auth.groups, d.auth.overage = twelveGroups, overage
				d.waitFor("profiles", onScreen(scrProfiles))
				d.press("enter", "enter")
				d.waitFor("device", onScreen(scrDevice))
				d.auth.approve <- struct{}{}
				d.waitFor("token", onScreen(scrToken))
				tv := d.m.tokenPage()
				var want []string
				for _, f := range tv.findings {
					want = append(want, f.Message)
					if f.Fix != "" && f.Severity >= claims.SeverityWarn {
						want = append(want, tuiAdvice(f.Fix, tokenPageKeys))
					}
				}
				want = append(want, longCDFURL)
				requireWhole(t, d.view(), want, "overview")

				d.press("tab") // the access token's claims
				want = nil
				for _, c := range tv.access.tok.Explain(t0, t0.Location()) {
					want = append(want, c.Display, c.Meaning)
				}
				requireWhole(t, d.view(), want, "access token claims")
				d.press("v")
				requireWhole(t, d.view(), []string{"https://graph.windows.net/" + claimstest.TenantID + "/users/" + claimstest.UserOID + "/getMemberObjects"}[:boolInt(overage)], "raw JSON")
				d.press("v", "shift+tab", "shift+tab") // the CDF access tab
				d.waitFor("access", func(m *app) bool { return m.tokenPage().cdf != nil })
				a, _ := fakeAccess(context.Background(), profiles.Profile{}, nil)
				want = append([]string{}, a.Notes...)
				want = append(want, a.Capabilities...)
				for _, g := range a.Groups {
					want = append(want, g.Name+" "+g.SourceID)
				}
				requireWhole(t, d.view(), want, "CDF access")
			}

			// A refresh that fails, with nethint's fix.
			d := userToken(t, w, h)
			d.auth.silentErr = &flows.NetworkError{Op: "refresh", Err: unknownCAError("https://login.microsoftonline.com/" + claimstest.TenantID + "/oauth2/v2.0/token")}
			d.press("r")
			d.waitFor("failure", func(m *app) bool { return m.tokenPage().ref.failures == 1 })
			requireWhole(t, d.view(), []string{tuiAdvice(d.m.tokenPage().lastFix, tokenPageKeys)}, "refresh failure")

			// Errors: Entra's (with the catalogue's cause and fix) and the
			// network's.
			for _, err := range []error{
				entraErr("device code sign-in", "invalid_client", 7000218, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
				entraErr("device code sign-in", "invalid_resource", 500011, "AADSTS500011: The resource principal named "+longCDFURL+" was not found in the tenant."),
				entraErr("device code", "invalid_grant", 53003, "AADSTS53003: Access has been blocked by Conditional Access policies."),
				entraErr("device code", "temporarily_unavailable", 90033, "AADSTS90033: A transient error has occurred. Please try again."),
				&flows.NetworkError{Op: "device code sign-in", Err: unknownCAError("https://login.microsoftonline.com/" + claimstest.TenantID + "/oauth2/v2.0/devicecode")},
			} {
				d := newDriver(t, w, h, []profiles.Profile{prodProfile})
				d.auth.loginErr = err
				d.waitFor("profiles", onScreen(scrProfiles))
				d.press("enter", "enter")
				d.waitFor("error", onScreen(scrError))
				ev := d.m.errPage()
				ex := ev.ex
				requireWhole(t, d.view(), []string{ex.Title, tuiAdvice(ex.Cause, errorPageKeys), tuiAdvice(ex.Fix, errorPageKeys), firstLine(err.Error())}, "error "+ex.Title)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// requireWhole fails unless every text in want is on the screen v whole:
// all its words, in order, none cut. Other text may come between them (a
// meaning beside a value in a column layout), and whitespace may differ
// (wrapping; a URL block breaks at the window's edge with no space).
func requireWhole(t *testing.T, v string, want []string, what string) {
	t.Helper()
	if strings.Contains(v, "more lines (↓") {
		t.Fatalf("%s: the screen scrolls; make it taller:\n%s", what, v)
	}
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	screen := squash(v)
	for _, s := range want {
		at := 0
		for _, word := range strings.Fields(clean(s)) {
			i := strings.Index(screen[at:], word)
			if i < 0 {
				t.Errorf("%s: %q is not on the screen whole (from %q on)\n%s", what, s, word, v)
				break
			}
			at += i + len(word)
		}
	}
}

var _ = aadsts.Explanation{}

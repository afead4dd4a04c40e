package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/claims/claimstest"
	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
)

// FuzzOutsideText renders text from outside (Entra's device code and
// URLs, error descriptions, token claims, CDF group names, profile names)
// on every screen that shows it, and checks that nothing can reach the
// terminal as a control character or escape sequence and that no line is
// wider than the terminal.
func FuzzOutsideText(f *testing.F) {
	for _, s := range []string{
		"ABCD-EFGH", "https://microsoft.com/devicelogin", "Alice Example", "",
		"\x1b]52;c;ZXZpbA==\a", "\x1b[2J\x1b[H", "evil\x9b31m", "line\nbreak\rreturn\ttab",
		"日本語のグループ名", "e\u0301\u0301\u0301", strings.Repeat("W", 300), "\xff\xfe invalid utf-8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, plain := range []bool{true, false} {
			const w, h = 60, 20
			st := NewStyles(true, plain)
			now := func() time.Time { return t0 }
			c := &common{ctx: context.Background(), st: st, work: &sync.WaitGroup{}, termWidth: w + 2, termHeight: h + 3,
				cfg: Config{Now: now, RefreshLeeway: 5 * time.Minute, Demo: &DemoHooks{User: s}}}
			var views []string

			dv := newDeviceView(c, s, flows.DeviceCode{UserCode: s, VerificationURL: s, ExpiresAt: t0.Add(time.Minute)}, true)
			dv.SetSize(w, h)
			views = append(views, dv.View())

			bv := newBrowserView(c, s, s, true)
			bv.url, bv.failed = s, s
			bv.SetSize(w, h)
			views = append(views, bv.View())

			p := profiles.Profile{Name: s, Cluster: s, Project: s, Tenant: s, Flow: profiles.Flow(s)}
			ev := newErrorView(c, p, profiles.FlowDevice, s, errors.New(s), diagnosis.Explanation{Kind: diagnosis.Entra, Explanation: aadsts.Explanation{Title: s, Cause: s, Fix: s, Suggest: s}})
			ev.SetSize(w, h)
			views = append(views, ev.View())

			pl := newProfileList(c)
			pl.SetRows([]profileRow{{Profile: p, StateErr: errors.New(s)}})
			pl.SetSize(w, h)
			views = append(views, pl.View())

			tok := &flows.Tokens{Profile: s, Flow: profiles.FlowDevice, ExpiresOn: t0.Add(time.Hour),
				AccessToken: claimstest.Unsigned(map[string]any{"name": s, s: s, "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}),
				Account:     flows.Account{Name: s, Username: s, ObjectID: s, TenantID: s}}
			c.cfg.Inspect = func(context.Context, profiles.Profile, *flows.Tokens) (*Access, error) { return nil, nil }
			tv := newTokenView(c, p, tok)
			tv.SetSize(w, h)
			tv.Refreshed(nil, errors.New(s), false, s, s)
			tv.SetAccess(&Access{Subject: s, Projects: []string{s}, Capabilities: []string{s}, Groups: []GroupAccess{{Name: s, SourceID: s}}, Notes: []string{s}}, nil)
			for _, tab := range []tokenTab{tabOverview, tabAccess, tabCDF} {
				tv.tab = tab
				views = append(views, tv.View())
			}
			tv.tab, tv.raw = tabAccess, true
			views = append(views, tv.View())

			for _, v := range views {
				text := ansi.Strip(v)
				for _, r := range text {
					if r == '\n' {
						continue
					}
					if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
						t.Fatalf("control character %U reaches the terminal (plain=%v) from %q:\n%s", r, plain, s, text)
					}
				}
				for i, raw := range strings.Split(v, "\n") {
					l := ansi.Strip(raw)
					if plain && isURL(strings.TrimSpace(l)) {
						continue // plain output is a transcript: a URL is one line the terminal wraps
					}
					limit := w + 1 // a selected row's highlight reaches into the right margin
					if isLinkLine(raw) {
						limit = w + 2 // a block spans the window from column 0
					}
					if lw := ansi.StringWidth(l); lw > limit {
						t.Fatalf("line %d is %d wide, want ≤ %d (plain=%v) from %q: %q", i, lw, limit, plain, s, l)
					}
				}
			}
		}
	})
}

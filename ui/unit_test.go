package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cognite-tools/cdflogin/profiles"
)

func TestTickerIgnoresStaleAndForeignTicks(t *testing.T) {
	scheduled := 0
	after := func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { scheduled++; return nil }
	a := newTicker(1, time.Second, after)
	b := newTicker(2, time.Second, after)
	a.Start()
	first := a.Current()
	a.Start() // restarted: the first run's tick must not count
	b.Start()
	for _, tc := range []struct {
		name string
		msg  tea.Msg
		want bool
	}{
		{"tick of the earlier run", first, false},
		{"tick of another ticker", b.Current(), false},
		{"other message", tea.WindowSizeMsg{}, false},
		{"current tick", a.Current(), true},
	} {
		before := scheduled
		got, _ := a.Update(tc.msg)
		if got != tc.want {
			t.Errorf("%s: handled %v, want %v", tc.name, got, tc.want)
		}
		if tc.want && scheduled != before+1 {
			t.Errorf("%s: scheduled %d next ticks, want 1", tc.name, scheduled-before)
		}
		if !tc.want && scheduled != before {
			t.Errorf("%s: scheduled a tick for an ignored message", tc.name)
		}
	}
	// A tick that was handled is stale afterwards: no double chains.
	handled := tickMsg{ID: 1, Tag: a.tag - 1}
	if ok, _ := a.Update(handled); ok {
		t.Error("the same tick was handled twice")
	}
	a.Stop()
	if ok, _ := a.Update(a.Current()); ok {
		t.Error("a stopped ticker handled a tick")
	}
}

func TestHumanAndClock(t *testing.T) {
	for _, tc := range []struct {
		d            time.Duration
		human, clock string
	}{
		{0, "0 s", "0:00"},
		{35 * time.Second, "35 s", "0:35"},
		{42*time.Minute + 37*time.Second, "42 min", "42:37"},
		{time.Hour, "1 h", "1:00:00"},
		{time.Hour + 5*time.Minute + 9*time.Second, "1 h 5 min", "1:05:09"},
		{72 * time.Hour, "3 days", "72:00:00"},
		{-90 * time.Second, "1 min ago", "0:00"},
		{1500 * time.Millisecond, "1 s", "0:01"},
	} {
		if got := human(tc.d); got != tc.human {
			t.Errorf("human(%v) = %q, want %q", tc.d, got, tc.human)
		}
		if got := clock(tc.d); got != tc.clock {
			t.Errorf("clock(%v) = %q, want %q", tc.d, got, tc.clock)
		}
	}
}

func TestTextHelpers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\x1b[31mred", "a�[31mred"},
		{"tab\tnew\nline\r", "tab new line "},
		{"c1\u009bx", "c1�x"},
		{"bad\xffutf8", "bad�utf8"},
		{"日本 é", "日本 é"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := trunc("abcdefghij", 5); got != "abcd…" {
		t.Errorf("trunc = %q", got)
	}
	if got := trunc("abc", 5); got != "abc" {
		t.Errorf("trunc short = %q", got)
	}
	if got := clip("1\n2\n3\n4", 3); got != "1\n2\n…" {
		t.Errorf("clip = %q", got)
	}
	if got := scrollView(NewStyles(true, true), "a\nb\nc\nd\ne", 1, 3); got != "… 2 lines above (↑ k, g top)\nc\n… 2 more lines (↓ j, G end)\n" {
		t.Errorf("scrollView = %q", got)
	}
	if got := scrollView(NewStyles(true, true), "a\nb", 5, 3); got != "a\nb\n" {
		t.Errorf("scrollView past the end = %q", got)
	}
}

func TestAllowedFlows(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    profiles.Profile
		want string
	}{
		{"browser profile", profiles.Profile{Flow: profiles.FlowBrowser}, "browser,device"},
		{"device profile", profiles.Profile{Flow: profiles.FlowDevice}, "browser,device"},
		{"secret only", profiles.Profile{Flow: profiles.FlowSecret, ClientSecret: "env:X"}, "secret"},
		{"secret with a certificate too", profiles.Profile{Flow: profiles.FlowSecret, ClientSecret: "env:X", Certificate: "/c.pem"}, "secret,certificate"},
		{"certificate only", profiles.Profile{Flow: profiles.FlowCertificate, Certificate: "/c.pem"}, "certificate"},
		{"cognito browser: no device code", profiles.Profile{Provider: profiles.ProviderCognito, Flow: profiles.FlowBrowser}, "browser"},
		{"oidc browser", profiles.Profile{Provider: profiles.ProviderOIDC, Flow: profiles.FlowBrowser}, "browser,device"},
	} {
		var got []string
		for _, f := range allowedFlows(tc.p) {
			got = append(got, string(f))
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
}

// TestFlowPickerCognito: the flow page of a Cognito profile says why there
// is no device code and keeps the browser chosen even where no browser can
// open, at real widths.
func TestFlowPickerCognito(t *testing.T) {
	p := profiles.Profile{Name: "acme-cognito", Provider: profiles.ProviderCognito, ClientID: "4q1sandboxcognitopublic0a1",
		Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sandbox7Q", Flow: profiles.FlowBrowser, Project: "acme", Cluster: "westeurope-1"}
	for _, w := range []int{40, 80, 120} {
		c := &common{ctx: context.Background(), st: NewStyles(true, true), work: &sync.WaitGroup{}, termWidth: w, termHeight: 30,
			cfg: Config{Now: time.Now}}
		m := newFlowPicker(c, p, 0, false, "no display", "")
		m.SetSize(w-2, 28)
		if m.Selected().Flow != profiles.FlowBrowser {
			t.Errorf("width %d: %s chosen, want browser", w, m.Selected().Flow)
		}
		view := strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
		wants := []string{"Amazon Cognito has no device-code endpoint", "eu-west-1_Sandbox7Q", "callback URL http://localhost:53000"}
		if w >= 80 {
			wants = append(wants, "Issuer") // narrower, a long value takes the line of its label, as CDF's does
		}
		for _, want := range wants {
			if !strings.Contains(view, want) {
				t.Errorf("width %d: %q missing from\n%s", w, want, m.View())
			}
		}
		if strings.Contains(view, "Device code") || strings.Contains(view, "Tenant") {
			t.Errorf("width %d: a device-code choice or a tenant on a Cognito profile:\n%s", w, m.View())
		}
	}
}

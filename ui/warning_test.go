package ui

import (
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Warnings given while the program runs (Config.Warnings) show on the
// status line, each replacing the last, on whatever screen is open.
func TestWarningsShowOnTheStatusLine(t *testing.T) {
	warnings := make(chan string, 2)
	d := newDriver(t, 100, 30, []profiles.Profile{devProfile}, func(c *Config) { c.Warnings = warnings })
	d.waitFor("profiles", onScreen(scrProfiles))

	warnings <- `profile "dev" got a new token, but it is not kept for the next run: no space left on device`
	d.waitFor("the warning", func(m *app) bool { return strings.Contains(m.status, "not kept") })
	if !d.m.statusBad {
		t.Error("a warning is not shown as bad news")
	}
	d.requireView(`Warning: profile "dev" got a new token, but it is not kept`)

	// The program keeps listening: a second warning replaces the first.
	warnings <- "token cache of profile \"dev\" was unreadable\nsecond line"
	d.waitFor("the second warning", func(m *app) bool { return strings.Contains(m.status, "unreadable") })
	if v := d.view(); strings.Contains(v, "not kept") || strings.Contains(v, "\nsecond line") {
		t.Errorf("the status line is not the second warning, on one line:\n%s", v)
	}
}

// Without Config.Warnings nothing waits for warnings.
func TestNoWarningsChannel(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile})
	if cmd := d.m.nextWarning(); cmd != nil {
		t.Error("nextWarning waits on a nil channel")
	}
}

package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/profiles"
)

// BenchmarkTokenScreenView measures one frame of the live token screen:
// what the program computes every second while the screen sits open (the
// countdown moves). bench/idle.sh measures the whole idle process.
func BenchmarkTokenScreenView(b *testing.B) {
	for _, sc := range []struct {
		name string
		to   func(tb testing.TB, w, h int) *driver
	}{
		{"user-overview", func(tb testing.TB, w, h int) *driver { return userToken(tb, w, h) }},
		{"app-overview", func(tb testing.TB, w, h int) *driver {
			d := newDriver(tb, w, h, []profiles.Profile{secretProfile})
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("token", onScreen(scrToken))
			return d
		}},
		{"user-access-claims", func(tb testing.TB, w, h int) *driver {
			d := userToken(tb, w, h)
			d.press("tab")
			return d
		}},
	} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			b.Run(fmt.Sprintf("%s/%dx%d", sc.name, size[0], size[1]), func(b *testing.B) {
				d := sc.to(b, size[0], size[1])
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					d.clock.Add(time.Second)
					_ = d.m.View()
				}
			})
		}
	}
}

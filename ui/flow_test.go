package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
)

// onScreen waits until the app shows s.
func onScreen(s screen) func(*app) bool { return func(m *app) bool { return m.screen == s } }

func TestDevicePathToToken(t *testing.T) {
	approved := false
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile}, func(c *Config) {
		c.Demo = &DemoHooks{User: "alice", ApproveDeviceCode: nil}
	})
	d.m.cfg.Demo.ApproveDeviceCode = func(_ context.Context, code string) error {
		if code != "ABCD-EFGH" {
			t.Errorf("approved code %q", code)
		}
		approved = true
		d.auth.approve <- struct{}{}
		return nil
	}
	d.waitFor("profiles", onScreen(scrProfiles))
	d.requireView("dev", "robot", "device code", "none")
	d.press("enter")
	d.waitFor("flow picker", onScreen(scrFlow))
	d.requireView("> Device code")
	d.press("enter")
	d.waitFor("device code", onScreen(scrDevice))
	d.requireView("ABCD-EFGH", "https://microsoft.com/devicelogin", "expires in 15:00")
	d.tick(90 * time.Second)
	d.requireView("expires in 13:30")
	d.press("a")
	d.waitFor("token", onScreen(scrToken))
	if !approved {
		t.Fatal("the demo key did not approve")
	}
	d.requireView("Alice Example", "alice@contoso.example", "Valid 1:00:00", "refreshed 0×")
}

func TestQRToggle(t *testing.T) {
	d := newDriver(t, 80, 40, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("device code", onScreen(scrDevice))
	d.press("s")
	d.requireView("Scan to open https://microsoft.com/devicelogin", "▀")
	d.press("s")
	d.requireView("On any device, open", "ABCD-EFGH")
	d.press("s", "esc") // esc hides the code first
	if d.m.screen != scrDevice {
		t.Fatalf("esc on the QR code left the page")
	}
	d.requireView("On any device, open")
}

func TestCancelDeviceCode(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("device code", onScreen(scrDevice))
	d.press("esc")
	if d.m.screen != scrFlow {
		t.Fatalf("esc on device code: screen %v, want the flow picker", d.m.screen)
	}
	d.waitFor("the flow to see the cancellation", func(*app) bool { return d.auth.cancelCount() == 1 })
	d.requireView("Sign-in cancelled.")
}

func TestCtrlCQuitsAndCancels(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile profiles.Profile
		wait    screen
	}{
		{"device", devProfile, scrDevice},
		{"browser", browserProfile, scrBrowser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, 80, 24, []profiles.Profile{tc.profile})
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			d.waitFor("waiting screen", onScreen(tc.wait))
			d.press("ctrl+c")
			d.waitFor("quit", func(*app) bool { return d.quit })
			if !d.m.interrupted {
				t.Error("ctrl+c did not mark the run as interrupted")
			}
			d.m.wait(5 * time.Second)
			if d.auth.cancelCount() != 1 {
				t.Errorf("the flow saw %d cancellations, want 1", d.auth.cancelCount())
			}
		})
	}
}

func TestBrowserPath(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := "opens"
		if fail {
			name = "cannot-open"
		}
		t.Run(name, func(t *testing.T) {
			d := newDriver(t, 80, 24, []profiles.Profile{browserProfile})
			d.auth.browserFail = fail
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter")
			d.waitFor("flows", onScreen(scrFlow))
			d.requireView("> Browser (auth code + PKCE)")
			d.press("enter")
			d.waitFor("browser url", func(m *app) bool { return m.screen == scrBrowser && m.browserPage().url != "" })
			d.requireView("localhost:53000", "5:00 left", "https://login.microsoftonline.com/")
			if fail {
				d.requireView("The browser could not open (no DISPLAY).")
			}
			d.tick(time.Minute)
			d.requireView("4:00 left")
			d.auth.complete <- struct{}{}
			d.waitFor("token", onScreen(scrToken))
			d.requireView("Signed in", "Alice Example")
		})
	}
}

func TestCancelBrowser(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{browserProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("browser", onScreen(scrBrowser))
	d.press("esc")
	if d.m.screen != scrFlow {
		t.Fatalf("esc: screen %v, want flows", d.m.screen)
	}
	d.waitFor("cancellation", func(*app) bool { return d.auth.cancelCount() == 1 })
	// A late answer of the cancelled attempt must not move the screen.
	d.tick(time.Second)
	if d.m.screen != scrFlow {
		t.Fatalf("after cancel: screen %v", d.m.screen)
	}
}

func TestSecretPath(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{secretProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter")
	d.waitFor("flows", onScreen(scrFlow))
	d.requireView("> Client secret")
	if strings.Contains(d.view(), "Device code") {
		t.Error("an app profile offers the device code flow")
	}
	d.press("enter")
	d.waitFor("token", onScreen(scrToken))
	d.requireView("as the app itself (secret)", "Valid 1:00:00")
	if strings.Contains(d.view(), "ID token") {
		t.Error("an app token shows an ID token tab")
	}
}

func TestPlainModeHasNoAnimation(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile}, func(c *Config) { c.Accessible = true })
	d.waitFor("profiles", onScreen(scrProfiles))
	d.press("enter", "enter")
	d.waitFor("device", onScreen(scrDevice))
	if d.m.spinner.Running() {
		t.Error("the spinner runs in plain mode")
	}
	d.requireView("ABCD-EFGH", "The code expires at 14:15:00 UTC.")
	for _, f := range spinFrames {
		if strings.Contains(d.view(), f) {
			t.Errorf("spinner frame %q in plain mode", f)
		}
	}
	if v := d.m.View(); v.AltScreen {
		t.Error("plain mode uses the alternate screen")
	}
	d.auth.approve <- struct{}{}
	d.waitFor("token", onScreen(scrToken))
	d.requireView("Valid until 15:00:00 UTC", "[Overview]")
	d.tick(10 * time.Second)
	before := d.view()
	d.tick(10 * time.Second)
	d.tick(10 * time.Minute)
	if d.view() != before {
		t.Error("the plain token screen changed while idle")
	}
}

func TestStartProfile(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile, secretProfile}, func(c *Config) {
		c.StartProfile, c.StartFlow = "robot", profiles.FlowSecret
	})
	d.waitFor("token straight away", onScreen(scrToken))
	if got := d.auth.logins; len(got) != 1 || got[0] != profiles.FlowSecret {
		t.Fatalf("logins %v", got)
	}

	d = newDriver(t, 80, 24, []profiles.Profile{devProfile}, func(c *Config) { c.StartProfile = "nope" })
	d.waitFor("profiles", onScreen(scrProfiles))
	d.waitView(`Profile "nope": no profile named "nope"`)
}

func TestCancelAppSignIn(t *testing.T) {
	for _, key := range []string{"esc", "ctrl+c"} {
		t.Run(key, func(t *testing.T) {
			d := newDriver(t, 80, 24, []profiles.Profile{secretProfile})
			d.auth.blockApp = true
			d.waitFor("profiles", onScreen(scrProfiles))
			d.press("enter", "enter")
			if d.m.screen != scrWorking {
				t.Fatalf("screen %v, want the signing-in screen", d.m.screen)
			}
			d.requireView("Signing in as the app with its client secret…", "esc cancel")
			d.press(key)
			d.waitFor("the flow to see the cancellation", func(*app) bool { return d.auth.cancelCount() == 1 })
			if key == "esc" && d.m.screen != scrFlow {
				t.Errorf("esc: screen %v, want flows", d.m.screen)
			}
			if key == "ctrl+c" {
				d.waitFor("quit", func(*app) bool { return d.quit })
			}
		})
	}
}

func TestLeavingTheTokenScreenCancelsTheRefresh(t *testing.T) {
	d := signedIn(t, 80, 24)
	block := make(chan struct{})
	cancelled := make(chan struct{})
	d.m.cfg.Auth = blockingSilent{Auth: d.auth, block: block, cancelled: cancelled}
	d.press("r")
	d.press("esc")
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("leaving the token screen did not cancel the refresh")
	}
	d.waitFor("profiles", onScreen(scrProfiles))
	close(block)
}

// blockingSilent is an Auth whose Silent waits until its context ends.
type blockingSilent struct {
	Auth
	block, cancelled chan struct{}
}

func (b blockingSilent) Silent(ctx context.Context, _ profiles.Profile, _ flows.SilentOptions) (*flows.Tokens, error) {
	select {
	case <-ctx.Done():
		close(b.cancelled)
		return nil, ctx.Err()
	case <-b.block:
		return nil, errors.New("unblocked")
	}
}

func TestIdleTokenScreenRedrawsOncePerSecond(t *testing.T) {
	d := signedIn(t, 80, 24)
	var intervals []time.Duration
	d.m.setAfter(func(dt time.Duration, _ func(time.Time) tea.Msg) tea.Cmd {
		intervals = append(intervals, dt)
		return nil
	})
	d.m.clock.running = false // restart under the recording scheduler
	d.tick(time.Second)
	d.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	for range 5 {
		d.handle(d.m.clock.Current())
	}
	if d.m.spinner.Running() {
		t.Fatal("the spinner runs on an idle token screen")
	}
	// The clock redraws the countdown every second, and nothing more often.
	if len(intervals) == 0 {
		t.Fatal("no timer on the idle token screen: its countdown stands still")
	}
	seconds := 0
	for _, iv := range intervals {
		if iv < time.Second {
			t.Fatalf("a timer of %v on the idle token screen", iv)
		}
		if iv == time.Second {
			seconds++
		}
	}
	if seconds < 5 {
		t.Fatalf("timers %v on the idle token screen: want the clock's one second after each of its 5 ticks", intervals)
	}
	// While refreshing the spinner animates, and stops afterwards.
	d.press("r")
	if !d.m.spinner.Running() {
		t.Fatal("no spinner while refreshing")
	}
	d.waitFor("refresh", func(m *app) bool { return m.tokenPage().ref.count == 1 })
	if d.m.spinner.Running() {
		t.Fatal("the spinner keeps running after the refresh")
	}
}

func TestLightBackground(t *testing.T) {
	d := newDriver(t, 80, 24, []profiles.Profile{devProfile})
	d.waitFor("profiles", onScreen(scrProfiles))
	dark := d.m.View().Content
	d.handle(tea.BackgroundColorMsg{Color: color.White})
	if d.m.isDark {
		t.Fatal("a white background was taken as dark")
	}
	if light := d.m.View().Content; light == dark {
		t.Fatal("the styles did not change for a light background")
	}
	if ansi.Strip(d.m.View().Content) != ansi.Strip(dark) {
		t.Fatal("the text changed with the background")
	}
}

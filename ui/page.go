package ui

import (
	"context"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/cognite-tools/cdflogin/internal/insight/diagnosis"
	"github.com/cognite-tools/cdflogin/profiles"
)

// screen names a page of the program. Adding a page means its file and
// its name here; the app routes to whatever page is on screen.
type screen int

const (
	scrLoading screen = iota
	scrProfiles
	scrForm
	scrFlow
	scrWorking // signing in before (or without) a device code / browser
	scrDevice
	scrBrowser
	scrToken
	scrError
	scrWelcome
	scrImport
	scrChanges
	scrTenant
)

// page is one screen of the program, in the shape of a bubbles
// component: it owns its keys, its Update and its View. The app gives it
// the messages while it is on screen and carries out what it asks for.
type page interface {
	// Screen names the page.
	Screen() screen
	// Title is the page's part of the header line.
	Title() string
	// Update handles a message. It returns a command to run and, when the
	// person asked for something beyond the page (another page, a
	// sign-in, quitting), that request for the app (nil: none).
	Update(msg tea.Msg) (tea.Cmd, request)
	// View renders the page's body.
	View() string
	// KeyMap is the page's keys, for the help line and the ? help.
	KeyMap() help.KeyMap
	// SetSize gives the page the space between header and footer.
	SetSize(w, h int)
}

// Optional page behaviour the app asks for.
type (
	// textTaker is a page that can take text (a form, a filter): single
	// letters and ? then go to it, not to the global keys.
	textTaker interface{ TakesText() bool }
	// timed is a page that needs the 1 s clock (countdowns) or the
	// spinner (something in progress).
	timed interface {
		NeedsClock() bool
		Busy() bool
	}
	// leaver is a page that stops its work when another page replaces it.
	leaver interface{ Leave() }
	// statusKeeper is a page whose keys leave the status line alone
	// (the sign-in pages, whose status tells what the browser did).
	statusKeeper interface{ KeepsStatus() bool }
	// cover is a page shown over another whose work goes on beneath it
	// (the token page's refreshes under its Changes): moving between the
	// two stops nothing.
	cover interface{ Covers(p page) bool }
)

// covering reports whether a is a cover of b or b of a.
func covering(a, b page) bool {
	if c, ok := a.(cover); ok && c.Covers(b) {
		return true
	}
	c, ok := b.(cover)
	return ok && c.Covers(a)
}

// secondMsg is the 1 s clock, given to the page on screen.
type secondMsg struct{}

// common is what every page shares with the app: the run's
// configuration, styles and clock, and the work group that Run waits for.
// Pages hold a pointer, so a new background colour restyles them all.
type common struct {
	ctx        context.Context
	cfg        Config
	st         Styles
	keys       KeyMap
	work       *sync.WaitGroup
	serial     int  // source of page serial numbers
	termWidth  int  // the terminal's width, for blocks drawn from column 0
	termHeight int  // the terminal's height
	osc52      bool // the terminal said it takes OSC 52 copies
	// held are the tokens of this run by profile, each with what changed
	// from the one before it (the token page's Changes).
	held map[string]*heldTokens
}

// now is the run's clock.
func (c *common) now() time.Time { return c.cfg.Now() }

// demoUser is the sandbox user of the demo keys, or "".
func (c *common) demoUser() string {
	if c.cfg.Demo == nil {
		return ""
	}
	return c.cfg.Demo.User
}

// nextSerial numbers a page, so that answers to an earlier page's work
// are told apart from its own.
func (c *common) nextSerial() int {
	c.serial++
	return c.serial
}

// goWork runs fn as a command counted in the work group.
func (c *common) goWork(fn func() tea.Msg) tea.Cmd {
	wg := c.work
	wg.Add(1)
	return func() tea.Msg {
		defer wg.Done()
		return fn()
	}
}

// explain explains a sign-in, refresh or CDF error of profile p with
// flow through the one diagnosis seam, with the same input the command
// line gives it (cmdutil.FlowError), so that a failure reads the same
// everywhere; the program then gives the command line's advice as its
// keys (tuiAdvice).
func explain(err error, p profiles.Profile, flow profiles.Flow) diagnosis.Explanation {
	return diagnosis.Explain(diagnosis.Input{Err: err, Profile: p, Flow: flow})
}

// request is what a page asks the app to do; the types follow.
type request any

type (
	// reqProfiles goes back to the profile list (reloading it).
	reqProfiles struct{}
	// reqNewProfile opens the New profile form.
	reqNewProfile struct{}
	// reqEditProfile opens the Edit profile form; back is where it returns.
	reqEditProfile struct {
		p    profiles.Profile
		back screen
	}
	// reqDeleteProfile deletes a profile (confirmed).
	reqDeleteProfile struct{ name string }
	// reqSaveProfile stores the submitted form.
	reqSaveProfile struct {
		vals    formValues
		editing string
		back    screen
	}
	// reqFormCancelled leaves the form without saving.
	reqFormCancelled struct{}
	// reqChooseFlow opens the Flow page of p, want preselected.
	reqChooseFlow struct {
		p    profiles.Profile
		want profiles.Flow
	}
	// reqSignIn signs in with p and flow.
	reqSignIn struct {
		p    profiles.Profile
		flow profiles.Flow
	}
	// reqUseCached shows p's cached sign-in.
	reqUseCached struct{ p profiles.Profile }
	// reqCancelSignIn stops the sign-in in progress.
	reqCancelSignIn struct{}
	// reqOpen opens a URL in the browser.
	reqOpen struct{ url string }
	// reqDemoApprove approves a device code as the sandbox user.
	reqDemoApprove struct{ code string }
	// reqDemoComplete completes a browser sign-in as the sandbox user.
	reqDemoComplete struct{ url string }
	// reqWelcome shows the welcome page (the ways to start).
	reqWelcome struct{}
	// reqImport opens the import page.
	reqImport struct{}
	// reqImported goes to the imported profile.
	reqImported struct {
		path string
		res  Imported
	}
	// reqTryDemo ends the program so that the demo starts.
	reqTryDemo struct{}
	// reqDemoGroups changes the sandbox user's groups (demo).
	reqDemoGroups struct{}
	// reqShow puts a page that is still alive back on screen (the token
	// page, from its Changes).
	reqShow struct{ p page }
)

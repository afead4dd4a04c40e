//go:build unix

package e2e_test

// Helpers of the real-browser test (chromium_test.go): starting Debian's
// Chromium with chromedp, a tab that records console errors and CSP
// violations through the DevTools protocol, the checks every page a person
// sees must pass, its screenshots, and the two openers through which
// cdflogin hands the sign-in URL to the test's browser.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cognite-tools/cdflogin/sandbox"
)

// stepTimeout bounds each browser step (a click, a page load, a check);
// the whole test has its own bound on top.
const stepTimeout = 30 * time.Second

// The two sizes every page is captured and checked at.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1280, 800, false},
	{"phone", 390, 844, true},
}

// screensDir is where the captures are committed, for the docs.
const screensDir = "../docs/screens"

// updateScreensEnv=1 makes the test write its captures to screensDir.
const updateScreensEnv = "CDFLOGIN_UPDATE_SCREENS"

// findChromium returns Debian's chromium. Without it the test is skipped
// with a message saying how to install it, except under CI=true, where
// .ci/chromium.sh installs it and its absence is a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const how = "install Debian's chromium package (apt-get install chromium; CI runs .ci/chromium.sh)"
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not on PATH but CI=true: the real-browser sign-in test must run in CI; " + how)
	}
	t.Skip("chromium is not installed, so the real-browser sign-in test cannot run: " + how)
	return ""
}

// browser is one headless Chromium for the whole test; each scenario uses
// tabs of it.
type browser struct {
	t       *testing.T
	ctx     context.Context // the browser's first tab; its children are new tabs
	output  *syncBuffer     // what Chromium printed, shown when a step fails
	spki    string          // the sandbox certificate's key, trusted by this browser only
	dataDir string          // the profile folder chromedp made; every Chromium process names it
	shots   *screens
}

// startChromium starts headless Chromium with the flags this machine
// needs offline (no background networking, no QUIC, no component update,
// a fresh profile folder that chromedp creates and removes) and trust in
// the sandbox's TLS certificate only (its key pinned with
// --ignore-certificate-errors-spki-list, never a blanket
// --ignore-certificate-errors). It ends when the test does, and the
// cleanup checks that none of its processes are left.
func startChromium(t *testing.T, parent context.Context, sb *sandbox.Sandbox) *browser {
	t.Helper()
	exe := findChromium(t)
	b := &browser{t: t, output: &syncBuffer{}, spki: serverSPKI(t, sb), shots: &screens{}}
	// Chromium writes crash reports and certificate stores under HOME:
	// give it one of its own, removed after Chromium has ended.
	home := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("ignore-certificate-errors-spki-list", b.spki),
		chromedp.WindowSize(1280, 800),
		chromedp.Env("LANGUAGE=en-US", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache")),
		chromedp.CombinedOutput(b.output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for Chromium to exit and removes its profile folder
		if b.dataDir == "" {
			return
		}
		if left := processesNaming("--user-data-dir=" + b.dataDir); len(left) > 0 {
			t.Errorf("Chromium processes left after the test: %v", left)
		}
		if _, err := os.Stat(b.dataDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Chromium's profile folder is left after the test (%v)", err)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v\nChromium said:\n%s", exe, err, b.said())
	}
	b.ctx = ctx
	if c := chromedp.FromContext(ctx); c != nil && c.Browser != nil && c.Browser.Process() != nil {
		b.dataDir = userDataDir(c.Browser.Process().Pid)
	}
	if b.dataDir == "" {
		t.Fatal("cannot tell Chromium's profile folder from its command line")
	}
	return b
}

// userDataDir reads --user-data-dir from a process's command line.
func userDataDir(pid int) string {
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return ""
	}
	for arg := range bytes.SplitSeq(cmdline, []byte{0}) {
		if dir, ok := strings.CutPrefix(string(arg), "--user-data-dir="); ok {
			return dir
		}
	}
	return ""
}

// said is the end of what Chromium printed, without the noise of a
// machine with no D-Bus and no GPU.
func (b *browser) said() string {
	var keep []string
	for _, l := range strings.Split(b.output.String(), "\n") {
		if strings.Contains(l, "dbus") || strings.Contains(l, "vkCreateInstance") || strings.Contains(l, "VulkanError") || strings.TrimSpace(l) == "" {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) > 20 {
		keep = keep[len(keep)-20:]
	}
	return strings.Join(keep, "\n")
}

// serverSPKI is the base64 SHA-256 of the public key of the sandbox's TLS
// certificate, as Chromium's --ignore-certificate-errors-spki-list wants.
func serverSPKI(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(sb.BaseURL(), "https://"), &tls.Config{RootCAs: sb.CertPool(), MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS to the sandbox: %v", err)
	}
	defer func() { _ = conn.Close() }()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// processesNaming lists the processes whose command line has arg in it,
// whatever their parent.
func processesNaming(arg string) []string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		// Chromium rewrites its processes' titles, and with them the NUL
		// separators of cmdline: look for the text.
		if err != nil || !bytes.Contains(cmdline, []byte(arg)) {
			continue
		}
		out = append(out, e.Name())
	}
	return out
}

// tab is one browser tab with what its pages reported: console errors,
// uncaught exceptions, and Content-Security-Policy violations.
type tab struct {
	t   *testing.T
	b   *browser
	ctx context.Context

	mu       sync.Mutex
	problems []string
	seen     int // problems already reported by a check
}

// newTab opens a tab and starts recording. Listen, not Events: the
// listener runs in the tab's own message loop, so every event Chromium
// sent before the answer to a later command has been recorded when that
// command returns.
func (b *browser) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	tb := &tab{t: t, b: b, ctx: ctx}
	// The first action on a tab's context binds the tab's life to the
	// context it is given: the tab's own, never a step's timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v\nChromium said:\n%s", err, b.said())
	}
	if err := chromedp.Listen(ctx, tb.record); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, audits.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the Audits domain (CSP issues): %v", err)
	}
	return tb
}

// record runs in the tab's message loop: it only appends.
func (tb *tab) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			p = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		p = "uncaught exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			p += " " + ev.ExceptionDetails.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p = fmt.Sprintf("console error (%s) %s: %s", ev.Entry.Source, redactQuery(ev.Entry.URL), ev.Entry.Text)
		}
	case *audits.EventIssueAdded:
		if d := ev.Issue.Details; ev.Issue.Code == audits.InspectorIssueCodeContentSecurityPolicyIssue && d != nil && d.ContentSecurityPolicyIssueDetails != nil {
			c := d.ContentSecurityPolicyIssueDetails
			p = fmt.Sprintf("CSP violation: %s blocked %q (%s)", c.ViolatedDirective, c.BlockedURL, c.ContentSecurityPolicyViolationType)
		}
	}
	if p != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, p)
		tb.mu.Unlock()
	}
}

// newProblems returns the problems recorded since the last call.
func (tb *tab) newProblems() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := slices.Clone(tb.problems[tb.seen:])
	tb.seen = len(tb.problems)
	return p
}

// stepCtx bounds one step.
func (tb *tab) stepCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, stepTimeout)
}

// do runs browser actions, failing the test with Chromium's output.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v (at %s)\nChromium said:\n%s", what, err, tb.where(), tb.b.said())
	}
}

// eval evaluates a JavaScript expression in the page.
func evalIn[T any](tb *tab, what, expr string) T {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: %v (at %s)", what, err, tb.where())
	}
	return v
}

// where is the tab's URL without its query (it may hold a code), for
// messages.
func (tb *tab) where() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown URL)"
	}
	return redactQuery(u)
}

func redactQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// location is the tab's URL.
func (tb *tab) location() string {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx()
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("read the tab's URL: %v", err)
	}
	return u
}

// open navigates to u as a person pasting it would and waits for the load.
func (tb *tab) open(u string) {
	tb.t.Helper()
	tb.do("open "+redactQuery(u), chromedp.Navigate(u))
}

// expectLoad runs trigger (a click) and waits until a page whose URL
// starts with urlPrefix has loaded: redirects and the form_post page's
// automatic POST come in between.
func (tb *tab) expectLoad(what, urlPrefix string, trigger chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx()
	defer cancel()
	loads := chromedp.Events(ctx, page.LoadEventFired)
	if err := chromedp.Do(ctx, trigger); err != nil {
		tb.t.Fatalf("%s: %v (at %s)", what, err, tb.where())
	}
	for _, err := range loads {
		if err != nil {
			tb.t.Fatalf("%s: no page under %s loaded: %v (at %s)\nthe tab reported: %q\nChromium said:\n%s",
				what, urlPrefix, err, tb.where(), tb.newProblems(), tb.b.said())
		}
		// The page may already be leaving (form_post submits itself).
		u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && strings.HasPrefix(u, urlPrefix) {
			return
		}
	}
	tb.t.Fatalf("%s: the tab's load events ended before a page under %s loaded (at %s)", what, urlPrefix, tb.where())
}

// typeInto clicks a text field, empties it and types text, key by key.
func (tb *tab) typeInto(id, text string) {
	tb.t.Helper()
	tb.do("type into #"+id, chromedp.Click(chromedp.ID(id)), chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
}

// pageWant is what a page a person sees must be.
type pageWant struct {
	// shot names the screenshots (docs/screens/<shot>-desktop.png and
	// -phone.png); empty: checked, not captured.
	shot  string
	title string
	// says are sentences the page must show, in its visible text.
	says []string
}

// layoutReport is what the page says about its layout at one size.
type layoutReport struct {
	ClientWidth int      `json:"clientWidth"`
	ScrollWidth int      `json:"scrollWidth"`
	Overflowing []string `json:"overflowing"`
	MinFontPx   float64  `json:"minFontPx"`
	Text        string   `json:"text"`
}

// layoutJS measures the page: the document's widths, every element whose
// content is wider than its box or that sticks out of the viewport, the
// smallest font of any visible text, and the visible text.
const layoutJS = `(() => {
  const de = document.documentElement, vw = de.clientWidth, out = [];
  let minFont = 1000;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "");
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || (r.width === 0 && r.height === 0)) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) out.push(name(el) + " spans " + Math.round(r.left) + ".." + Math.round(r.right) + " of " + vw);
    if (!["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.push(name(el) + " content " + el.scrollWidth + " wide in a box of " + el.clientWidth);
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== "");
    if (ownText) minFont = Math.min(minFont, parseFloat(cs.fontSize));
  }
  return {clientWidth: vw, scrollWidth: de.scrollWidth, overflowing: out, minFontPx: minFont, text: document.body.innerText};
})()`

// checkPage checks the loaded page at both sizes: its title, its words,
// no horizontal overflow, readable fonts, the page laid out for the
// phone's width (a viewport meta tag), no console errors or CSP violations;
// and captures it.
func (tb *tab) checkPage(w pageWant) {
	tb.t.Helper()
	if got := evalIn[string](tb, "read the title", "document.title"); got != w.title {
		tb.t.Errorf("title %q, want %q (at %s)", got, w.title, tb.where())
	}
	var desktop, phone []byte
	for _, vp := range viewports {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		tb.do("resize to "+vp.name, chromedp.EmulateViewport(vp.width, vp.height, opts...))
		r := evalIn[layoutReport](tb, "measure the layout", layoutJS)
		where := fmt.Sprintf("%q at %s %dx%d", w.title, vp.name, vp.width, vp.height)
		if int64(r.ClientWidth) != vp.width {
			tb.t.Errorf("%s: the page is laid out %dpx wide, not for the screen (viewport meta tag?)", where, r.ClientWidth)
		}
		if r.ScrollWidth > r.ClientWidth {
			tb.t.Errorf("%s: the page scrolls sideways (%d > %d)", where, r.ScrollWidth, r.ClientWidth)
		}
		for _, o := range r.Overflowing {
			tb.t.Errorf("%s: %s", where, o)
		}
		if r.MinFontPx < 12 {
			tb.t.Errorf("%s: text as small as %.1fpx", where, r.MinFontPx)
		}
		text := strings.Join(strings.Fields(r.Text), " ")
		for _, s := range w.says {
			if !strings.Contains(text, s) {
				tb.t.Errorf("%s does not say %q; it says:\n%s", where, s, text)
			}
		}
		shot := tb.screenshot(vp.width, vp.height)
		if vp.mobile {
			phone = shot
		} else {
			desktop = shot
		}
	}
	tb.do("back to the desktop size", chromedp.EmulateViewport(viewports[0].width, viewports[0].height))
	for _, p := range tb.newProblems() {
		tb.t.Errorf("%q: %s", w.title, p)
	}
	if w.shot != "" {
		tb.b.shots.add(w.shot, desktop, phone)
	}
}

// screenshot captures the viewport and checks its size.
func (tb *tab) screenshot(width, height int64) []byte {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx()
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.t.Fatalf("screenshot is no PNG: %v", err)
	}
	if s := img.Bounds().Size(); int64(s.X) != width || int64(s.Y) != height {
		tb.t.Fatalf("screenshot is %v, want %dx%d", s, width, height)
	}
	return b
}

// finish checks the problems recorded after the last page check (late
// console errors such as a failed icon request).
func (tb *tab) finish() {
	tb.t.Helper()
	_ = evalIn[int](tb, "sync with the tab", "1") // every earlier event is recorded now
	for _, p := range tb.newProblems() {
		tb.t.Errorf("after the last check: %s", p)
	}
}

// screens are the captures of a run, by name.
type screens struct {
	mu   sync.Mutex
	shot map[string][2][]byte // desktop, phone
}

func (s *screens) add(name string, desktop, phone []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shot == nil {
		s.shot = map[string][2][]byte{}
	}
	s.shot[name] = [2][]byte{desktop, phone}
}

// save writes the captures to screensDir when CDFLOGIN_UPDATE_SCREENS=1;
// otherwise it checks that each is committed there (PNG, right size), so
// that the docs show every page the test knows.
func (s *screens) save(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	update := os.Getenv(updateScreensEnv) == "1"
	for name, pair := range s.shot {
		for i, vp := range viewports {
			file := filepath.Join(screensDir, name+"-"+vp.name+".png")
			if update {
				if err := os.MkdirAll(screensDir, 0o755); err != nil {
					t.Fatal(err)
				}
				small, err := recompress(pair[i])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, small, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			f, err := os.Open(file)
			if err != nil {
				t.Errorf("%s is not committed: run the test with %s=1 and commit docs/screens", file, updateScreensEnv)
				continue
			}
			cfg, err := png.DecodeConfig(bufio.NewReader(f))
			_ = f.Close()
			if err != nil || int64(cfg.Width) != vp.width || int64(cfg.Height) != vp.height {
				t.Errorf("%s: not a %dx%d PNG (%v, %dx%d)", file, vp.width, vp.height, err, cfg.Width, cfg.Height)
			}
		}
	}
}

// recompress re-encodes a capture with the best compression.
func recompress(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, paletted(img)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// paletted turns a capture into a paletted image when it has at most 256
// colours (flat pages do), which PNG stores in a fraction of the bytes.
func paletted(img image.Image) image.Image {
	b := img.Bounds()
	index := map[[4]uint32]uint8{}
	var pal []color4
	p := image.NewPaletted(b, nil)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			k := [4]uint32{r, g, bl, a}
			i, ok := index[k]
			if !ok {
				if len(pal) == 256 {
					return img
				}
				i = uint8(len(pal))
				index[k] = i
				pal = append(pal, color4(k))
			}
			p.SetColorIndex(x, y, i)
		}
	}
	for _, c := range pal {
		p.Palette = append(p.Palette, c)
	}
	return p
}

// color4 is a colour as RGBA() returned it.
type color4 [4]uint32

func (c color4) RGBA() (r, g, b, a uint32) { return c[0], c[1], c[2], c[3] }

// syncBuffer is a writer read while others write to it; changed is
// signalled after every write, so that a reader can wait for new output
// without polling.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) signal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	return s.changed
}

// waitFor blocks until the output contains text, the program ends (done)
// or ctx ends.
func (s *syncBuffer) waitFor(ctx context.Context, t *testing.T, text string, done <-chan error) {
	t.Helper()
	for !strings.Contains(s.String(), text) {
		select {
		case <-s.signal():
		case err := <-done:
			t.Fatalf("the program ended (%v) before showing %q; it showed:\n%s", err, text, s.String())
		case <-ctx.Done():
			t.Fatalf("waiting for %q: %v; the output is:\n%s", text, ctx.Err(), s.String())
		}
	}
}

// fifoBrowser is a BROWSER command for the cdflogin binary: a script that
// writes the URL it is given into a named pipe the test reads, and the
// test opens that URL in Chromium. It is how a person's browser gets the
// URL too: cdflogin runs $BROWSER with it.
type fifoBrowser struct {
	script string
	fifo   string
}

func newFIFOBrowser(t *testing.T) *fifoBrowser {
	t.Helper()
	dir := t.TempDir()
	f := &fifoBrowser{script: filepath.Join(dir, "open-in-test-chromium"), fifo: filepath.Join(dir, "urls")}
	if err := syscall.Mkfifo(f.fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	script := "#!/bin/sh\n# The test's browser: hands the URL to the test, which opens it in Chromium.\nprintf '%s\\n' \"$1\" > \"$CDFLOGIN_E2E_URL_FIFO\"\n"
	if err := os.WriteFile(f.script, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return f
}

// env is what the cdflogin process needs to use this browser.
func (f *fifoBrowser) env() []string {
	return []string{"BROWSER=" + f.script, "CDFLOGIN_E2E_URL_FIFO=" + f.fifo}
}

// next returns a channel that receives the next URL opened; start it
// before cdflogin runs. When ctx ends first, the pipe is unblocked and the
// channel is closed.
func (f *fifoBrowser) next(ctx context.Context) <-chan string {
	ch := make(chan string, 1)
	go func() {
		defer close(ch)
		file, err := os.OpenFile(f.fifo, os.O_RDONLY, 0) // blocks until the script opens it
		if err != nil {
			return
		}
		defer func() { _ = file.Close() }()
		line, err := bufio.NewReader(file).ReadString('\n')
		if err == nil {
			ch <- strings.TrimSpace(line)
		}
	}()
	context.AfterFunc(ctx, func() {
		// A writer that opens and closes at once ends a reader still
		// waiting in open, so the goroutine above returns.
		if w, err := os.OpenFile(f.fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = w.Close()
		}
	})
	return ch
}

// opened waits for the URL cdflogin opened.
func opened(ctx context.Context, t *testing.T, urls <-chan string) string {
	t.Helper()
	select {
	case u, ok := <-urls:
		if !ok || u == "" {
			t.Fatalf("cdflogin opened no URL: %v", ctx.Err())
		}
		return u
	case <-ctx.Done():
		t.Fatalf("cdflogin opened no URL: %v", ctx.Err())
	}
	return ""
}

// chanBrowser is an injected opener (cmdutil.Browser): Open hands the URL
// to the test.
type chanBrowser struct{ urls chan string }

func newChanBrowser() *chanBrowser { return &chanBrowser{urls: make(chan string, 4)} }

func (c *chanBrowser) Open(u string) error {
	select {
	case c.urls <- u:
		return nil
	default:
		return errors.New("test browser: too many URLs opened")
	}
}

func (c *chanBrowser) CanOpen() (bool, string) { return true, "" }

// gateTransport holds the code redemption (POST …/token with
// grant_type=authorization_code) until open is called, so that a test can
// act while the loopback listener is still up.
type gateTransport struct {
	base       http.RoundTripper
	held       chan struct{} // closed when a redemption arrives
	gate       chan struct{} // closed by open
	heldOnce   sync.Once
	openedOnce sync.Once
}

func newGateTransport(base http.RoundTripper) *gateTransport {
	return &gateTransport{base: base, held: make(chan struct{}), gate: make(chan struct{})}
}

func (g *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(body)
			_ = body.Close()
			if strings.Contains(b.String(), "grant_type=authorization_code") {
				g.heldOnce.Do(func() { close(g.held) })
				select {
				case <-g.gate:
				case <-req.Context().Done():
					return nil, context.Cause(req.Context())
				}
			}
		}
	}
	return g.base.RoundTrip(req)
}

func (g *gateTransport) open() { g.openedOnce.Do(func() { close(g.gate) }) }

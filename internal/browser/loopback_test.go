package browser_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/internal/browser"
	"github.com/cognite-tools/cdflogin/internal/loopback"
)

// TestOpenReachesLoopback opens the redirect URL with a real command
// (curl standing in for the browser, through BROWSER) and checks that the
// loopback listener gets the answer: "localhost" resolves to whichever of
// 127.0.0.1 and ::1 the system prefers, and both are served.
func TestOpenReachesLoopback(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	l, err := loopback.Listen(t.Context(), loopback.Config{State: "st", FindProcess: loopback.NoProcessLookup})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	o := browser.New(func(k string) string {
		if k == "BROWSER" {
			return "curl -fsS --noproxy * -o /dev/null %s"
		}
		return ""
	})
	o.Run = browser.ExecRunner{Grace: 20 * time.Second}.Run
	if err := o.Open(l.RedirectURI() + "/?code=from-browser&state=st"); err != nil {
		t.Fatalf("Open: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // safety net
	defer cancel()
	res, err := l.Wait(ctx)
	if err != nil || res.Code != "from-browser" {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
}

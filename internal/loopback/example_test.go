package loopback_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cognite-tools/cdflogin/internal/loopback"
)

// The browser flow: listen first, build the authorize URL with the
// listener's redirect URI and the same state, open the browser, wait, and
// redeem the code with the same redirect URI.
func ExampleListen() {
	ctx := context.Background()
	l, err := loopback.Listen(ctx, loopback.Config{Port: 53000, State: "random-state", Timeout: 5 * time.Minute})
	if err != nil {
		fmt.Println(err) // *loopback.PortInUseError names the port, the process and the ways out
		return
	}
	defer l.Close()
	redirectURI := l.RedirectURI() // "http://localhost:53000": send it on both legs
	_ = redirectURI
	// … open the authorize URL (with state=random-state) in the browser …
	res, err := l.Wait(ctx) // *aadsts.Error (Source "redirect"), *loopback.TimeoutError, or ctx's error
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = res.Code // redeem with AcquireTokenByAuthCode(ctx, res.Code, redirectURI, scopes, WithChallenge(verifier))
}

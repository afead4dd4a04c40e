// Package cmdtest holds test support for the commands that must not be
// linked into the binary (it imports net/http/httptest). Only _test.go
// files import it.
package cmdtest

import (
	"net/http"
	"net/http/httptest"
)

// HandlerTransport is an http.RoundTripper for tests of the commands: it
// serves each request with Handler, in process, without a network.
type HandlerTransport struct {
	Handler http.Handler
}

// RoundTrip implements http.RoundTripper.
func (t HandlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.Handler.ServeHTTP(rec, r)
	return rec.Result(), nil
}

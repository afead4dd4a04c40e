package loopback

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzCallback feeds raw HTTP requests to the listener's handler and
// checks its promises: no panic; a code is only accepted with the exact
// state, on "/", with a localhost Host; and no input with HTML
// metacharacters is ever reflected in a page.
func FuzzCallback(f *testing.F) {
	for _, s := range []string{
		"GET /?code=abc&state=" + testState + " HTTP/1.1\r\nHost: localhost:53000\r\n\r\n",
		"GET /favicon.ico HTTP/1.1\r\nHost: localhost:53000\r\n\r\n",
		"GET /?code=abc&state=wrong HTTP/1.1\r\nHost: 127.0.0.1:53000\r\n\r\n",
		"GET /?error=access_denied&error_description=%3Cscript%3E&state=" + testState + " HTTP/1.1\r\nHost: [::1]:53000\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: localhost:53000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 33\r\n\r\ncode=xyz&state=" + testState + "\r\n",
		"GET /?code=abc&state=" + testState + " HTTP/1.1\r\nHost: evil.example:53000\r\n\r\n",
		"DELETE / HTTP/1.1\r\nHost: localhost:53000\r\n\r\n",
		"GET /?code=abc&state=" + testState + "&iss=https%3A%2F%2Fissuer.example%2Fv2.0 HTTP/1.1\r\nHost: localhost:53000\r\n\r\n",
		"GET /?code=abc&state=" + testState + "&iss=https%3A%2F%2Fevil.example HTTP/1.1\r\nHost: localhost:53000\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		// Read the parameters the way an attacker would hope they are
		// read, before the handler consumes the body.
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(req.Body, maxForm))
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		h := newHandler(53000, testState)
		// Half the inputs meet a listener that requires an issuer (RFC
		// 9207), chosen by the input so a failure reproduces.
		requireIss := len(raw)%2 == 0
		if requireIss {
			h.issuer = fuzzIssuer
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if h.isAnswered() {
			select {
			case <-h.done:
			default:
				t.Fatal("answered but Wait not woken")
			}
			if !h.hosts[strings.ToLower(req.Host)] {
				t.Fatalf("accepted an answer for Host %q", req.Host)
			}
			if req.URL.Path != "/" && req.URL.Path != "" {
				t.Fatalf("accepted an answer on path %q", req.URL.Path)
			}
			if h.err == nil {
				params := req.URL.Query()
				if req.Method == http.MethodPost {
					params = req.PostForm
				}
				if params.Get("state") != testState || h.result.Code == "" || h.result.Code != params.Get("code") {
					t.Fatalf("accepted code %q with params %v", h.result.Code, params)
				}
				if requireIss && (len(params["iss"]) != 1 || params.Get("iss") != fuzzIssuer) {
					t.Fatalf("accepted code %q with iss %q, want exactly %q", h.result.Code, params["iss"], fuzzIssuer)
				}
			}
		}
		page := rec.Body.String()
		values := collect(req.URL.RawQuery)
		values = append(values, collect(string(body))...)
		values = append(values, req.URL.Path)
		for _, v := range values {
			if len(v) >= 3 && strings.ContainsAny(v, `<>"'&`) && strings.Contains(page, v) {
				t.Fatalf("page reflects %q", v)
			}
		}
	})
}

// fuzzIssuer is the issuer FuzzCallback's listener requires for half the
// inputs.
const fuzzIssuer = "https://issuer.example/v2.0"

func collect(raw string) []string {
	var out []string
	v, _ := url.ParseQuery(raw)
	for k, vs := range v {
		out = append(out, k)
		out = append(out, vs...)
	}
	return out
}

package httplog

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxBody is how much of a body a trace shows; the rest is summarised.
const MaxBody = 16 << 10

// Transport is an http.RoundTripper that writes a redacted trace of every
// exchange to Out. Bodies are read and handed on unchanged.
type Transport struct {
	// Base does the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Out receives the trace; each exchange is written in one Write per
	// direction.
	Out io.Writer
	// Now is the clock for durations; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
}

// New returns a Transport tracing base's exchanges to out.
func New(base http.RoundTripper, out io.Writer) *Transport {
	return &Transport{Base: base, Out: out}
}

// Wrap returns a copy of client whose transport traces to out; a nil
// client stands for http.DefaultClient.
func Wrap(client *http.Client, out io.Writer) *http.Client {
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	c.Transport = New(c.Transport, out)
	return c
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// RoundTrip traces req, does it with Base, and traces the answer.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body for the trace: %w", err)
		}
		reqBody = data
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(data))
		clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		req = clone
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, RedactURL(req.URL))
	writeHeaderAndBody(&b, req.Header, reqBody)
	t.write(b.String())

	start := t.now()
	resp, err := t.base().RoundTrip(req)
	elapsed := t.now().Sub(start).Round(time.Millisecond)
	b.Reset()
	if err != nil {
		fmt.Fprintf(&b, "< %s %s: error after %v: %s\n\n", req.Method, RedactURL(req.URL), elapsed, RedactText(err.Error()))
		t.write(b.String())
		return nil, err
	}
	var respBody []byte
	if resp.Body != nil {
		data, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		respBody = data
		resp.Body = io.NopCloser(bytes.NewReader(data))
		if rerr != nil {
			// Hand the reader error on to the caller after the data read.
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{rerr}))
		}
	}
	fmt.Fprintf(&b, "< %s (%v) %s %s\n", resp.Status, elapsed, req.Method, RedactURL(req.URL))
	writeHeaderAndBody(&b, resp.Header, respBody)
	t.write(b.String())
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func writeHeaderAndBody(b *strings.Builder, h http.Header, body []byte) {
	for _, line := range RedactHeader(h) {
		b.WriteString("  ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if len(body) > 0 {
		text := RedactBody(h.Get("Content-Type"), body)
		more := ""
		if len(text) > MaxBody {
			more = fmt.Sprintf(" … (%d more bytes)", len(text)-MaxBody)
			text = text[:MaxBody]
		}
		b.WriteString("  ")
		b.WriteString(strings.ReplaceAll(strings.TrimRight(text, "\r\n"), "\n", "\n  "))
		b.WriteString(more)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}

func (t *Transport) write(s string) {
	if t.Out == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.Out, s)
}

// Unwrap returns the transport the trace wraps (never nil), so that code
// adjusting a client's *http.Transport (extra CA, proxy) can reach it.
func (t *Transport) Unwrap() http.RoundTripper { return t.base() }

// Rewrap returns a Transport that traces base to the same output, for use
// after the wrapped transport was adjusted: t.Rewrap(adjusted(t.Unwrap())).
func (t *Transport) Rewrap(base http.RoundTripper) http.RoundTripper {
	return &Transport{Base: base, Out: t.Out, Now: t.Now}
}

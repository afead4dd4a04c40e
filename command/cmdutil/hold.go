package cmdutil

import (
	"bytes"
	"io"
	"sync"
)

// HoldableWriter passes writes through to W, except while it is held:
// then it keeps them and writes them out on Release. The interactive
// program holds stderr while it owns the screen, so warnings, diagnostics
// and the --verbose trace appear after it rather than over it.
type HoldableWriter struct {
	W io.Writer

	mu   sync.Mutex
	held int
	buf  bytes.Buffer
}

// Write writes p through, or keeps it while held.
func (h *HoldableWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held > 0 {
		return h.buf.Write(p)
	}
	return h.W.Write(p)
}

// Hold starts keeping writes back.
func (h *HoldableWriter) Hold() {
	h.mu.Lock()
	h.held++
	h.mu.Unlock()
}

// Release ends one Hold; when none is left, what was kept is written out.
func (h *HoldableWriter) Release() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held == 0 {
		return nil
	}
	h.held--
	if h.held > 0 || h.buf.Len() == 0 {
		return nil
	}
	_, err := h.W.Write(h.buf.Bytes())
	h.buf.Reset()
	return err
}

// Fd is the descriptor of W when it has one, so that terminal and colour
// detection see through the wrapper.
func (h *HoldableWriter) Fd() uintptr {
	if f, ok := h.W.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// HoldErr keeps stderr writes back until the returned release is called
// (a no-op when ErrOut cannot be held).
func (s *IOStreams) HoldErr() (release func()) {
	h, ok := s.ErrOut.(*HoldableWriter)
	if !ok {
		return func() {}
	}
	h.Hold()
	return func() { _ = h.Release() }
}

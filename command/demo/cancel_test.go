package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestCtrlCReleasesTheLoopbackPort runs the real program and the real
// browser flow against the sandbox, presses ctrl+c while it waits for the
// redirect, and checks that the port is free once Run returns.
func TestCtrlCReleasesTheLoopbackPort(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{DeviceInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Close() }()
	dir := t.TempDir()
	env, err := Setup(sb, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.Store.Get("sandbox-browser")
	if err != nil {
		t.Fatal(err)
	}
	svc := flows.New(flows.Deps{HTTPClient: sb.HTTPClient(), Now: time.Now, Secret: env.Secret,
		OpenBrowser: func(string) error { return errors.New("no browser in tests") },
		CacheDir:    filepath.Join(dir, "cache")})

	inR, inW := io.Pipe()
	out := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- ui.Run(ctx, ui.Config{Store: env.Store, Auth: svc, In: inR, Out: out, Width: 100, Height: 30,
			Getenv: func(string) string { return "" }, StartProfile: p.Name})
	}()
	waitOut := func(s string) {
		for !strings.Contains(out.String(), s) {
			select {
			case <-ctx.Done():
				t.Fatalf("waiting for %q; output:\n%s", s, out.String())
			case err := <-done:
				t.Fatalf("the program ended (%v) before %q", err, s)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitOut(fmt.Sprintf("localhost:%d", p.Port()))
	if l, err := net.Listen("tcp", fmt.Sprintf("localhost:%d", p.Port())); err == nil {
		_ = l.Close()
		t.Fatal("the loopback port is free while the program waits for the redirect")
	}
	if _, err := inW.Write([]byte("\x03")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ui.ErrCancelled) {
			t.Fatalf("Run: %v, want cancelled", err)
		}
	case <-ctx.Done():
		t.Fatal("ctrl+c did not end the program")
	}
	_ = inW.Close()
	l, err := net.Listen("tcp", fmt.Sprintf("localhost:%d", p.Port()))
	if err != nil {
		t.Fatalf("the loopback port is still taken after ctrl+c: %v", err)
	}
	_ = l.Close()
}

package main

// Go benchmarks of the in-process work behind the process-level numbers of
// runbench: a warm `token` minus process start is flows.Service.Silent on
// a cached token; the TUI's first frame minus process start is ui.Run up
// to the first frame with the profile list.
//
//	go test ./bench/internal/runbench -run '^$' -bench . -benchtime 50x

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

// benchEnv is a sandbox, a profiles file and a flows.Service with the
// secret profile signed in.
func benchEnv(b *testing.B) (*sandbox.Sandbox, *profiles.Store, *flows.Service, profiles.Profile) {
	b.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sb.Close() })
	dir := b.TempDir()
	p := profiles.Profile{
		Name: "app", Tenant: sb.World().TenantID, ClientID: sandbox.SecretAppID, Cluster: "westeurope-1",
		Project: sandbox.ProjectName, Flow: profiles.FlowSecret, ClientSecret: "env:APP_SECRET",
		Authority: sb.AuthorityURL(), CDFURL: sb.CDFURL(),
	}
	store := profiles.NewStore(filepath.Join(dir, "profiles.yaml"))
	if err := store.Add(p); err != nil {
		b.Fatal(err)
	}
	svc := flows.New(flows.Deps{
		HTTPClient: sb.HTTPClient(),
		Now:        time.Now,
		CacheDir:   filepath.Join(dir, "cache"),
		Secret: func(profiles.Profile, string) (string, error) {
			return sandbox.SecretAppSecret, nil
		},
	})
	if _, err := svc.Login(context.Background(), p, "", nil); err != nil {
		b.Fatal(err)
	}
	return sb, store, svc, p
}

// BenchmarkSilentWarm is `cdflogin token` on a warm cache without the
// process: read and parse the cache file under its lock, pick the token.
func BenchmarkSilentWarm(b *testing.B) {
	sb, _, svc, p := benchEnv(b)
	sb.ResetRequests()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok, err := svc.Silent(ctx, p, flows.SilentOptions{})
		if err != nil || tok.AccessToken == "" {
			b.Fatalf("Silent: %v", err)
		}
	}
	b.StopTimer()
	if n := len(sb.Requests()); n != 0 {
		b.Fatalf("a warm Silent made %d requests", n)
	}
}

// BenchmarkFirstFrame is ui.Run until the profile list has been written.
func BenchmarkFirstFrame(b *testing.B) {
	_, store, svc, _ := benchEnv(b)
	getenv := func(k string) string {
		if k == "TERM" {
			return "xterm-256color"
		}
		return ""
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out := &frameWatcher{want: []string{"app", "secret"}, seen: make(chan struct{})}
		inR, inW := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- ui.Run(ctx, ui.Config{Store: store, Auth: svc, In: inR, Out: out, Width: 100, Height: 30, Getenv: getenv})
		}()
		select {
		case <-out.seen:
		case err := <-done:
			b.Fatalf("ui.Run ended before the first frame: %v", err)
		case <-ctx.Done():
			b.Fatal("no first frame within 30 s")
		}
		b.StopTimer()
		cancel()
		_ = inW.Close()
		<-done
		b.StartTimer()
	}
}

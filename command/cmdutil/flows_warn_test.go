package cmdutil_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// The flows' warnings reach stderr without --verbose; diagnostics do not.
func TestFlowsWarningsOnStderr(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{name: "corrupted cache moved aside", content: "{not json", mode: 0o600, want: "moved it to"},
		{name: "cache others could read", content: "{}", mode: 0o644, want: "could be read by other users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mode != 0o600 && runtime.GOOS == "windows" {
				t.Skip("Unix file modes")
			}
			dir := filepath.Join(t.TempDir(), "cache")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tokencache.FileName("dev"))
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			var stderr, stdout bytes.Buffer
			var diagnostics []string
			f := &cmdutil.Factory{
				IO:     &cmdutil.IOStreams{Out: &stdout, ErrOut: &stderr},
				Getenv: func(string) string { return "" },
				Paths:  func() (cmdutil.Paths, error) { return cmdutil.Paths{CacheDir: dir}, nil },
				Logf:   func(format string, args ...any) { diagnostics = append(diagnostics, format) },
			}
			svc, err := cmdutil.Service(f)
			if err != nil {
				t.Fatal(err)
			}
			p := profiles.Profile{Name: "dev", Flow: profiles.FlowSecret, ClientID: "c", Tenant: "t", Cluster: "westeurope-1"}
			if _, err := svc.Cached(p); err != nil {
				t.Fatal(err)
			}
			got := stderr.String()
			if !strings.HasPrefix(got, "Warning: ") || !strings.Contains(got, tt.want) || !strings.Contains(got, path) || !strings.HasSuffix(got, "\n") {
				t.Errorf("stderr = %q, want a warning line saying %q about %s", got, tt.want, path)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q", stdout.String())
			}
			for _, d := range diagnostics {
				if strings.Contains(d, "moved it") || strings.Contains(d, "other users") {
					t.Errorf("the warning went to the diagnostics too: %q", d)
				}
			}
		})
	}
}

// Without streams (a Factory built by hand) warnings are dropped, not a
// crash.
func TestFlowsWarningsWithoutStreams(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, tokencache.FileName("dev")), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &cmdutil.Factory{Paths: func() (cmdutil.Paths, error) { return cmdutil.Paths{CacheDir: dir}, nil }}
	svc, err := cmdutil.Service(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cached(profiles.Profile{Name: "dev", Flow: profiles.FlowSecret, ClientID: "c", Tenant: "t", Cluster: "westeurope-1"}); err != nil {
		t.Fatal(err)
	}
}

package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

func TestRunRootNeedsATerminal(t *testing.T) {
	f := &cmdutil.Factory{
		IO:     &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		Getenv: func(string) string { return "" },
	}
	cmd := &cobra.Command{}
	AddFlags(cmd)
	err := RunRoot(cmd, f)
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "cdflogin token -p NAME") {
		t.Fatalf("err %v, want a usage error pointing at the script commands", err)
	}
}

func TestConfigWiresTheRun(t *testing.T) {
	home := t.TempDir()
	f := &cmdutil.Factory{
		IO:     &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		Getenv: func(k string) string { return map[string]string{"CDFLOGIN_HOME": home, "SSH_TTY": "/dev/pts/3"}[k] },
		Now:    time.Now,
	}
	cfg, err := Config(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store == nil || cfg.Auth == nil || cfg.Inspect == nil || cfg.CanOpenBrowser == nil {
		t.Fatalf("incomplete config: %+v", cfg)
	}
	// No Browser in the Factory: nothing may be started, and the program
	// is told why.
	if ok, reason := cfg.CanOpenBrowser(); ok || !strings.Contains(reason, "no browser opener") {
		t.Errorf("CanOpenBrowser without a Browser: %v %q", ok, reason)
	}
	if cfg.SaveSecret != nil {
		t.Error("SaveSecret without a keyring")
	}
	ps, err := cfg.Store.List()
	if err != nil || len(ps) != 0 {
		t.Errorf("empty home: %v %v", ps, err)
	}
}

// Deleting a profile in the program removes its token cache file and its
// keyring secret, not only its entry in profiles.yaml.
func TestConfigForgetClearsCacheAndKeyring(t *testing.T) {
	home := t.TempDir()
	ring := secrets.NewMemory()
	f := &cmdutil.Factory{
		IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		Getenv:  func(k string) string { return map[string]string{"CDFLOGIN_HOME": home}[k] },
		Now:     time.Now,
		Keyring: ring,
	}
	cfg, err := Config(f)
	if err != nil {
		t.Fatal(err)
	}
	p := profiles.Profile{Name: "ci", Flow: profiles.FlowSecret, ClientSecret: profiles.RefKeyring}
	item := secrets.Item(p.Name, secrets.FieldClientSecret)
	if err := ring.Set(secrets.Service, item, "s3cret"); err != nil {
		t.Fatal(err)
	}
	svc, err := cmdutil.Service(f)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := svc.CachePath(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cache), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cache, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg.Forget == nil {
		t.Fatal("Config has no Forget: deleting a profile would leave its tokens and secrets behind")
	}
	if err := cfg.Forget(p); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Errorf("token cache still there after Forget: %v", err)
	}
	if _, err := ring.Get(secrets.Service, item); err == nil {
		t.Error("keyring secret still there after Forget")
	}
}

// A warning the flows give while the program runs reaches its status line
// (Config.Warnings) and is still printed on stderr, where the run holds it
// until the program ends.
func TestConfigGivesTheProgramTheWarnings(t *testing.T) {
	home := t.TempDir()
	var stderr bytes.Buffer
	f := &cmdutil.Factory{
		IO:     &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &stderr},
		Getenv: func(k string) string { return map[string]string{"CDFLOGIN_HOME": home}[k] },
		Now:    time.Now,
	}
	cfg, err := Config(f)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := f.ResolvePaths()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(paths.CacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(paths.CacheDir, tokencache.FileName("dev"))
	if err := os.WriteFile(cache, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := profiles.Profile{Name: "dev", Flow: profiles.FlowSecret, ClientID: "c", Tenant: "t", Cluster: "westeurope-1"}
	if _, err := cfg.Auth.Cached(p); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-cfg.Warnings:
		if !strings.Contains(w, "moved it to") || strings.HasPrefix(w, "Warning:") {
			t.Errorf("program's warning = %q, want the message without its prefix", w)
		}
	default:
		t.Fatal("the program was not given the warning")
	}
	if !strings.Contains(stderr.String(), "Warning: ") || !strings.Contains(stderr.String(), "moved it to") {
		t.Errorf("stderr = %q, want the warning there too", stderr.String())
	}
}

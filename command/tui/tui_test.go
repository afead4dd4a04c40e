package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/cmdutil"
	"github.com/cognite-tools/cdflogin/command/cmdshared"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/secrets"
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
	svc, err := cmdshared.Flows(f)
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

package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/cmdutil"
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
	if ok, reason := cfg.CanOpenBrowser(); ok || !strings.Contains(reason, "SSH") {
		t.Errorf("CanOpenBrowser in an SSH session: %v %q", ok, reason)
	}
	if cfg.SaveSecret != nil {
		t.Error("SaveSecret without a keyring")
	}
	ps, err := cfg.Store.List()
	if err != nil || len(ps) != 0 {
		t.Errorf("empty home: %v %v", ps, err)
	}
}

package login

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/command/internal/cmdtest"
	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// TestLoginChecksTheCacheFirst: a sign-in a person waits for (device
// code, browser; plain or in the interactive program) is not started when
// the token cache cannot be saved: login fails (exit 1) at once with the
// words of the not-kept warning and the command to run again, and no
// flow runs. App sign-ins are not checked and go on; a writable cache
// lets every sign-in start.
func TestLoginChecksTheCacheFirst(t *testing.T) {
	readOnly := &tokencache.NotWritableError{Path: "/ro/cache/dev.msal.json", Blocked: "/ro/cache", Mount: "/ro",
		Err: &os.PathError{Op: "open", Path: "/ro/cache/.dev.msal.json.tmp-1", Err: syscall.EROFS}}
	full := &tokencache.DiskFullError{Path: "/full/cache/dev.msal.json", Mount: "/full",
		Err: &os.PathError{Op: "write", Path: "/full/cache/.dev.msal.json.tmp-1", Err: syscall.ENOSPC}}
	tests := []struct {
		name        string
		flow        profiles.Flow
		interactive bool
		cacheErr    error
		wantCheck   bool
		wantErr     error // the cause in the chain; nil: the sign-in starts
	}{
		{"device, read-only", profiles.FlowDevice, false, readOnly, true, syscall.EROFS},
		{"browser, disk full", profiles.FlowBrowser, false, full, true, syscall.ENOSPC},
		{"interactive device, read-only", profiles.FlowDevice, true, readOnly, true, syscall.EROFS},
		{"interactive browser, disk full", profiles.FlowBrowser, true, full, true, syscall.ENOSPC},
		{"device, writable", profiles.FlowDevice, false, nil, true, nil},
		{"interactive browser, writable", profiles.FlowBrowser, true, nil, true, nil},
		{"secret, read-only: not checked", profiles.FlowSecret, false, readOnly, false, nil},
		{"certificate, disk full: not checked", profiles.FlowCertificate, false, full, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			var checked []string
			var interactive []profiles.Flow
			var flowsOpened int
			fake := &cmdtest.FakeFlows{LoginTokens: userTokens(tt.flow)}
			opts := &Options{
				IO:      &cmdutil.IOStreams{Out: &out, ErrOut: &errOut, InTTY: tt.interactive, OutTTY: tt.interactive, ErrTTY: tt.interactive},
				Now:     func() time.Time { return now },
				Profile: func(string) (profiles.Profile, error) { return devProfile, nil },
				Flows: func() (cmdutil.Flows, error) {
					flowsOpened++
					return fake, nil
				},
				Interactive: func(ctx context.Context, p profiles.Profile, flow profiles.Flow) error {
					interactive = append(interactive, flow)
					return nil
				},
				CacheWritable: func(p profiles.Profile) error {
					checked = append(checked, p.Name)
					return tt.cacheErr
				},
				Flow: string(tt.flow),
			}
			err := Run(context.Background(), opts)
			if got := len(checked) == 1 && checked[0] == "dev"; got != tt.wantCheck {
				t.Errorf("checked %q, want a check of profile dev: %v", checked, tt.wantCheck)
			}
			started := len(fake.LoginCalls) + len(interactive)
			if tt.wantErr == nil {
				if err != nil || started != 1 {
					t.Fatalf("err %v, %d sign-ins started; want one, and success", err, started)
				}
				return
			}
			if started != 0 || flowsOpened != 0 {
				t.Errorf("a sign-in started (plain %v, interactive %v, flows opened %d) though its tokens could not be kept", fake.LoginCalls, interactive, flowsOpened)
			}
			if !errors.Is(err, tt.wantErr) || cmdutil.ExitCode(err) != cmdutil.ExitError {
				t.Fatalf("err %v (exit %d), want %v in the chain and exit %d", err, cmdutil.ExitCode(err), tt.wantErr, cmdutil.ExitError)
			}
			for _, w := range []string{`profile "dev"`, "no sign-in started", tt.cacheErr.Error(), "then run cdflogin login -p dev again"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q:\n%v", w, err)
				}
			}
			if out.Len() != 0 || errOut.Len() != 0 {
				t.Errorf("output before the error: stdout %q, stderr %q", out.String(), errOut.String())
			}
		})
	}
}

// TestCacheWritableWiring: the real check runs on the run's cache folder:
// it creates a missing one, and reports one that cannot be created.
func TestCacheWritableWiring(t *testing.T) {
	root := t.TempDir()
	blocker := filepath.Join(root, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cacheDir string
		wantErr  bool
	}{
		{"missing folder", filepath.Join(root, "new", "cache"), false},
		{"a file in the way", filepath.Join(blocker, "cache"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			f := &cmdutil.Factory{
				IO:    &cmdutil.IOStreams{ErrOut: &errOut},
				Now:   func() time.Time { return now },
				Paths: func() (cmdutil.Paths, error) { return cmdutil.Paths{CacheDir: tt.cacheDir}, nil },
			}
			err := cacheWritable(f, devProfile)
			var fe *tokencache.FolderError
			if tt.wantErr {
				if !errors.As(err, &fe) || fe.Blocker != blocker {
					t.Errorf("err %v, want a *tokencache.FolderError naming %s", err, blocker)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info, err := os.Stat(tt.cacheDir); err != nil || !info.IsDir() {
				t.Errorf("the cache folder was not created: %v", err)
			}
			if _, err := os.Stat(filepath.Join(tt.cacheDir, tokencache.FileName("dev"))); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the check made a cache file: %v", err)
			}
		})
	}
}

package root

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
)

func TestDebugFlagsTraceRedacted(t *testing.T) {
	const secretToken = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig-value-secret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+secretToken+`","refresh_token":"rt-secret-value"}`)
	}))
	defer srv.Close()

	tests := []struct {
		name       string
		args       []string
		wantStderr bool
		wantFile   bool
	}{
		{"off", nil, false, false},
		{"verbose", []string{"--verbose"}, true, false},
		{"debug log", []string{"--debug-log", "LOG"}, false, true},
		{"both", []string{"--verbose", "--debug-log", "LOG"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "debug.log")
			var stderr bytes.Buffer
			f := &cmdutil.Factory{
				IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &stderr},
				Getenv:  func(string) string { return "" },
				Now:     func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
				Version: "test",
			}
			cmd := &cobra.Command{Use: "cdflogin"}
			addDebugFlags(cmd, f)
			ran := false
			cmd.AddCommand(&cobra.Command{Use: "probe", RunE: func(c *cobra.Command, _ []string) error {
				ran = true
				client := f.HTTPClient
				if client == nil {
					client = http.DefaultClient
				}
				resp, err := client.Post(srv.URL+"/token", "application/x-www-form-urlencoded",
					strings.NewReader("client_secret=cs-secret-value&grant_type=client_credentials"))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), secretToken) {
					t.Errorf("the caller must get the body unchanged: %s", body)
				}
				if f.Logf != nil {
					f.Logf("refreshed with refresh_token=%s", "rt-secret-value")
				}
				return nil
			}})
			args := append([]string{"probe"}, tt.args...)
			for i, a := range args {
				if a == "LOG" {
					args[i] = logPath
				}
			}
			cmd.SetArgs(args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if !ran {
				t.Fatal("probe did not run")
			}
			if tt.wantStderr != strings.Contains(stderr.String(), "> POST "+srv.URL+"/token") {
				t.Errorf("stderr trace = %v, want %v:\n%s", !tt.wantStderr, tt.wantStderr, stderr.String())
			}
			data, err := os.ReadFile(logPath)
			if tt.wantFile != (err == nil) {
				t.Fatalf("log file exists = %v, want %v", err == nil, tt.wantFile)
			}
			if tt.wantFile {
				info, _ := os.Stat(logPath)
				if info.Mode().Perm() != 0o600 {
					t.Errorf("log file mode %v, want 0600", info.Mode().Perm())
				}
				for _, want := range []string{"# cdflogin test: 2026-11-28T12:00:00Z", "< 200 OK", "grant_type=client_credentials", "cdflogin: refreshed with refresh_token=REDACTED("} {
					if !strings.Contains(string(data), want) {
						t.Errorf("log lacks %q:\n%s", want, data)
					}
				}
			}
			for _, out := range []string{stderr.String(), string(data)} {
				for _, s := range []string{secretToken, "rt-secret-value", "cs-secret-value"} {
					if strings.Contains(out, s) {
						t.Errorf("a secret leaked: %q in\n%s", s, out)
					}
				}
			}
		})
	}
}

func TestDebugLogRefusesADirectory(t *testing.T) {
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{ErrOut: io.Discard}, Version: "test"}
	cmd := &cobra.Command{Use: "cdflogin"}
	addDebugFlags(cmd, f)
	cmd.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }})
	cmd.SetArgs([]string{"probe", "--debug-log", t.TempDir()})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("err %v, want a usage error", err)
	}
}

func TestDebugLogTightensMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "open.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newLogFile(path, func(error) {}); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
}

// TestDebugFlagsKeepATimeout: the traced client that stands in for a nil
// Factory.HTTPClient keeps the 60 s bound the flows give a nil client; an
// injected client keeps its own timeout.
func TestDebugFlagsKeepATimeout(t *testing.T) {
	tests := []struct {
		name string
		base *http.Client
		want time.Duration
	}{
		{"nil client", nil, 60 * time.Second},
		{"injected client", &http.Client{Timeout: 7 * time.Second}, 7 * time.Second},
	}
	for _, tt := range tests {
		for _, flag := range [][]string{{"--verbose"}, {"--debug-log", filepath.Join(t.TempDir(), "d.log")}} {
			t.Run(tt.name+" "+flag[0], func(t *testing.T) {
				f := &cmdutil.Factory{IO: &cmdutil.IOStreams{ErrOut: io.Discard}, Version: "test", HTTPClient: tt.base}
				cmd := &cobra.Command{Use: "cdflogin"}
				addDebugFlags(cmd, f)
				cmd.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }})
				cmd.SetArgs(append([]string{"probe"}, flag...))
				if err := cmd.Execute(); err != nil {
					t.Fatal(err)
				}
				if f.HTTPClient == nil || f.HTTPClient.Timeout != tt.want {
					t.Fatalf("traced client timeout = %v, want %v", f.HTTPClient.Timeout, tt.want)
				}
			})
		}
	}
}

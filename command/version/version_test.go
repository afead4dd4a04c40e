package version

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/internal/buildinfo"
)

var release = buildinfo.Info{
	Version:   "1.4.0",
	Commit:    "0123456789abcdef0123456789abcdef01234567",
	Date:      "2026-12-01T10:00:00Z",
	Source:    buildinfo.SourceRelease,
	GoVersion: "go1.26.8",
	Platform:  "windows/arm64",
}

func factory(out io.Writer) *cmdutil.Factory {
	return &cmdutil.Factory{
		IO:      &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.Discard},
		Version: release.Version,
		Build:   release,
	}
}

func TestVersionText(t *testing.T) {
	var out bytes.Buffer
	cmd := NewCmd(factory(&out))
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := "cdflogin 1.4.0\ncommit:   0123456789abcdef0123456789abcdef01234567\ndate:     2026-12-01T10:00:00Z\nbuilt by: go1.26.8 windows/arm64\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestVersionJSON(t *testing.T) {
	var out bytes.Buffer
	cmd := NewCmd(factory(&out))
	cmd.SetArgs([]string{"--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	want := map[string]any{
		"version": "1.4.0", "commit": release.Commit, "date": release.Date, "modified": false,
		"source": "release", "go": "go1.26.8", "platform": "windows/arm64",
	}
	if len(got) != len(want) {
		t.Errorf("keys: got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// TestVersionFlag: --version and -v on the root print what the version
// command prints, even when the version text holds template delimiters.
func TestVersionFlag(t *testing.T) {
	for _, v := range []string{"1.4.0", "1.4.0-{{.Name}}"} {
		for _, flag := range []string{"--version", "-v"} {
			var out bytes.Buffer
			f := factory(&out)
			f.Build.Version = v
			root := &cobra.Command{Use: "cdflogin", Run: func(*cobra.Command, []string) {}}
			root.SetOut(&out)
			AddFlag(root, f)
			root.SetArgs([]string{flag})
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if want := f.Build.String(); out.String() != want {
				t.Errorf("%s with version %q: got\n%s\nwant\n%s", flag, v, out.String(), want)
			}
		}
	}
}

func TestVersionTakesNoArguments(t *testing.T) {
	cmd := NewCmd(factory(io.Discard))
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("err %v, want a usage error", err)
	}
}

// --version is handled as cobra handled root.Version: the flag cobra
// would add, the build text printed, arguments and the persistent pre-run
// (the debug log) skipped; without it the root runs as before.
func TestFlagLikeCobras(t *testing.T) {
	for _, tt := range []struct {
		args             []string
		wantOut          string
		wantPre, wantRun bool
		wantErr          string
	}{
		{args: []string{"--version"}, wantOut: release.String()},
		{args: []string{"-v", "extra"}, wantOut: release.String()},
		{args: []string{}, wantPre: true, wantRun: true},
		{args: []string{"extra"}, wantErr: "unknown command"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			var pre, run bool
			root := &cobra.Command{
				Use: "cdflogin",
				Args: func(_ *cobra.Command, a []string) error {
					if len(a) > 0 {
						return errors.New("unknown command")
					}
					return nil
				},
				PersistentPreRunE: func(*cobra.Command, []string) error { pre = true; return nil },
				RunE:              func(*cobra.Command, []string) error { run = true; return nil },
				SilenceErrors:     true,
				SilenceUsage:      true,
			}
			root.SetOut(&out)
			AddFlag(root, factory(&out))
			root.SetArgs(tt.args)
			err := root.Execute()
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if out.String() != tt.wantOut || pre != tt.wantPre || run != tt.wantRun {
				t.Errorf("out %q, pre-run %v, run %v; want %q, %v, %v", out.String(), pre, run, tt.wantOut, tt.wantPre, tt.wantRun)
			}
			f := root.Flags().Lookup("version")
			if f == nil || f.Shorthand != "v" || f.Usage != "version for cdflogin" || f.Annotations[cobra.FlagSetByCobraAnnotation] == nil {
				t.Errorf("the flag is not cobra's: %+v", f)
			}
		})
	}
}

package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognite-tools/cdflogin/command/cmdutil"
	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/profiles"
	"github.com/cognite-tools/cdflogin/sandbox"
	"github.com/cognite-tools/cdflogin/ui"
)

func factory(tty bool) *cmdutil.Factory {
	return &cmdutil.Factory{
		IO:     &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, InTTY: tty, OutTTY: tty, ErrTTY: tty},
		Getenv: func(string) string { return "" },
		Now:    time.Now,
	}
}

func TestDemoNeedsATerminal(t *testing.T) {
	err := Run(context.Background(), factory(false), &Options{TokenLifetime: time.Hour, DeviceInterval: time.Second,
		Run: func(context.Context, ui.Config) error { t.Fatal("ran without a terminal"); return nil }})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("err %v, want a usage error", err)
	}
}

// TestDemoWiring runs the demo with the program replaced by a script that
// signs in through the real flows against the sandbox with every demo
// profile, using the demo hooks the keys call.
func TestDemoWiring(t *testing.T) {
	var dir string
	run := func(ctx context.Context, cfg ui.Config) error {
		ps, err := cfg.Store.List()
		if err != nil {
			return err
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, ","); got != "sandbox-device,sandbox-browser,sandbox-secret,sandbox-certificate,"+
			"sandbox-cognito-browser,sandbox-cognito-secret,sandbox-oidc-device,sandbox-oidc-certificate,sandbox-nopublic" {
			t.Errorf("demo profiles %s", got)
		}
		if cfg.Demo == nil || cfg.Demo.ApproveDeviceCode == nil || cfg.Demo.CompleteBrowser == nil || cfg.Inspect == nil {
			t.Fatalf("demo config lacks hooks: %+v", cfg.Demo)
		}
		// Built by the same function as the real program's: nothing is
		// left out.
		if cfg.Forget == nil || cfg.SaveSecret == nil || cfg.Warnings == nil {
			t.Fatalf("demo config lacks Forget, SaveSecret or Warnings: %+v", cfg)
		}
		get := func(name string) profiles.Profile {
			p, err := cfg.Store.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		// A secret typed in the demo's form stays in memory for the run.
		// A secret typed in the demo's form stays in memory for the run,
		// and a profile made in the demo signs in with it.
		ref, err := cfg.SaveSecret("mine", "client_secret", sandbox.SecretAppSecret)
		if err != nil || ref != profiles.RefKeyring {
			t.Fatalf("SaveSecret: %q %v", ref, err)
		}
		mine := get("sandbox-secret")
		mine.Name, mine.ClientSecret = "mine", ref
		if _, err := cfg.Auth.Login(ctx, mine, mine.Flow, func(flows.Event) {}); err != nil {
			t.Errorf("a profile made in the demo, with its secret in the run's keyring: %v", err)
		}
		cert := get("sandbox-certificate").Certificate
		dir = filepath.Dir(cert)
		if info, err := os.Stat(cert); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("certificate file %v mode %v", err, info.Mode())
		}
		if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
			t.Errorf("demo folder %v mode %v", err, info.Mode())
		}

		// Every flow signs in, the user flows through the demo keys' hooks.
		for _, name := range []string{"sandbox-secret", "sandbox-certificate", "sandbox-device", "sandbox-browser",
			"sandbox-cognito-secret", "sandbox-cognito-browser", "sandbox-oidc-device", "sandbox-oidc-certificate"} {
			p := get(name)
			tok, err := cfg.Auth.Login(ctx, p, p.Flow, func(ev flows.Event) {
				switch ev := ev.(type) {
				case flows.DeviceCode:
					go func() {
						if err := cfg.Demo.ApproveDeviceCode(ctx, ev.UserCode); err != nil {
							t.Errorf("approve: %v", err)
						}
					}()
				case flows.BrowserOpening:
					go func() {
						if err := cfg.Demo.CompleteBrowser(ctx, ev.URL); err != nil {
							t.Errorf("complete browser: %v", err)
						}
					}()
				}
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tok.AccessToken == "" || !tok.ExpiresOn.After(time.Now()) {
				t.Errorf("%s: no valid token", name)
			}
			if strings.Contains(name, "cognito") || strings.Contains(name, "oidc") {
				// CDF's projects that trust the pool and the provider
				// grant these tokens access through their groups.
				a, err := cfg.Inspect(ctx, p, tok)
				if err != nil || len(a.Groups) == 0 {
					t.Errorf("%s: CDF access %+v, %v", name, a, err)
				}
			}
			if name == "sandbox-device" {
				a, err := cfg.Inspect(ctx, p, tok)
				if err != nil {
					t.Fatalf("inspect: %v", err)
				}
				if len(a.Projects) == 0 || len(a.Groups) == 0 {
					t.Errorf("CDF access: %+v", a)
				}
				// The demo's m key: an admin moves alice to Marketing; the
				// next refresh carries it, and m again moves her back.
				for _, want := range []string{"joined Marketing and left CDF readers", "joined CDF readers and left Marketing"} {
					said, err := cfg.Demo.ChangeGroups(ctx)
					if err != nil || !strings.Contains(said, want) {
						t.Fatalf("ChangeGroups: %q %v, want %q", said, err, want)
					}
					fresh, err := cfg.Auth.Silent(ctx, p, flows.SilentOptions{Force: true})
					if err != nil {
						t.Fatal(err)
					}
					marketing := strings.Contains(string(payload(t, fresh.AccessToken)), sandbox.GroupMarketing)
					if marketing != strings.HasPrefix(want, "joined Marketing") {
						t.Errorf("after %q the refreshed token's groups: %s", want, payload(t, fresh.AccessToken))
					}
				}
			}
		}
		// The app without public client flows fails with AADSTS7000218.
		p := get("sandbox-nopublic")
		_, err = cfg.Auth.Login(ctx, p, p.Flow, func(ev flows.Event) {
			if dc, ok := ev.(flows.DeviceCode); ok {
				go func() { _ = cfg.Demo.ApproveDeviceCode(ctx, dc.UserCode) }()
			}
		})
		if err == nil || !strings.Contains(err.Error(), "7000218") {
			t.Errorf("nopublic: %v, want AADSTS7000218", err)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := Run(ctx, factory(true), &Options{TokenLifetime: time.Hour, DeviceInterval: 10 * time.Millisecond, Run: run}); err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		t.Fatal("the program did not run")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the demo folder %s is left behind (%v)", dir, err)
	}
}

// payload is a JWT's payload, decoded.
func payload(t *testing.T, jwt string) []byte {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

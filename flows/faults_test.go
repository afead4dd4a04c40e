package flows

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cognite-tools/cdflogin/internal/tokencache"
	"github.com/cognite-tools/cdflogin/profiles"
)

// An answer at Entra's address that does not decode (a proxy's HTML page,
// a token answer cut off mid-token, garbage in the OpenID configuration)
// is described by what was wrong, status, content type and URL — never by
// its body, which can hold part of a token.
func TestUndecodableAnswers(t *testing.T) {
	const partialToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secretpart"
	tests := []struct {
		name        string
		path        string // suffix of the path that misbehaves
		contentType string
		body        string
		flow        profiles.Flow
		want        []string // in the message
		secret      string   // must not be in the message
	}{
		{name: "token HTML page with 200", path: "/oauth2/v2.0/token", contentType: "text/html; charset=utf-8",
			body: "<html><head><title>Proxy</title></head><body>Sign in to the corporate proxy</body></html>",
			flow: profiles.FlowSecret, want: []string{"not a token response", "an HTML page", "HTTP 200", "text/html", "/oauth2/v2.0/token"},
			secret: "corporate proxy"},
		{name: "token JSON cut off in the access token", path: "/oauth2/v2.0/token", contentType: "application/json",
			body: `{"token_type":"Bearer","expires_in":3599,"access_token":"` + partialToken,
			flow: profiles.FlowSecret, want: []string{"not a token response", "truncated", "HTTP 200", "application/json"},
			secret: "eyJ0eXAi"},
		{name: "token invalid JSON", path: "/oauth2/v2.0/token", contentType: "application/json",
			body: `{"token_type":"Bearer","access_token":"` + partialToken + `" "x"}`,
			flow: profiles.FlowSecret, want: []string{"not a token response", "invalid JSON at byte"},
			secret: "secretpart"},
		{name: "OpenID configuration cut off", path: "/v2.0/.well-known/openid-configuration", contentType: "application/json",
			body: `{"token_endpoint":`,
			flow: profiles.FlowSecret, want: []string{"not its OpenID configuration", "/.well-known/openid-configuration"},
			secret: `{"token_endpoint"`},
		{name: "device code answer is an HTML page without a content type", path: "/oauth2/v2.0/devicecode",
			body: "<!DOCTYPE html><html><body>Welcome to HotelWifi</body></html>",
			flow: profiles.FlowDevice, want: []string{"not a device code answer", "HTML", "no Content-Type"},
			secret: "HotelWifi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			p := h.profile(tt.flow)
			h.entra.set(func(f *fakeEntra) {
				f.override = func(w http.ResponseWriter, r *http.Request) bool {
					if !strings.HasSuffix(r.URL.Path, tt.path) {
						return false
					}
					if tt.contentType != "" {
						w.Header().Set("Content-Type", tt.contentType)
					} else {
						w.Header()["Content-Type"] = nil // no sniffing
					}
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write([]byte(tt.body))
					return true
				}
			})
			_, err := h.svc.Login(ctxT(t), p, "", nil)
			if err == nil {
				t.Fatal("no error")
			}
			var ae *AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *AnswerError", err, err)
			}
			if !errors.Is(err, ErrNetwork) {
				t.Errorf("errors.Is(ErrNetwork) = false: %v", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message does not say %q: %s", w, msg)
				}
			}
			if strings.Contains(msg, tt.secret) || strings.Contains(msg, "raw message") || strings.Contains(msg, "bytes were") {
				t.Errorf("message carries the body: %s", msg)
			}
			if strings.Contains(msg, "?") || strings.Contains(msg, "client_id=") {
				t.Errorf("message carries a query: %s", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			h.assertNoSecrets(t, "error", msg)
		})
	}
}

// A cache folder that cannot be created is a local file problem named as
// such, found before any request (a sign-in whose tokens cannot be kept is
// not started), and the file in the way is left alone.
func TestLoginCacheFolderBlocked(t *testing.T) {
	for _, flow := range []profiles.Flow{profiles.FlowSecret, profiles.FlowDevice} {
		t.Run(string(flow), func(t *testing.T) {
			h := newHarness(t)
			blocker := filepath.Join(t.TempDir(), "not-a-dir")
			if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			h.svc.deps.CacheDir = filepath.Join(blocker, "cache")
			_, err := h.svc.Login(ctxT(t), h.profile(flow), "", nil)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *tokencache.FolderError
			if !errors.As(err, &fe) || errors.Is(err, ErrNetwork) {
				t.Fatalf("err = %v (%T), want a *tokencache.FolderError and no ErrNetwork", err, err)
			}
			for _, w := range []string{h.svc.deps.CacheDir, blocker + " is a file", "CDFLOGIN_HOME"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message does not say %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "Entra ID") {
				t.Errorf("a local file problem blamed on Entra ID: %v", err)
			}
			if n := h.requests(); n != 0 {
				t.Errorf("%d requests before the folder problem was reported", n)
			}
			if data, _ := os.ReadFile(blocker); string(data) != "x" {
				t.Error("the file in the way was changed")
			}
		})
	}
}

// A cache file others could read is restricted to the owner (its folder
// is left as it is) when only read (Silent from the cache, Cached), and the user is warned
// through Warnf — not only in the --verbose diagnostics.
func TestOpenCacheTightenedOnRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	reads := []struct {
		name string
		read func(h *harness, p profiles.Profile) error
	}{
		{"Silent", func(h *harness, p profiles.Profile) error {
			tok, err := h.svc.Silent(ctxT(t), p, SilentOptions{})
			if err == nil && !tok.FromCache {
				return errors.New("the token did not come from the cache")
			}
			return err
		}},
		{"Cached", func(h *harness, p profiles.Profile) error {
			tok, err := h.svc.Cached(p)
			if err == nil && tok == nil {
				return errors.New("nothing cached")
			}
			return err
		}},
	}
	for _, rd := range reads {
		for _, modes := range []struct{ file, dir fs.FileMode }{{0o644, 0o700}, {0o640, 0o750}, {0o600, 0o755}, {0o604, 0o701}} {
			t.Run(fmt.Sprintf("%s/file_%04o_folder_%04o", rd.name, modes.file, modes.dir), func(t *testing.T) {
				h := newHarness(t)
				p := h.profile(profiles.FlowSecret)
				if _, err := h.svc.Login(ctxT(t), p, "", nil); err != nil {
					t.Fatal(err)
				}
				path, err := h.svc.CachePath(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, modes.file); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(h.dir, modes.dir); err != nil {
					t.Fatal(err)
				}
				before := h.requests()
				if err := rd.read(h, p); err != nil {
					t.Fatal(err)
				}
				if n := h.requests() - before; n != 0 {
					t.Errorf("%d requests: the read was not served from the cache", n)
				}
				if got := fileModeOf(t, path); got != 0o600 {
					t.Errorf("cache file mode %04o after a read, want 0600", got)
				}
				if got := fileModeOf(t, h.dir); got != modes.dir {
					t.Errorf("cache folder mode %04o after a read, want %04o: cdflogin never chmods a folder", got, modes.dir)
				}
				warns := h.warns.String()
				if modes.file != 0o600 && !strings.Contains(warns, path) {
					t.Errorf("no warning names the cache file: %q", warns)
				}
				if strings.Contains(warns, "token cache folder") {
					t.Errorf("a warning names the cache folder, which others may only read: %q", warns)
				}
				if strings.Contains(h.logs.String(), "restricted") {
					t.Errorf("the warning went to the diagnostics: %q", h.logs.String())
				}
				h.assertNoSecrets(t, "warnings", warns)

				// Once tightened, reading again says nothing.
				h.warns = &logBuf{}
				h.svc.deps.Warnf = h.warns.Logf
				if err := rd.read(h, p); err != nil {
					t.Fatal(err)
				}
				if w := h.warns.String(); w != "" {
					t.Errorf("warned again about a file already tightened: %q", w)
				}
			})
		}
	}
}

func fileModeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// Warnf nil discards warnings: a corrupted cache is still moved aside and
// the call does not fail.
func TestNilWarnf(t *testing.T) {
	h := newHarness(t)
	h.svc.deps.Warnf = nil
	p := h.profile(profiles.FlowSecret)
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path, _ := h.svc.CachePath(p)
	if err := os.WriteFile(path, []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Cached(p); err != nil {
		t.Fatal(err)
	}
	if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("moved-aside files = %v", aside)
	}
}

// A device or browser sign-in whose tokens could not be saved is not
// started: the cache takes a test write first, and a failure is reported
// before any request, in the words of the "not kept" warning.
func TestUserLoginNotStartedWhenCacheUnwritable(t *testing.T) {
	for _, flow := range []profiles.Flow{profiles.FlowDevice, profiles.FlowBrowser} {
		t.Run(string(flow), func(t *testing.T) {
			h := newHarness(t)
			p := h.profile(flow)
			// A folder where the lock file belongs: the test write fails
			// (as root too, which a read-only folder would not stop).
			if err := os.MkdirAll(filepath.Join(h.svc.deps.CacheDir, p.Name+".msal.json.lock"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := h.svc.CheckWritable(p); err == nil {
				t.Fatal("CheckWritable: no error")
			}
			_, err := h.svc.Login(ctxT(t), p, "", nil)
			if err == nil || !strings.Contains(err.Error(), "no sign-in started") || !strings.Contains(err.Error(), ".lock") {
				t.Fatalf("err = %v, want no sign-in started, naming the lock file", err)
			}
			if n := h.requests(); n != 0 {
				t.Errorf("%d requests for a sign-in that could not be kept", n)
			}
		})
	}
}

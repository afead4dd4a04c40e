package cmdutil

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolvePaths(t *testing.T) {
	noSys := platformDirs{}
	failing := platformDirs{
		knownFolder: func(string) (string, error) { return "", errors.New("no known folders") },
		accountHome: func() (string, error) { return "", errors.New("no account") },
	}
	known := platformDirs{knownFolder: func(name string) (string, error) {
		return map[string]string{"RoamingAppData": `C:\Users\ann\AppData\Roaming`, "LocalAppData": `C:\Users\ann\AppData\Local`}[name], nil
	}}
	passwd := platformDirs{accountHome: func() (string, error) { return "/home/ann", nil }}
	abs, _ := filepath.Abs("rel")

	tests := []struct {
		name    string
		goos    string
		env     map[string]string
		sys     platformDirs
		want    Paths
		wantErr string
	}{
		{"CDFLOGIN_HOME wins everywhere", "windows", map[string]string{"CDFLOGIN_HOME": "/srv/c", "APPDATA": `C:\x`, "HOME": "/h"}, noSys,
			Paths{"/srv/c", "/srv/c/cache", "/srv/c/logs"}, ""},
		{"relative CDFLOGIN_HOME made absolute", "linux", map[string]string{"CDFLOGIN_HOME": "rel"}, noSys,
			Paths{abs, filepath.Join(abs, "cache"), filepath.Join(abs, "logs")}, ""},
		// As on a real Windows machine: no HOME, the AppData variables set.
		{"windows from APPDATA and LOCALAPPDATA", "windows",
			map[string]string{"APPDATA": `C:\Users\ann\AppData\Roaming`, "LOCALAPPDATA": `C:\Users\ann\AppData\Local`}, failing,
			Paths{filepath.Join(`C:\Users\ann\AppData\Roaming`, "cdflogin"), filepath.Join(`C:\Users\ann\AppData\Local`, "cdflogin", "cache"), filepath.Join(`C:\Users\ann\AppData\Local`, "cdflogin", "logs")}, ""},
		// Git Bash sets HOME; Windows programs keep their files in AppData all the same.
		{"windows never reads HOME or XDG", "windows",
			map[string]string{"HOME": "/c/Users/ann", "XDG_CONFIG_HOME": "/x", "APPDATA": `R`, "LOCALAPPDATA": `L`}, failing,
			Paths{filepath.Join("R", "cdflogin"), filepath.Join("L", "cdflogin", "cache"), filepath.Join("L", "cdflogin", "logs")}, ""},
		{"windows without variables asks for the known folders", "windows", nil, known,
			Paths{filepath.Join(`C:\Users\ann\AppData\Roaming`, "cdflogin"), filepath.Join(`C:\Users\ann\AppData\Local`, "cdflogin", "cache"), filepath.Join(`C:\Users\ann\AppData\Local`, "cdflogin", "logs")}, ""},
		{"windows falls back to USERPROFILE", "windows", map[string]string{"USERPROFILE": `P`}, failing,
			Paths{filepath.Join("P", "AppData", "Roaming", "cdflogin"), filepath.Join("P", "AppData", "Local", "cdflogin", "cache"), filepath.Join("P", "AppData", "Local", "cdflogin", "logs")}, ""},
		{"windows with nothing at all", "windows", nil, failing, Paths{}, "set CDFLOGIN_HOME"},
		{"linux XDG defaults", "linux", map[string]string{"HOME": "/home/ann"}, failing,
			Paths{"/home/ann/.config/cdflogin", "/home/ann/.cache/cdflogin", "/home/ann/.local/state/cdflogin"}, ""},
		{"macOS keeps the XDG folders", "darwin", map[string]string{"HOME": "/Users/ann"}, failing,
			Paths{"/Users/ann/.config/cdflogin", "/Users/ann/.cache/cdflogin", "/Users/ann/.local/state/cdflogin"}, ""},
		{"XDG variables", "linux", map[string]string{"HOME": "/home/ann", "XDG_CONFIG_HOME": "/cfg", "XDG_CACHE_HOME": "/cache", "XDG_STATE_HOME": "relative/ignored"}, failing,
			Paths{"/cfg/cdflogin", "/cache/cdflogin", "/home/ann/.local/state/cdflogin"}, ""},
		{"no HOME: the account's home folder", "linux", nil, passwd,
			Paths{"/home/ann/.config/cdflogin", "/home/ann/.cache/cdflogin", "/home/ann/.local/state/cdflogin"}, ""},
		{"no HOME and no account", "linux", nil, failing, Paths{}, "set CDFLOGIN_HOME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolvePaths(tt.goos, func(k string) string { return tt.env[k] }, tt.sys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

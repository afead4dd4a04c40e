package cmdutil

import (
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"runtime"

	"github.com/cognite-tools/cdflogin/profiles"
)

// Paths are the folders cdflogin keeps its files in.
type Paths struct {
	ConfigDir string // profiles.yaml
	CacheDir  string // token caches
	StateDir  string // logs
}

// ProfilesFile is the path of profiles.yaml.
func (p Paths) ProfilesFile() string { return filepath.Join(p.ConfigDir, "profiles.yaml") }

// ResolvePaths finds cdflogin's folders: everything under CDFLOGIN_HOME
// when it is set, otherwise the platform's own places:
//
//   - Windows: profiles in %APPDATA%\cdflogin, caches and logs in
//     %LOCALAPPDATA%\cdflogin (HOME is never read: Windows does not set
//     it, and Git Bash sets it to a folder other programs do not use);
//   - Linux, macOS and other Unix systems: the XDG folders
//     ($XDG_CONFIG_HOME, $XDG_CACHE_HOME, $XDG_STATE_HOME), by default
//     ~/.config/cdflogin, ~/.cache/cdflogin and ~/.local/state/cdflogin.
//
// A variable that is not set is never fatal where the system has a
// documented default: Windows' known folders, or the home folder of the
// user's account when HOME is unset.
func ResolvePaths(getenv func(string) string) (Paths, error) {
	return resolvePaths(runtime.GOOS, getenv, platformDirs{knownFolder: knownFolder, accountHome: accountHome})
}

// platformDirs are the system's answers when the environment has none.
type platformDirs struct {
	// knownFolder returns a Windows known folder ("RoamingAppData" or
	// "LocalAppData"); it fails elsewhere.
	knownFolder func(name string) (string, error)
	// accountHome returns the home folder of the user's account (the
	// passwd entry on Unix).
	accountHome func() (string, error)
}

func resolvePaths(goos string, getenv func(string) string, sys platformDirs) (Paths, error) {
	if home := getenv("CDFLOGIN_HOME"); home != "" {
		abs, err := filepath.Abs(home)
		if err != nil {
			return Paths{}, fmt.Errorf("CDFLOGIN_HOME %q: %w", home, err)
		}
		return Paths{
			ConfigDir: abs,
			CacheDir:  filepath.Join(abs, "cache"),
			StateDir:  filepath.Join(abs, "logs"),
		}, nil
	}
	if goos == "windows" {
		return windowsPaths(getenv, sys)
	}
	return xdgPaths(getenv, sys)
}

// windowsPaths are %APPDATA%\cdflogin (roaming: profiles follow the user)
// and %LOCALAPPDATA%\cdflogin (tokens and logs stay on the machine).
func windowsPaths(getenv func(string) string, sys platformDirs) (Paths, error) {
	folder := func(env, known, underProfile string) (string, error) {
		if v := getenv(env); v != "" {
			return v, nil
		}
		if sys.knownFolder != nil {
			if v, err := sys.knownFolder(known); err == nil && v != "" {
				return v, nil
			}
		}
		if p := getenv("USERPROFILE"); p != "" {
			return filepath.Join(p, underProfile), nil
		}
		return "", fmt.Errorf("cannot find your %%%s%% folder (neither %s nor USERPROFILE is set): set CDFLOGIN_HOME to a folder for cdflogin's files", env, env)
	}
	roaming, err := folder("APPDATA", "RoamingAppData", filepath.Join("AppData", "Roaming"))
	if err != nil {
		return Paths{}, err
	}
	local, err := folder("LOCALAPPDATA", "LocalAppData", filepath.Join("AppData", "Local"))
	if err != nil {
		return Paths{}, err
	}
	local = filepath.Join(local, "cdflogin")
	return Paths{
		ConfigDir: filepath.Join(roaming, "cdflogin"),
		CacheDir:  filepath.Join(local, "cache"),
		StateDir:  filepath.Join(local, "logs"),
	}, nil
}

// xdgPaths are the XDG base folders, also on macOS: cdflogin is a
// terminal program, and its profiles.yaml sits with the other terminal
// tools' dotfiles (as gh, kubectl's plugins and the Cognite Toolkit keep
// theirs), where dotfile managers look.
func xdgPaths(getenv func(string) string, sys platformDirs) (Paths, error) {
	userHome := getenv("HOME")
	if userHome == "" && sys.accountHome != nil {
		if h, err := sys.accountHome(); err == nil && filepath.IsAbs(h) {
			userHome = h
		}
	}
	xdg := func(env, fallback string) (string, error) {
		if v := getenv(env); v != "" && filepath.IsAbs(v) {
			return filepath.Join(v, "cdflogin"), nil
		}
		if userHome == "" {
			return "", errors.New("cannot find your home folder (HOME is not set and your account has none): set CDFLOGIN_HOME to a folder for cdflogin's files")
		}
		return filepath.Join(userHome, fallback, "cdflogin"), nil
	}
	cfg, err := xdg("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return Paths{}, err
	}
	cache, err := xdg("XDG_CACHE_HOME", ".cache")
	if err != nil {
		return Paths{}, err
	}
	state, err := xdg("XDG_STATE_HOME", filepath.Join(".local", "state"))
	if err != nil {
		return Paths{}, err
	}
	return Paths{ConfigDir: cfg, CacheDir: cache, StateDir: state}, nil
}

// accountHome is the home folder of the user's account.
func accountHome() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	return u.HomeDir, nil
}

// EnsureDir creates dir (and parents) private to the user. It is
// profiles.EnsureDir, which keeps profiles.yaml's folder the same way: one
// implementation.
func EnsureDir(dir string) error { return profiles.EnsureDir(dir) }

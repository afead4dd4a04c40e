package cmdutil

import (
	"errors"
	"fmt"
	"path/filepath"

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

// ResolvePaths finds cdflogin's folders: everything under CDFLOGIN_HOME when
// it is set, otherwise the XDG config, cache and state folders.
func ResolvePaths(getenv func(string) string) (Paths, error) {
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
	userHome := getenv("HOME")
	xdg := func(env, fallback string) (string, error) {
		if v := getenv(env); v != "" && filepath.IsAbs(v) {
			return filepath.Join(v, "cdflogin"), nil
		}
		if userHome == "" {
			return "", errors.New("neither CDFLOGIN_HOME nor HOME is set: set CDFLOGIN_HOME to a folder for cdflogin's files")
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

// EnsureDir creates dir (and parents) with mode 0700, and tightens an
// existing dir that others can read. It is profiles.EnsureDir, which
// keeps profiles.yaml's folder the same way: one implementation.
func EnsureDir(dir string) error { return profiles.EnsureDir(dir) }

package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// vcsBuild is what `go build` records in a clean git checkout (Go 1.24+
// derives the module version from the commit).
func vcsBuild(modified bool) *debug.BuildInfo {
	v := "v0.0.0-20261204074714-3ae1e1d938dd"
	mod := "false"
	if modified {
		v += "+dirty"
		mod = "true"
	}
	return &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/cognite-tools/cdflogin", Version: v},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "darwin"},
			{Key: "GOARCH", Value: "arm64"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "3ae1e1d938dd4977185f6442fbb77bd99dd3b542"},
			{Key: "vcs.time", Value: "2026-12-04T07:47:14Z"},
			{Key: "vcs.modified", Value: mod},
		},
	}
}

func TestResolve(t *testing.T) {
	release := Stamp{Version: "1.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-01T10:00:00Z"}
	noVCS := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cognite-tools/cdflogin", Version: "(devel)"}}
	tests := []struct {
		name  string
		stamp Stamp
		bi    *debug.BuildInfo
		want  Info
	}{
		{
			name:  "release stamp wins over Go's information",
			stamp: release, bi: vcsBuild(false),
			want: Info{Version: "1.4.0", Commit: release.Commit, Date: release.Date, Source: SourceRelease, GoVersion: "go1.26.8", Platform: "darwin/arm64"},
		},
		{
			name: "plain go build in a clean checkout",
			bi:   vcsBuild(false),
			want: Info{Version: "v0.0.0-20261204074714-3ae1e1d938dd", Commit: "3ae1e1d938dd4977185f6442fbb77bd99dd3b542", Date: "2026-12-04T07:47:14Z", Source: SourceGo, GoVersion: "go1.26.8", Platform: "darwin/arm64"},
		},
		{
			name: "plain go build with uncommitted changes",
			bi:   vcsBuild(true),
			want: Info{Version: "v0.0.0-20261204074714-3ae1e1d938dd+dirty", Commit: "3ae1e1d938dd4977185f6442fbb77bd99dd3b542", Date: "2026-12-04T07:47:14Z", Modified: true, Source: SourceGo, GoVersion: "go1.26.8", Platform: "darwin/arm64"},
		},
		{
			name: "go install module@version",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cognite-tools/cdflogin", Version: "v1.4.0"}},
			want: Info{Version: "v1.4.0", Source: SourceGo, GoVersion: "go1.26.8", Platform: runtime.GOOS + "/" + runtime.GOARCH},
		},
		{
			name: "no VCS information (-buildvcs=false, a test binary)",
			bi:   noVCS,
			want: Info{Version: Unknown, Source: SourceNone, GoVersion: "go1.26.8", Platform: runtime.GOOS + "/" + runtime.GOARCH},
		},
		{
			name: "no build information at all",
			want: Info{Version: Unknown, Source: SourceNone, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH},
		},
		{
			name:  "a stamp with only a version keeps Go's commit",
			stamp: Stamp{Version: " 1.4.0 "}, bi: vcsBuild(false),
			want: Info{Version: "1.4.0", Commit: "3ae1e1d938dd4977185f6442fbb77bd99dd3b542", Date: "2026-12-04T07:47:14Z", Source: SourceRelease, GoVersion: "go1.26.8", Platform: "darwin/arm64"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resolve(tt.stamp, tt.bi); got != tt.want {
				t.Errorf("Resolve =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		info Info
		want string
	}{
		{
			name: "release",
			info: Resolve(Stamp{Version: "1.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-01T10:00:00Z"}, vcsBuild(false)),
			want: "cdflogin 1.4.0\ncommit:   0123456789abcdef0123456789abcdef01234567\ndate:     2026-12-01T10:00:00Z\nbuilt by: go1.26.8 darwin/arm64\n",
		},
		{
			name: "modified checkout",
			info: Resolve(Stamp{}, vcsBuild(true)),
			want: "cdflogin v0.0.0-20261204074714-3ae1e1d938dd+dirty\ncommit:   3ae1e1d938dd4977185f6442fbb77bd99dd3b542 (with uncommitted changes)\ndate:     2026-12-04T07:47:14Z\nbuilt by: go1.26.8 darwin/arm64\n",
		},
		{
			name: "nothing known",
			info: Info{Version: Unknown, GoVersion: "go1.26.8", Platform: "linux/amd64"},
			want: "cdflogin dev\ncommit:   unknown (built without version control information)\nbuilt by: go1.26.8 linux/amd64\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.info.String(); got != tt.want {
				t.Errorf("String =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestReadThisBinary: the test binary has Go's build information, so Read
// finds at least the toolchain and platform, and never an empty version.
func TestReadThisBinary(t *testing.T) {
	got := Read(Stamp{})
	if got.Version == "" || got.GoVersion != runtime.Version() || !strings.Contains(got.Platform, "/") {
		t.Errorf("Read = %+v", got)
	}
}

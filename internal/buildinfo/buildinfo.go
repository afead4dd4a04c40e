// Package buildinfo says which build of cdflogin is running: the version,
// commit and date a release stamps with -ldflags, or else what the Go
// toolchain recorded in the binary (the module version, VCS revision, commit
// time and whether the tree had uncommitted changes).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Unknown is the version of a build that neither a release stamp nor Go's
// own build information names.
const Unknown = "dev"

// Stamp is what a release build sets with -ldflags "-X main.version=…
// -X main.commit=… -X main.date=…" (see .goreleaser.yaml). Empty fields were
// not stamped.
type Stamp struct {
	Version string
	Commit  string
	Date    string
}

// Info describes one build of cdflogin.
type Info struct {
	// Version is the release version (1.4.0), the module version Go
	// derived from the checkout (v0.0.0-20261204074700-3ae1e1d5c0ff+dirty),
	// or Unknown.
	Version string `json:"version"`
	// Commit is the full revision the binary was built from, or "".
	Commit string `json:"commit"`
	// Date is the commit's date (RFC 3339, UTC), or "". A release uses the
	// commit date, not the time of the build, so that rebuilding the same
	// commit gives the same bytes.
	Date string `json:"date"`
	// Modified is true when the checkout had uncommitted changes.
	Modified bool `json:"modified"`
	// Source says where Version came from: "release" (-ldflags), "go"
	// (Go's build information) or "none".
	Source string `json:"source"`
	// GoVersion is the toolchain that built the binary.
	GoVersion string `json:"go"`
	// Platform is GOOS/GOARCH.
	Platform string `json:"platform"`
}

// Sources of Info.Version.
const (
	SourceRelease = "release"
	SourceGo      = "go"
	SourceNone    = "none"
)

// Read returns the running binary's Info from stamp and
// debug.ReadBuildInfo.
func Read(stamp Stamp) Info {
	bi, _ := debug.ReadBuildInfo()
	return Resolve(stamp, bi)
}

// Resolve combines a release stamp with Go's build information (nil when
// there is none): every stamped field wins; the rest come from bi.
func Resolve(stamp Stamp, bi *debug.BuildInfo) Info {
	info := Info{
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		Source:    SourceNone,
		Version:   Unknown,
	}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
			info.Source = SourceGo
		}
		var goos, goarch string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Date = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			}
		}
		if goos != "" && goarch != "" {
			info.Platform = goos + "/" + goarch
		}
		if info.Source == SourceNone && info.Commit != "" {
			// A build with VCS information but no module version
			// (Go before 1.24, or -buildvcs without a tag).
			info.Source = SourceGo
		}
	}
	if v := strings.TrimSpace(stamp.Version); v != "" {
		info.Version = v
		info.Source = SourceRelease
	}
	if c := strings.TrimSpace(stamp.Commit); c != "" {
		info.Commit = c
	}
	if d := strings.TrimSpace(stamp.Date); d != "" {
		info.Date = d
	}
	return info
}

// String is the text of `cdflogin version` and `cdflogin --version`: the
// version on the first line, then what it was built from.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cdflogin %s\n", i.Version)
	switch {
	case i.Commit != "" && i.Modified:
		fmt.Fprintf(&b, "commit:   %s (with uncommitted changes)\n", i.Commit)
	case i.Commit != "":
		fmt.Fprintf(&b, "commit:   %s\n", i.Commit)
	default:
		b.WriteString("commit:   unknown (built without version control information)\n")
	}
	if i.Date != "" {
		fmt.Fprintf(&b, "date:     %s\n", i.Date)
	}
	fmt.Fprintf(&b, "built by: %s %s\n", i.GoVersion, i.Platform)
	return b.String()
}

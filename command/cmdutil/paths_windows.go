package cmdutil

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// knownFolder asks Windows for a known folder: it answers even when the
// environment variable that usually names it is missing.
func knownFolder(name string) (string, error) {
	var id *windows.KNOWNFOLDERID
	switch name {
	case "RoamingAppData":
		id = windows.FOLDERID_RoamingAppData
	case "LocalAppData":
		id = windows.FOLDERID_LocalAppData
	default:
		return "", fmt.Errorf("unknown known folder %q", name)
	}
	return windows.KnownFolderPath(id, windows.KF_FLAG_DEFAULT)
}

//go:build !windows

package cmdutil

import "errors"

// knownFolder exists on Windows only.
func knownFolder(string) (string, error) {
	return "", errors.New("known folders are a Windows feature")
}

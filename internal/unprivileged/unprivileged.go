// Package unprivileged lets a test of file permissions mean the same when
// it runs as root (as CI does) as for a person: root may write any folder
// and read any file, so such a test runs itself again, in a child process,
// as an unprivileged user. Only tests use it.
package unprivileged

import "os"

// childEnv marks the child process that runs the test as the unprivileged
// user.
const childEnv = "CDFLOGIN_TEST_UNPRIVILEGED"

// UID and GID are those of the child: nobody's, on Linux and the BSDs.
const (
	UID = 65534
	GID = 65534
)

// Child reports whether this process is the unprivileged rerun of a test.
func Child() bool { return os.Getenv(childEnv) == "1" }

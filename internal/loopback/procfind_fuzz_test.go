package loopback

import (
	"strconv"
	"testing"
)

// FuzzListeningInodes feeds arbitrary /proc/net/tcp text: no panic, and
// every inode returned is a non-zero decimal number.
func FuzzListeningInodes(f *testing.F) {
	f.Add([]byte(tcpTable), 53000)
	f.Add([]byte(tcp6Table), 53000)
	f.Add([]byte("h\n0: 0100007F:CF08 0:0 0A a b c d e 12\n"), 53000)
	f.Fuzz(func(t *testing.T, data []byte, port int) {
		for _, ino := range ListeningInodes(data, port) {
			n, err := strconv.ParseUint(ino, 10, 64)
			if err != nil || n == 0 {
				t.Fatalf("inode %q", ino)
			}
		}
	})
}

package loopback

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ProcFinder finds the process listening on a TCP port through Linux's
// /proc: the socket inode from /proc/net/tcp and tcp6, then the process
// whose /proc/PID/fd links to "socket:[inode]". Best effort: it returns ""
// when /proc is missing (other systems) or unreadable (another user's
// process).
type ProcFinder struct {
	// FS is the /proc file system (os.DirFS("/proc") when nil). It must
	// implement fs.ReadLinkFS.
	FS fs.FS
}

// maxProcScan bounds how many processes are looked at.
const maxProcScan = 20000

// Find returns "name (pid N)", or "" when not found.
func (f ProcFinder) Find(port int) string {
	fsys := f.FS
	if fsys == nil {
		fsys = os.DirFS("/proc")
	}
	inodes := map[string]bool{}
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue
		}
		for _, ino := range ListeningInodes(data, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok {
		return ""
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	scanned := 0
	for _, e := range entries {
		pid := e.Name()
		if _, err := strconv.Atoi(pid); err != nil {
			continue
		}
		if scanned++; scanned > maxProcScan {
			break
		}
		fds, err := fs.ReadDir(fsys, pid+"/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := rl.ReadLink(pid + "/fd/" + fd.Name())
			if err != nil || !strings.HasPrefix(target, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] {
				return describe(fsys, pid)
			}
		}
	}
	return ""
}

// describe names a process: "comm (pid N)".
func describe(fsys fs.FS, pid string) string {
	comm, err := fs.ReadFile(fsys, pid+"/comm")
	name := strings.TrimSpace(string(comm))
	if err != nil || name == "" {
		return "process " + pid
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	return fmt.Sprintf("%s (pid %s)", name, pid)
}

// ListeningInodes returns the socket inodes of the listening sockets on
// port in the text of /proc/net/tcp or /proc/net/tcp6.
func ListeningInodes(data []byte, port int) []string {
	const stateListen = "0A"
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	first := true
	for sc.Scan() {
		if first { // header line
			first = false
			continue
		}
		fields := strings.Fields(sc.Text())
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		if len(fields) < 10 {
			continue
		}
		local := fields[1]
		i := strings.LastIndexByte(local, ':')
		if i < 0 {
			continue
		}
		p, err := strconv.ParseUint(local[i+1:], 16, 16)
		if err != nil || int(p) != port || fields[3] != stateListen {
			continue
		}
		ino, err := strconv.ParseUint(fields[9], 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		out = append(out, strconv.FormatUint(ino, 10))
	}
	return out
}

package loopback

import (
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"
)

const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:CF08 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 424242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:CF08 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 515151 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   3: 0100007F:CF09 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 0 1 0000000000000000 100 0 0 10 0
   4: garbage
`

const tcp6Table = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:CF08 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777777 1 0000000000000000 100 0 0 10 0
`

func TestListeningInodes(t *testing.T) {
	tests := []struct {
		name  string
		table string
		port  int
		want  []string
	}{
		{"listening on 53000", tcpTable, 53000, []string{"424242"}},
		{"ssh", tcpTable, 22, []string{"1111"}},
		{"inode 0 (other namespace) skipped", tcpTable, 53001, nil},
		{"nothing", tcpTable, 8080, nil},
		{"tcp6", tcp6Table, 53000, []string{"777777"}},
		{"empty", "", 53000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ListeningInodes([]byte(tt.table), tt.port); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ListeningInodes = %v, want %v", got, tt.want)
			}
		})
	}
}

func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}

func TestProcFinder(t *testing.T) {
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"net/tcp":     {Data: []byte(tcpTable)},
			"net/tcp6":    {Data: []byte(tcp6Table)},
			"1/comm":      {Data: []byte("systemd\n")},
			"1/fd/0":      link("/dev/null"),
			"1/fd/3":      link("socket:[1111]"),
			"4242/comm":   {Data: []byte("python3\n")},
			"4242/fd/0":   link("/dev/pts/1"),
			"4242/fd/7":   link("socket:[424242]"),
			"self/comm":   {Data: []byte("self\n")},
			"version":     {Data: []byte("Linux")},
			"9999/fd/1":   link("socket:[777777]"),
			"9999/status": {Data: []byte("x")},
		}
	}
	tests := []struct {
		name string
		fs   func() fstest.MapFS
		port int
		want string
	}{
		{"found", base, 53000, "python3 (pid 4242)"},
		{"other port", base, 22, "systemd (pid 1)"},
		{"nobody listens", base, 9, ""},
		{"no /proc/net", func() fstest.MapFS { m := base(); delete(m, "net/tcp"); delete(m, "net/tcp6"); return m }, 53000, ""},
		{"only tcp6, no comm", func() fstest.MapFS {
			m := base()
			delete(m, "net/tcp")
			return m
		}, 53000, "process 9999"},
		{"socket owned by unreadable process", func() fstest.MapFS {
			m := base()
			delete(m, "4242/fd/7")
			delete(m, "9999/fd/1")
			return m
		}, 53000, ""},
		{"hostile comm", func() fstest.MapFS {
			m := base()
			m["4242/comm"] = &fstest.MapFile{Data: []byte("ev\x1b[31mil\n")}
			return m
		}, 53000, "ev[31mil (pid 4242)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (ProcFinder{FS: tt.fs()}).Find(tt.port); got != tt.want {
				t.Fatalf("Find = %q, want %q", got, tt.want)
			}
		})
	}
}

//go:build linux

package loopback

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netnsEnv marks the child process that runs in a network namespace of its
// own.
const netnsEnv = "CDFLOGIN_TEST_NETNS"

// ownAddr and ownAddr6 are the addresses the test gives itself
// (TEST-NET-1, RFC 5737; the documentation prefix, RFC 3849).
var (
	ownAddr  = net.IPv4(192, 0, 2, 10)
	ownAddr6 = net.ParseIP("2001:db8::10")
)

// TestNotReachableOnAnAddressOfItsOwn: the listener is not reachable on a
// non-loopback address, on any machine: the test runs again in a network
// namespace of its own (root, or CAP_SYS_ADMIN, as in CI), gives itself
// 192.0.2.10 and 2001:db8::10, checks that a socket bound to every address
// is reachable there, and that the listener is not.
func TestNotReachableOnAnAddressOfItsOwn(t *testing.T) {
	if os.Getenv(netnsEnv) != "1" {
		rerunInNetns(t)
		return
	}
	if err := addOwnAddress(); err != nil {
		t.Fatalf("in the test's network namespace: %v", err)
	}
	reachableOnOwnAddress(t)
}

// reachableOnOwnAddress is the test proper, in the namespace.
func reachableOnOwnAddress(t *testing.T) {
	l := start(t, Config{})
	for _, tc := range []struct {
		network, any string
		addr         net.IP
	}{{"tcp4", "0.0.0.0:0", ownAddr}, {"tcp6", "[::]:0", ownAddr6}} {
		// The control: bound to every address, a socket is reachable at
		// the address. Without it the check below could pass for want of
		// a route.
		all, err := net.Listen(tc.network, tc.any)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := all.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		target := net.JoinHostPort(tc.addr.String(), strconv.Itoa(all.Addr().(*net.TCPAddr).Port))
		conn, err := net.DialTimeout(tc.network, target, 5*time.Second)
		all.Close()
		if err != nil {
			t.Fatalf("a socket bound to %s is not reachable at %s: the address does not work (%v)", tc.any, target, err)
		}
		conn.Close()

		target = net.JoinHostPort(tc.addr.String(), strconv.Itoa(l.Port()))
		if conn, err := net.DialTimeout(tc.network, target, 5*time.Second); err == nil {
			conn.Close()
			t.Errorf("the redirect listener is reachable at %s: it must bind loopback addresses only", target)
		}
	}
}

// addOwnAddress brings lo up and gives it ownAddr as a second address (an
// alias, lo:cdf): an address that is not a loopback address, reachable in
// the namespace, with no tool but the kernel's ioctls.
func addOwnAddress() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	lo, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, lo); err != nil {
		return os.NewSyscallError("SIOCGIFFLAGS lo", err)
	}
	lo.SetUint16(lo.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, lo); err != nil {
		return os.NewSyscallError("SIOCSIFFLAGS lo up", err)
	}
	alias, err := unix.NewIfreq("lo:cdf")
	if err != nil {
		return err
	}
	if err := alias.SetInet4Addr(ownAddr.To4()); err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFADDR, alias); err != nil {
		return os.NewSyscallError("SIOCSIFADDR lo:cdf "+ownAddr.String(), err)
	}
	return addOwnAddress6(lo)
}

// addOwnAddress6 gives lo ownAddr6 (/128), as `ip addr add` does, through
// the IPv6 SIOCSIFADDR, which takes a struct in6_ifreq.
func addOwnAddress6(lo *unix.Ifreq) error {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	iface, err := net.InterfaceByName(lo.Name())
	if err != nil {
		return err
	}
	var req struct {
		addr      [16]byte
		prefixLen uint32
		ifindex   int32
	}
	copy(req.addr[:], ownAddr6.To16())
	req.prefixLen = 128
	req.ifindex = int32(iface.Index)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCSIFADDR, uintptr(unsafe.Pointer(&req))); errno != 0 {
		return os.NewSyscallError("SIOCSIFADDR lo "+ownAddr6.String(), errno)
	}
	return nil
}

// rerunInNetns runs the test again in a new network namespace and makes
// the child's result the test's. Where the kernel refuses a namespace (no
// root, no CAP_SYS_ADMIN, a container that forbids it) it skips, saying so.
func rerunInNetns(t *testing.T) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	ran := bytes.Contains(out.Bytes(), []byte("=== RUN"))
	switch {
	case err != nil && !ran:
		t.Skipf("cannot make a network namespace to give the test an address of its own (%v): it needs root or CAP_SYS_ADMIN; "+
			"TestNotReachableOnNonLoopbackAddress checks this machine's own addresses", err)
	case err != nil:
		t.Fatalf("in a network namespace of its own:\n%s", out.String())
	case !regexp.MustCompile(`--- PASS: ` + regexp.QuoteMeta(t.Name()) + ` `).Match(out.Bytes()):
		t.Fatalf("the rerun in a network namespace did not run %s:\n%s", t.Name(), out.String())
	}
}

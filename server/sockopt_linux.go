package server

import (
	"crypto/tls"
	"net"
	"syscall"
	"unsafe"
)

// unsentBytes returns how many bytes written to c's TCP socket the peer has
// not acknowledged yet (the SIOCOUTQ ioctl), or -1 if that is unknown.
// The keepalive reads it to tell a slow peer, which keeps acknowledging
// data, from a dead one.
func unsentBytes(c net.Conn) int {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	n := -1
	rc.Control(func(fd uintptr) {
		var v int32
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&v)))
		if errno == 0 {
			n = int(v)
		}
	})
	return n
}

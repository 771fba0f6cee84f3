//go:build !linux

package server

import "net"

// unsentBytes would return the bytes of c's socket not yet acknowledged by
// the peer; this platform does not tell, so it returns -1.
func unsentBytes(c net.Conn) int { return -1 }

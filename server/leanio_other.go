//go:build !unix

package server

const rawReadSupported = false

// readFD is never called where raw reads are not supported.
func (c *countingConn) readFD(fd uintptr) bool { return true }

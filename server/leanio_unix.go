//go:build unix

package server

import "syscall"

const rawReadSupported = true

// readFD is the syscall.RawConn read callback of a lean connection: it
// reads into a pooled buffer, which it gives back when the socket has
// nothing to read (returning false makes RawConn wait for readability).
func (c *countingConn) readFD(fd uintptr) bool {
	l := c.lean
	b := readAheadPool.Get().(*[]byte)
	for {
		n, err := syscall.Read(int(fd), *b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			readAheadPool.Put(b)
			if l.tryOnly {
				l.wouldBlock = true
				return true
			}
			return false
		case err != nil:
			readAheadPool.Put(b)
			l.rdN, l.rdErr = 0, err
			return true
		case n == 0:
			readAheadPool.Put(b)
			l.rdN, l.rdErr = 0, nil
			return true
		}
		l.ahead, l.rdN, l.rdErr = b, n, nil
		return true
	}
}

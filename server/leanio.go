package server

import (
	"bufio"
	"io"
	"net"
	"sync"
	"syscall"
)

// An idle connection should hold no buffer. coder/websocket reads through a
// bufio.Reader and writes through a bufio.Writer that it keeps for the
// connection's life; net/http hands over 4 KiB of each. A lean connection
// (plain TCP, on /echo) gives coder/websocket 16- and 256-byte ones instead
// and buffers below them, in countingConn, with pooled buffers held only
// while there is something in them:
//
//   - Reads wait for the socket to be readable without a buffer (through
//     syscall.RawConn), then read up to readAheadSize bytes into a pooled
//     buffer, which goes back to the pool once drained. A message still
//     takes one read system call; a burst of pipelined messages, a few.
//   - Writes pass through, except between hold and release, which the echo
//     loop puts around each message it writes: the frame's pieces then
//     gather in a pooled buffer and go out in one write system call.
//     Control frames (pings, pongs, close frames) fit in the 256-byte
//     bufio.Writer and go out whole either way.
const (
	leanReadBufSize  = 16  // coder/websocket's bufio.Reader: its minimum
	leanWriteBufSize = 256 // coder/websocket's bufio.Writer: any control frame fits
	readAheadSize    = 4096
	writeHoldSize    = 16 << 10
)

var (
	readAheadPool = sync.Pool{New: func() any { b := make([]byte, readAheadSize); return &b }}
	writeHoldPool = sync.Pool{New: func() any { b := make([]byte, writeHoldSize); return &b }}
)

// leanState is the part of a countingConn that only lean connections use.
type leanState struct {
	rc     syscall.RawConn
	readFn func(fd uintptr) bool // rc.Read's callback, made once

	// Read ahead: bytes read from the socket and not yet consumed, in a
	// pooled buffer (nil when there are none). Only the reading goroutine
	// touches them (coder/websocket serializes reads).
	ahead  *[]byte
	ar, aw int
	rdN    int   // the callback's results
	rdErr  error // (idem)

	// Parking (see park.go), all touched by the reading goroutine only.
	br         *bufio.Reader // coder/websocket's reader over c
	parkOK     bool          // the next read may fail with errParked instead of waiting
	tryOnly    bool          // readFD must not wait: it sets wouldBlock instead
	wouldBlock bool
	polled     bool // registered with the poller already

	heldMu sync.Mutex
	held   *[]byte // pooled while holding writes, nil otherwise
	hn     int
}

// makeLean turns c into a lean connection when its transport allows it
// (plain TCP on a platform with syscall.RawConn reads), keeping pending, the
// bytes net/http had already read past the handshake. It reports whether c
// is lean.
func (c *countingConn) makeLean(pending []byte) bool {
	if len(pending) > readAheadSize {
		return false
	}
	tc, ok := c.Conn.(*net.TCPConn)
	if !ok || !rawReadSupported {
		return false
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	l := &leanState{rc: rc}
	l.readFn = func(fd uintptr) bool { return c.readFD(fd) }
	if len(pending) > 0 {
		l.ahead = readAheadPool.Get().(*[]byte)
		l.aw = copy(*l.ahead, pending)
		c.read.Add(uint64(len(pending)))
	}
	c.lean = l
	return true
}

// leanReadWriter returns the small buffers coder/websocket is given on a
// lean connection.
func (c *countingConn) leanReadWriter() *bufio.ReadWriter {
	c.lean.br = bufio.NewReaderSize(c, leanReadBufSize)
	return bufio.NewReadWriter(c.lean.br, bufio.NewWriterSize(c, leanWriteBufSize))
}

// leanRead is Read on a lean connection.
func (c *countingConn) leanRead(p []byte) (int, error) {
	l := c.lean
	mayPark := l.parkOK
	l.parkOK = false
	if l.ahead != nil {
		n := copy(p, (*l.ahead)[l.ar:l.aw])
		l.ar += n
		if l.ar == l.aw {
			readAheadPool.Put(l.ahead)
			l.ahead, l.ar, l.aw = nil, 0, 0
		}
		return n, nil
	}
	if len(p) >= readAheadSize {
		// Large enough to read into directly.
		n, err := c.Conn.Read(p)
		c.read.Add(uint64(n))
		return n, err
	}
	// Wait for data without a buffer; readFD takes one once there is
	// something to read. A connection that may park does not wait.
	l.tryOnly = mayPark
	err := l.rc.Read(l.readFn)
	l.tryOnly = false
	if err != nil {
		return 0, err
	}
	if l.wouldBlock {
		l.wouldBlock = false
		return 0, errParked
	}
	if l.rdErr != nil {
		return 0, l.rdErr
	}
	if l.rdN == 0 {
		return 0, io.EOF
	}
	c.read.Add(uint64(l.rdN))
	l.ar, l.aw = 0, l.rdN
	return c.leanRead(p)
}

// hold starts gathering writes on a lean connection (a no-op otherwise)
// until release.
func (c *countingConn) hold() {
	l := c.lean
	if l == nil {
		return
	}
	l.heldMu.Lock()
	if l.held == nil {
		l.held = writeHoldPool.Get().(*[]byte)
	}
	l.heldMu.Unlock()
}

// release writes what was gathered since hold, in one write, and stops
// gathering.
func (c *countingConn) release() error {
	l := c.lean
	if l == nil {
		return nil
	}
	l.heldMu.Lock()
	defer l.heldMu.Unlock()
	if l.held == nil {
		return nil
	}
	err := c.flushHeldLocked()
	writeHoldPool.Put(l.held)
	l.held = nil
	return err
}

// flushHeldLocked writes the held bytes. l.heldMu is held.
func (c *countingConn) flushHeldLocked() error {
	l := c.lean
	if l.hn == 0 {
		return nil
	}
	_, err := c.writeNow((*l.held)[:l.hn])
	l.hn = 0
	return err
}

// leanWrite is Write on a lean connection.
func (c *countingConn) leanWrite(p []byte) (int, error) {
	l := c.lean
	l.heldMu.Lock()
	defer l.heldMu.Unlock()
	if l.held == nil {
		return c.writeNow(p)
	}
	buf := *l.held
	if l.hn+len(p) > len(buf) {
		if err := c.flushHeldLocked(); err != nil {
			return 0, err
		}
		if len(p) >= len(buf) {
			return c.writeNow(p)
		}
	}
	l.hn += copy(buf[l.hn:], p)
	return len(p), nil
}

package server

import (
	"errors"
	"sync"
)

// Parking: an idle /echo connection need not keep a goroutine blocked in
// Read. coder/websocket only sees frames (pongs included) through a
// goroutine reading, so the connection's goroutine, when the connection is
// idle at a message boundary, leaves instead: the socket is handed to a
// poller (one per process, epoll on Linux), and a new goroutine takes the
// connection up again once the socket has something to read — a message, a
// pong, a close, or the end of the connection. An idle connection then
// costs no goroutine and no stack.
//
// A connection parks only where nothing is half read: when it opens, before
// its first frame, and after a pong or a ping read between two messages
// (which the keepalive brings every interval), and only if no byte of the
// next frame is buffered. The read that would wait is made non-blocking
// instead (see countingConn.leanRead) and fails with errParked; the frame
// state of coder/websocket is then as it was before the read.
//
// Whatever closes a parked connection (the keepalive, Shutdown, an error)
// also wakes it (wakeParked), so that its goroutine comes back to finish it.

// errParked is what a read fails with instead of waiting, when the
// connection may park.
var errParked = errors.New("server: connection parked")

// parkedConns are the parked connections by their poller key.
type parkedConns struct {
	mu    sync.Mutex
	conns map[uint32]*wsConn
	next  uint32
}

func (p *parkedConns) put(c *wsConn) {
	p.mu.Lock()
	if c.parkKey == 0 {
		p.next++
		if p.next == 0 {
			p.next++
		}
		c.parkKey = p.next
	}
	if p.conns == nil {
		p.conns = map[uint32]*wsConn{}
	}
	p.conns[c.parkKey] = c
	p.mu.Unlock()
}

// take removes and returns the connection parked under key, or nil.
func (p *parkedConns) take(key uint32) *wsConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.conns[key]
	if c != nil {
		delete(p.conns, key)
	}
	return c
}

// takeConn removes c if it is parked and reports whether it was.
func (p *parkedConns) takeConn(c *wsConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.parkKey == 0 || p.conns[c.parkKey] != c {
		return false
	}
	delete(p.conns, c.parkKey)
	return true
}

// mayPark lets the next read of c, if it would wait, fail with errParked
// instead; the caller is at a frame boundary between messages.
func (c *wsConn) mayPark() {
	if c.closing.Load() {
		return // called by the goroutine closing c (see closeWith)
	}
	l := c.raw.lean
	if l == nil || !parkingSupported || !c.betweenMessages || l.br == nil || l.br.Buffered() > 0 {
		return
	}
	l.parkOK = true
}

// park hands c to the poller and reports whether it did; after true, the
// caller's goroutine must leave c alone: another may already run it.
func (c *wsConn) park() bool {
	if !parkingSupported {
		return false
	}
	p, err := thePoller()
	if err != nil {
		return false
	}
	return p.park(c)
}

// wakeParked gives a parked connection a goroutine again (a no-op for one
// that is not parked), so that it sees why it was closed and finishes.
func (c *wsConn) wakeParked() {
	if !parkingSupported || c.raw.lean == nil {
		return
	}
	p, err := thePoller()
	if err != nil {
		return
	}
	if p.parked.takeConn(c) {
		go c.runEcho()
	}
}

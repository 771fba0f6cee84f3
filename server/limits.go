package server

import "sync/atomic"

// connLimiter counts the open WebSocket connections of a Server across all
// paths. A slot is acquired before the handshake, so the connection that
// would exceed the limit is answered 503 instead of being upgraded.
type connLimiter struct {
	max int64 // negative: unlimited
	n   atomic.Int64
}

// newConnLimiter allows max concurrent connections; a negative max means no
// limit.
func newConnLimiter(max int) *connLimiter {
	return &connLimiter{max: int64(max)}
}

// acquire takes a slot, reporting false if the limit is reached.
func (l *connLimiter) acquire() bool {
	for {
		cur := l.n.Load()
		if l.max >= 0 && cur >= l.max {
			return false
		}
		if l.n.CompareAndSwap(cur, cur+1) {
			return true
		}
	}
}

// release gives a slot back.
func (l *connLimiter) release() {
	l.n.Add(-1)
}

// open returns the number of slots in use.
func (l *connLimiter) open() int64 {
	return l.n.Load()
}

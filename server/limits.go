package server

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

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

// ipLimiter counts the open WebSocket connections of each client address
// (see ipKey). A slot is acquired before the handshake, like connLimiter's,
// so that one client cannot take every connection the server allows.
type ipLimiter struct {
	max int // negative: unlimited
	mu  sync.Mutex
	n   map[string]int
}

func newIPLimiter(max int) *ipLimiter {
	return &ipLimiter{max: max, n: map[string]int{}}
}

// acquire takes a slot for key, reporting false if key has max already.
func (l *ipLimiter) acquire(key string) bool {
	if l.max < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] >= l.max {
		return false
	}
	l.n[key]++
	return true
}

// release gives back a slot of key.
func (l *ipLimiter) release(key string) {
	if l.max < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key]--; l.n[key] <= 0 {
		delete(l.n, key)
	}
}

// ipKey returns the address that per-client limits count, for a request's
// RemoteAddr: the IP for IPv4, the /64 network for IPv6 (one subscriber
// usually gets a whole /64). Behind a reverse proxy every client shares the
// proxy's address: forwarded headers are not trusted.
func ipKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, _ := addr.WithZone("").Prefix(64)
	return p.String()
}

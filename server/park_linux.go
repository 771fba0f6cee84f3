package server

import (
	"sync"
	"sync/atomic"
	"syscall"
)

const parkingSupported = true

// poller waits, in one goroutine, for the parked connections' sockets to
// become readable (epoll, one-shot: a connection is armed each time it
// parks).
type poller struct {
	epfd   int
	parked parkedConns
	dead   atomic.Bool // the loop has given up: park no more
}

var (
	pollerOnce sync.Once
	pollerInst *poller
	pollerErr  error
)

// thePoller returns the process's poller, started on first use.
func thePoller() (*poller, error) {
	pollerOnce.Do(func() {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			pollerErr = err
			return
		}
		pollerInst = &poller{epfd: fd}
		go pollerInst.loop()
	})
	return pollerInst, pollerErr
}

// loop wakes the connections whose sockets became readable.
func (p *poller) loop() {
	events := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(p.epfd, events, -1)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			// Not expected; the parked connections would never wake: give
			// up parking for good by waking them all.
			p.dead.Store(true)
			p.parked.mu.Lock()
			conns := p.parked.conns
			p.parked.conns = nil
			p.parked.mu.Unlock()
			for _, c := range conns {
				go c.runEcho()
			}
			return
		}
		for _, ev := range events[:n] {
			if c := p.parked.take(uint32(ev.Fd)); c != nil {
				go c.runEcho()
			}
		}
	}
}

// park registers c and arms its socket.
func (p *poller) park(c *wsConn) bool {
	if p.dead.Load() {
		return false
	}
	l := c.raw.lean
	p.parked.put(c)
	var cerr error
	err := l.rc.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: int32(c.parkKey)}
		op := syscall.EPOLL_CTL_MOD
		if !l.polled {
			op = syscall.EPOLL_CTL_ADD
		}
		cerr = syscall.EpollCtl(p.epfd, op, int(fd), &ev)
		if cerr == nil {
			l.polled = true
		}
	})
	if err != nil || cerr != nil {
		// Closed meanwhile, or refused: the caller reads on. If the poller
		// took c already (it cannot have: c was not armed), nothing to undo.
		return !p.parked.takeConn(c)
	}
	return true
}

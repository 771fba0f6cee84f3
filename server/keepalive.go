package server

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

// maxPingFrame is the most a server ping frame adds to the written bytes.
const maxPingFrame = 2 + 125

// startKeepalive schedules the connection's pings: every interval, a ping
// that is not answered within one interval drops the connection (close code
// 1006 in logs and metrics, no close frame: the peer is not listening),
// unless the peer showed other signs of life meanwhile: data received from
// it, or our data being consumed by it (written to the socket, or, on
// Linux, acknowledged from the socket's send queue). Those matter because
// coder/websocket only reads a pong while a Reader is active, a handler busy
// writing a large message to a slow but healthy peer is not reading, and a
// ping can wait behind megabytes of queued data. A dead peer is thus dropped
// within two intervals.
//
// The first ping comes half an interval to an interval after the upgrade.
// No goroutine waits between pings: a runtime timer (time.AfterFunc) starts
// one when a ping is due, and that goroutine ends once the pong is in. An
// idle connection costs a timer, not a goroutine and its stack.
func (c *wsConn) startKeepalive(interval time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished {
		return
	}
	c.pingEvery = interval
	// The first ping comes after half an interval to one interval, at
	// random: connections opened together (clients reconnecting after a
	// restart, say) are then not all pinged in the same instant, each by a
	// goroutine of its own.
	first := interval/2 + rand.N(interval/2+1)
	c.pingTimer = time.AfterFunc(first, c.pingDue)
}

// pingDue runs in the timer's goroutine when a ping is due. It pings until
// the peer answers or is dropped, then schedules the next ping. finish
// waits for it.
func (c *wsConn) pingDue() {
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	defer c.wg.Done()

	if !c.pingOnce(c.pingEvery) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished {
		c.pingTimer.Reset(c.pingEvery)
	}
}

// pingOnce pings the peer and waits for the pong, for one interval at a
// time. It returns true when the peer answered, false when the connection
// is over: finished, closed, or dropped for not answering. A ping that
// times out while the peer shows signs of life is followed by another one
// at once, as a ticker would: a peer that dies while busy is still dropped
// within two intervals of its last sign of life.
func (c *wsConn) pingOnce(interval time.Duration) bool {
	for {
		read, written, unsent := c.raw.read.Load(), c.raw.written.Load(), unsentBytes(c.raw.Conn)
		// Not derived from c.ctx: a child context would leave c.ctx a map
		// of children for the connection's life. finish closes the
		// connection, which ends the ping.
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		err := c.ws.Ping(ctx)
		cancel()
		if err == nil {
			return true
		}
		if c.isFinished() || errors.Is(err, net.ErrClosed) {
			c.wakeParked() // coder/websocket may have closed it
			return false
		}
		readDelta, writtenDelta, unsentNow := c.raw.read.Load()-read, c.raw.written.Load()-written, unsentBytes(c.raw.Conn)
		acked := unsent > 0 && unsentNow >= 0 && unsentNow < unsent
		if readDelta > 0 || writtenDelta > maxPingFrame || acked {
			continue // busy, not dead
		}
		c.logger().Info("websocket peer not answering pings", "interval", interval, "err", err,
			"read_delta", readDelta, "written_delta", writtenDelta, "unsent", unsentNow)
		c.abort("ping timeout")
		return false
	}
}

// isFinished reports whether finish has started.
func (c *wsConn) isFinished() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.finished
}

// stopKeepalive cancels the next ping; a ping under way sees the connection
// finished.
func (c *wsConn) stopKeepalive() {
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
}

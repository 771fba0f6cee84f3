package server

import (
	"context"
	"errors"
	"net"
	"time"
)

// maxPingFrame is the most a server ping frame adds to the written bytes.
const maxPingFrame = 2 + 125

// keepalive pings the peer every interval until the connection's context is
// cancelled. A ping that is not answered within one interval drops the
// connection (close code 1006 in logs and metrics, no close frame: the peer
// is not listening), unless the peer showed other signs of life meanwhile:
// data received from it, or our data being consumed by it (written to the
// socket, or, on Linux, acknowledged from the socket's send queue). Those
// matter because coder/websocket only reads a pong while a Reader is active,
// a handler busy writing a large message to a slow but healthy peer is not
// reading, and a ping can wait behind megabytes of queued data. A dead peer
// is thus dropped within two intervals.
func (c *wsConn) keepalive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		read, written, unsent := c.raw.read.Load(), c.raw.written.Load(), unsentBytes(c.raw.Conn)
		ctx, cancel := context.WithTimeout(c.ctx, interval)
		err := c.ws.Ping(ctx)
		cancel()
		if err == nil {
			continue
		}
		if c.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			return
		}
		readDelta, writtenDelta, unsentNow := c.raw.read.Load()-read, c.raw.written.Load()-written, unsentBytes(c.raw.Conn)
		acked := unsent > 0 && unsentNow >= 0 && unsentNow < unsent
		if readDelta > 0 || writtenDelta > maxPingFrame || acked {
			continue // busy, not dead
		}
		c.log.Info("websocket peer not answering pings", "interval", interval, "err", err,
			"read_delta", readDelta, "written_delta", writtenDelta, "unsent", unsentNow)
		c.abort("ping timeout")
		return
	}
}

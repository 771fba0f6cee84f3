package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// statusAbnormal is recorded when a connection ends without a close frame
// from the server (the peer vanished, or the server dropped it). It is never
// sent on the wire.
const statusAbnormal = websocket.StatusAbnormalClosure

// countingConn wraps a hijacked connection. It counts the bytes moved in
// each direction, which the keepalive uses as a sign of life, and it can be
// closed hard, bypassing coder/websocket's close handshake.
type countingConn struct {
	net.Conn
	read    atomic.Uint64
	written atomic.Uint64
	guard   closeGuard // writes are serialized by coder/websocket
	batch   writeBatch // see batch.go
	lean    *leanState // nil unless the connection is lean (see leanio.go)
}

// Read implements net.Conn.
func (c *countingConn) Read(p []byte) (int, error) {
	if c.lean != nil {
		return c.leanRead(p)
	}
	n, err := c.Conn.Read(p)
	c.read.Add(uint64(n))
	return n, err
}

// Write implements net.Conn. What it writes passes the closeGuard first, so
// n counts the bytes of p consumed, which the guard may have held back or
// rewritten.
func (c *countingConn) Write(p []byte) (int, error) {
	if c.lean != nil {
		return c.leanWrite(p)
	}
	return c.writeNow(p)
}

// writeNow writes p to the socket, through the closeGuard.
func (c *countingConn) writeNow(p []byte) (int, error) {
	q := c.guard.filter(p)
	if held, err := c.batched(q); held {
		return len(p), err
	}
	n, err := c.Conn.Write(q)
	c.written.Add(uint64(n))
	if err != nil {
		return min(n, len(p)), err
	}
	return len(p), nil
}

// closeFlushBound bounds the write of gathered bytes when the connection is
// closed.
const closeFlushBound = 2 * time.Second

// Close writes what a chat batch (batch.go) or a lean hold (leanio.go)
// gathered and not yet wrote, then closes the connection: coder/websocket
// may write its answer to the peer's close frame while a writer is
// gathering, then close at once, and that frame must still go out. A write
// under way elsewhere is left alone (TryLock): its owner writes or fails.
func (c *countingConn) Close() error {
	c.Conn.SetWriteDeadline(time.Now().Add(closeFlushBound))
	if b := &c.batch; b.mu.TryLock() {
		if b.corked && b.buf != nil && len(*b.buf) > 0 {
			c.writeBuffered()
		}
		b.mu.Unlock()
	}
	if l := c.lean; l != nil && l.heldMu.TryLock() {
		if l.held != nil {
			c.flushHeldLocked()
		}
		l.heldMu.Unlock()
	}
	return c.Conn.Close()
}

// hardClose closes the TCP connection at once. For TLS it closes the
// underlying connection, so that no close_notify alert can block on a peer
// that does not read.
func (c *countingConn) hardClose() {
	if tc, ok := c.Conn.(*tls.Conn); ok {
		tc.NetConn().Close()
		return
	}
	c.Conn.Close()
}

// upgradeWriter is the http.ResponseWriter given to websocket.Accept. It
// records the status of a refused handshake and wraps the hijacked
// connection in a countingConn.
type upgradeWriter struct {
	http.ResponseWriter
	status int
	conn   *countingConn
	lean   bool // make the connection lean if its transport allows it
}

// WriteHeader records the status code.
func (w *upgradeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *upgradeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack takes over the connection. Reads and writes both go through the
// countingConn: net/http's buffered writer is flushed and replaced.
func (w *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	w.conn = &countingConn{Conn: nc}
	if w.lean {
		// The bytes net/http read past the handshake move to the read-ahead
		// buffer, and net/http's 4 KiB buffers go with its goroutine.
		pending, _ := brw.Reader.Peek(brw.Reader.Buffered())
		if w.conn.makeLean(pending) {
			return w.conn, w.conn.leanReadWriter(), nil
		}
	}
	return w.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(w.conn, 4096)), nil
}

// wsConn is one open WebSocket connection with its bookkeeping: metrics,
// logging, the close code that ends it, and the goroutines it owns.
type wsConn struct {
	srv    *Server
	id     uint64
	ws     *websocket.Conn
	raw    *countingConn
	path   string
	remote string
	ip     string // the per-address key (ipKey), for the per-address limit
	start  time.Time
	pm     *pathMetrics
	attrs  []any // extra attributes for the open and close log lines

	ctx    context.Context // cancelled when the connection is finished (never done on /echo, which needs none)
	cancel context.CancelFunc
	wg     sync.WaitGroup // goroutines owned by the connection

	msgsIn, msgsOut, bytesIn, bytesOut atomic.Uint64

	mu        sync.Mutex
	code      websocket.StatusCode // 0 until the end of the connection is decided
	reason    string
	by        string // "server" or "client"
	finished  bool   // finish has started: no more goroutines, no more pings
	pingTimer *time.Timer
	pingEvery time.Duration

	// /echo's parking (see park.go).
	betweenMessages bool        // the reading goroutine is not inside a message
	parkKey         uint32      // the poller's key, guarded by the poller's lock
	closing         atomic.Bool // closeWith has started: never park again
}

// logger returns the connection's logger. It is built when a line is
// logged, not kept with every connection: most connections log two lines.
func (c *wsConn) logger() *slog.Logger {
	return c.srv.log.With("conn", c.id, "remote", c.remote, "path", c.path)
}

// goroutine runs f in a goroutine that finish waits for.
func (c *wsConn) goroutine(f func()) {
	c.wg.Go(f)
}

// received counts an incoming data message of n bytes.
func (c *wsConn) received(n int64) {
	c.msgsIn.Add(1)
	c.bytesIn.Add(uint64(n))
	c.pm.msgsIn.Add(1)
	c.pm.bytesIn.Add(uint64(n))
}

// sent counts an outgoing data message of n bytes.
func (c *wsConn) sent(n int64) {
	c.msgsOut.Add(1)
	c.bytesOut.Add(uint64(n))
	c.pm.msgsOut.Add(1)
	c.pm.bytesOut.Add(uint64(n))
}

// recordClose remembers how the connection ends. The first call wins: the
// code that actually went on the wire first is the one logged and counted.
func (c *wsConn) recordClose(code websocket.StatusCode, reason, by string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.code != 0 {
		return false
	}
	c.code, c.reason, c.by = code, reason, by
	return true
}

// closeInfo returns what recordClose recorded.
func (c *wsConn) closeInfo() (websocket.StatusCode, string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code, c.reason, c.by
}

// closeWith closes the connection with code and reason, performing the close
// handshake (bounded by coder/websocket to a few seconds). It may be called
// concurrently and more than once; only the first close frame is sent.
func (c *wsConn) closeWith(code websocket.StatusCode, reason, by string) {
	// Before anything reads on this goroutine: coder/websocket's Close reads
	// the peer's answer here, and a ping or pong it reads must not park the
	// connection, nor touch the echo goroutine's reading state.
	c.closing.Store(true)
	c.recordClose(code, reason, by)
	if !sendableCode(code) {
		c.ws.CloseNow()
		c.wakeParked()
		return
	}
	if code == websocket.StatusProtocolError || c.shutdownOnFallback() {
		// The stream is out of sync: send the close frame but do not wait
		// for the peer's (RFC 6455, section 7.1.7). Or the client is on the
		// HTTP fallback and the server is shutting down: its answer needs
		// a request that the closed listener will not take.
		t := time.AfterFunc(protocolErrorGrace, c.raw.hardClose)
		defer t.Stop()
	}
	c.ws.Close(code, reason)
	c.wakeParked()
}

// protocolErrorGrace is how long a connection failed for a protocol error
// waits for the peer's close frame before its TCP connection is closed.
const protocolErrorGrace = time.Second

// abort drops the connection without a close handshake: the peer is not
// answering, so waiting for its close frame would be pointless.
func (c *wsConn) abort(reason string) {
	c.recordClose(statusAbnormal, reason, "server")
	c.raw.hardClose()
	c.wakeParked()
}

// sendableCode reports whether code may be sent in a close frame.
func sendableCode(code websocket.StatusCode) bool {
	switch code {
	case 1004, websocket.StatusNoStatusRcvd, websocket.StatusAbnormalClosure, websocket.StatusTLSHandshake:
		return false
	}
	return code >= 1000 && code <= 1014 || code >= 3000 && code <= 4999
}

// readFailure turns an error from Reader or Read into the close code that
// ends the connection, and records it.
func (c *wsConn) readFailure(err error) (websocket.StatusCode, string) {
	code, reason, by := classifyReadError(err)
	if code == websocket.StatusProtocolError {
		c.logger().Info("websocket protocol error", "err", err)
	}
	c.recordClose(code, reason, by)
	return code, reason
}

// writeFailure records the end of a connection whose write failed.
func (c *wsConn) writeFailure(err error) (websocket.StatusCode, string) {
	c.recordClose(statusAbnormal, "write failed", "server")
	return statusAbnormal, "write failed"
}

// classifyReadError maps a coder/websocket read error to a close code:
//   - a close frame from the peer: its code (coder/websocket echoes it),
//     or 1007 when its reason is not UTF-8 (the closeGuard sends 1007
//     instead of the echo);
//   - a message over the read limit: 1009 (coder/websocket sent it);
//   - the TCP connection lost, or closed locally: 1006, nothing is sent;
//   - anything else is a protocol violation: 1002. coder/websocket sends
//     1002 itself for most of them, but not for an unmasked client frame, so
//     the caller's close sends it in that case.
func classifyReadError(err error) (code websocket.StatusCode, reason, by string) {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce) && !utf8.ValidString(ce.Reason):
		return websocket.StatusInvalidFramePayloadData, "close reason not UTF-8", "server"
	case errors.As(err, &ce):
		return ce.Code, ce.Reason, "client"
	case errors.Is(err, websocket.ErrMessageTooBig):
		return websocket.StatusMessageTooBig, "message too big", "server"
	case errors.Is(err, net.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return statusAbnormal, "connection closed", "server"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return statusAbnormal, "connection lost", "client"
	}
	return websocket.StatusProtocolError, "protocol error", "server"
}

// logOpen writes the "websocket open" line.
func (c *wsConn) logOpen() {
	args := append([]any{"proto", c.ws.Subprotocol()}, c.attrs...)
	c.logger().Info("websocket open", args...)
}

// finish ends the connection: it makes sure the socket is closed, waits for
// the connection's goroutines, updates the metrics, logs the close line and
// unregisters the connection.
func (c *wsConn) finish() {
	c.recordClose(statusAbnormal, "connection closed", "server")
	c.mu.Lock()
	c.finished = true
	c.mu.Unlock()
	c.stopKeepalive()
	c.ws.CloseNow()
	c.cancel()
	c.wg.Wait()

	code, reason, by := c.closeInfo()
	c.pm.open.Add(-1)
	c.srv.metrics.closed(int(code))
	args := append([]any{
		"code", int(code),
		"reason", reason,
		"by", by,
		"duration", time.Since(c.start).Round(time.Millisecond),
		"msgs_in", c.msgsIn.Load(),
		"msgs_out", c.msgsOut.Load(),
		"bytes_in", c.bytesIn.Load(),
		"bytes_out", c.bytesOut.Load(),
	}, c.attrs...)
	c.logger().Info("websocket close", args...)

	c.srv.limiter.release()
	c.srv.ipConns.release(c.ip)
	c.srv.reg.remove(c)
}

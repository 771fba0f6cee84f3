package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// echoSubprotocols lists the subprotocols /echo negotiates. When a client
// offers several, the first one the server supports is chosen; a client that
// offers none (or none of these) gets no subprotocol.
var echoSubprotocols = []string{"echo"}

// echoChunkSize is the size of the pooled buffers an echoed message is read
// into, and of the frames a large message is written back in.
const echoChunkSize = 64 << 10

var chunkPool = sync.Pool{New: func() any {
	b := make([]byte, echoChunkSize)
	return &b
}}

// handleEcho serves /echo: every message comes back unchanged, with the same
// type and bytes. Any origin is accepted: the endpoint holds no credentials,
// and a page opened from a file:// URL (Origin: null) must work.
func (s *Server) handleEcho(w http.ResponseWriter, r *http.Request) {
	if !isWebSocketUpgrade(r) {
		s.upgradeRequired(w, r)
		return
	}
	opts := s.acceptOptions()
	opts.InsecureSkipVerify = true
	opts.Subprotocols = echoSubprotocols
	// A pong or a ping read between two messages is where an idle
	// connection parks (see park.go). The callbacks run on the reading
	// goroutine, which starts after c is set.
	var c *wsConn
	opts.OnPongReceived = func(context.Context, []byte) { c.mayPark() }
	opts.OnPingReceived = func(context.Context, []byte) bool {
		c.mayPark()
		return true
	}
	c = s.upgradeConn(w, r, "/echo", &opts, s.cfg.MaxMessageBytes, true)
	if c == nil {
		return
	}
	// The connection runs in a goroutine of its own and the handler returns:
	// net/http's goroutine, deep stack and buffers (about 10 KiB) would
	// otherwise stay with the connection for its whole life.
	go c.serveEcho()
}

// serveEcho runs an upgraded /echo connection. A connection whose client
// has sent nothing yet parks at once.
func (c *wsConn) serveEcho() {
	c.logOpen()
	c.betweenMessages = true
	c.mayPark()
	c.runEcho()
}

// runEcho runs the echo loop on the calling goroutine until the connection
// ends, and finishes it, or until it parks; the poller then calls runEcho
// again in a new goroutine.
func (c *wsConn) runEcho() {
	code, reason, parked := c.echo()
	if parked {
		return
	}
	c.closeWith(code, reason, "server")
	c.finish()
}

// echo runs the echo loop until the connection ends and returns the close
// code that ends it.
//
// A message is read completely before it is written back. Streaming it
// through would use less memory but would deadlock with a client that, like
// most, writes a whole large message before reading (once the TCP buffers
// fill, neither side reads); it would also echo the start of a message that
// later proves too big or not UTF-8. Reading into pooled 64 KiB chunks keeps
// large messages from needing one huge allocation.
func (c *wsConn) echo() (code websocket.StatusCode, reason string, parked bool) {
	var msg echoMessage
	defer msg.release()
	// Reads and writes get a context that is never done: coder/websocket
	// then arms no timer per read or write (context.AfterFunc), which costs
	// memory on every idle connection and time on every message. Nothing
	// needs it: the connection ends when it is closed (closeWith, abort,
	// finish), which unblocks both.
	ctx := context.Background()
	for {
		c.betweenMessages = true
		typ, r, err := c.ws.Reader(ctx)
		if errors.Is(err, errParked) {
			if c.park() {
				return 0, "", true
			}
			continue // read on, waiting
		}
		if err != nil {
			code, reason = c.readFailure(err)
			return code, reason, false
		}
		c.betweenMessages = false
		if err := msg.readFrom(r); err != nil {
			code, reason = c.readFailure(err)
			return code, reason, false
		}
		read := time.Now()
		c.received(msg.size)
		if typ == websocket.MessageText && !msg.validUTF8() {
			c.recordClose(websocket.StatusInvalidFramePayloadData, "invalid UTF-8 in text message", "server")
			return websocket.StatusInvalidFramePayloadData, "invalid UTF-8 in text message", false
		}
		c.raw.hold()
		err = msg.writeTo(ctx, c.ws, typ)
		if rerr := c.raw.release(); err == nil {
			err = rerr
		}
		if err != nil {
			code, reason = c.writeFailure(err)
			return code, reason, false
		}
		c.sent(msg.size)
		c.srv.metrics.echo.observe(time.Since(read))
		msg.release()
	}
}

// echoMessage is a message held in pooled chunks.
type echoMessage struct {
	chunks []*[]byte
	last   int // bytes used in the last chunk
	size   int64
}

// readFrom reads a whole message from r.
func (m *echoMessage) readFrom(r io.Reader) error {
	for {
		p := chunkPool.Get().(*[]byte)
		n, err := io.ReadFull(r, *p)
		if n > 0 {
			m.chunks = append(m.chunks, p)
			m.last = n
			m.size += int64(n)
		} else {
			chunkPool.Put(p)
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return nil
		default:
			return err
		}
	}
}

// piece returns the bytes of chunk i.
func (m *echoMessage) piece(i int) []byte {
	p := *m.chunks[i]
	if i == len(m.chunks)-1 {
		p = p[:m.last]
	}
	return p
}

// validUTF8 reports whether the message is valid UTF-8.
func (m *echoMessage) validUTF8() bool {
	var v utf8Validator
	for i := range m.chunks {
		if !v.write(m.piece(i)) {
			return false
		}
	}
	return v.done()
}

// writeTo writes the message to ws: in one frame if it fits in one chunk,
// otherwise in one frame per chunk.
func (m *echoMessage) writeTo(ctx context.Context, ws *websocket.Conn, typ websocket.MessageType) error {
	if len(m.chunks) <= 1 {
		var p []byte
		if len(m.chunks) == 1 {
			p = m.piece(0)
		}
		return ws.Write(ctx, typ, p)
	}
	w, err := ws.Writer(ctx, typ)
	if err != nil {
		return err
	}
	for i := range m.chunks {
		if _, err := w.Write(m.piece(i)); err != nil {
			return err
		}
	}
	return w.Close()
}

// release returns the chunks to the pool and empties the message.
func (m *echoMessage) release() {
	for _, p := range m.chunks {
		chunkPool.Put(p)
	}
	clear(m.chunks)
	m.chunks = m.chunks[:0]
	m.last, m.size = 0, 0
}

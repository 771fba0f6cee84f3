package server

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// chatFlushTimeout bounds how long a closing chat connection waits for its
// queued events to be written before the close frame.
const chatFlushTimeout = 5 * time.Second

// handleChat serves /chat?room=NAME&name=NICK: a chat room over JSON text
// frames (see package chatproto). Only same-origin pages and the configured
// AllowedOrigins may connect: browsers send cookies with WebSocket
// handshakes, so accepting any origin would allow cross-site WebSocket
// hijacking.
//
// A plain request for a page on /chat (see isPageRequest) is the browser
// loading or reloading the app's chat page, which lives at the same path:
// it goes to Config.Root when one is set. Any other plain request gets 426.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	if !isWebSocketUpgrade(r) {
		// The answer depends on Accept: caches must not mix the page and the 426.
		w.Header().Add("Vary", "Accept")
		if s.cfg.Root != nil && isPageRequest(r) {
			s.cfg.Root.ServeHTTP(w, r)
			return
		}
		s.upgradeRequired(w, r)
		return
	}
	q := r.URL.Query()
	roomName, err := parseRoomName(q.Get("room"))
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	nick := sanitizeNick(q.Get("name"))
	if !s.hub.admit(roomName) {
		s.refuse(w, r, http.StatusServiceUnavailable, "rooms", "too many chat rooms, try again later")
		return
	}
	opts := s.acceptOptions()
	opts.OriginPatterns = s.cfg.AllowedOrigins
	c := s.upgrade(w, r, "/chat", &opts, s.cfg.chatFrameLimit())
	if c == nil {
		return
	}
	defer c.finish()
	code, reason := s.chat(c, roomName, nick)
	c.closeWith(code, reason, "server")
}

// chat runs a chat connection until it ends and returns its close code.
func (s *Server) chat(c *wsConn, roomName, nick string) (websocket.StatusCode, string) {
	cl := newChatClient(s.cfg.ChatQueueSize, func(code websocket.StatusCode, reason string) {
		// Called with the room locked: close from another goroutine.
		c.recordClose(code, reason, "server")
		c.goroutine(func() { c.closeWith(code, reason, "server") })
	})
	rm, err := s.hub.join(roomName, nick, cl)
	if err != nil {
		c.attrs = append(c.attrs, "room", roomName)
		c.logOpen()
		return c.fail(websocket.StatusTryAgainLater, "too many chat rooms")
	}
	c.attrs = append(c.attrs, "room", rm.name, "name", cl.name)
	c.logOpen()

	stop := make(chan struct{})
	writerDone := make(chan struct{})
	c.goroutine(func() {
		defer close(writerDone)
		cl.writeLoop(c, stop)
	})

	code, reason := s.chatReadLoop(c, rm, cl)

	// Leave first, so the others hear of it at once; then let the writer
	// flush what is queued (error events explaining the close, say) before
	// the close frame goes out.
	rm.leave(cl)
	close(stop)
	t := time.NewTimer(chatFlushTimeout)
	defer t.Stop()
	select {
	case <-writerDone:
	case <-t.C:
	}
	return code, reason
}

// chatReadLoop reads the client's frames until the connection ends.
func (s *Server) chatReadLoop(c *wsConn, rm *room, cl *chatClient) (websocket.StatusCode, string) {
	limiter := newRateLimiter(s.cfg.ChatRate, s.cfg.ChatBurst, s.cfg.ChatMaxRejects, time.Now())
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return c.readFailure(err)
		}
		c.received(int64(len(data)))
		if typ != websocket.MessageText {
			return c.fail(websocket.StatusUnsupportedData, "binary messages are not supported")
		}
		if !utf8.Valid(data) {
			return c.fail(websocket.StatusInvalidFramePayloadData, "invalid UTF-8")
		}
		switch limiter.check(time.Now()) {
		case reject:
			rm.sendTo(cl, chatproto.EncodeEvent(chatproto.ErrorEvent{Type: chatproto.TypeError, Text: "rate limit exceeded: slow down"}))
			continue
		case disconnect:
			return c.fail(websocket.StatusPolicyViolation, "rate limit exceeded")
		}
		m, err := chatproto.DecodeClientMessage(data, s.cfg.ChatMaxTextBytes)
		if err != nil {
			rm.sendTo(cl, chatproto.EncodeEvent(chatproto.ErrorEvent{Type: chatproto.TypeError, Text: err.Error()}))
			continue
		}
		rm.post(cl, m.Text)
	}
}

// writeLoop writes the client's queued events until it is kicked, a write
// fails, or stop is closed, in which case it first flushes the queue.
func (cl *chatClient) writeLoop(c *wsConn, stop <-chan struct{}) {
	write := func(b []byte) bool {
		select {
		case <-cl.kicked:
			return false // let the close frame through
		default:
		}
		if err := c.ws.Write(c.ctx, websocket.MessageText, b); err != nil {
			// The connection is gone; the read loop sees it too. Discard
			// further events instead of calling the client slow.
			cl.retire()
			return false
		}
		c.sent(int64(len(b)))
		return true
	}
	for {
		select {
		case <-cl.kicked:
			return
		case b := <-cl.out:
			if !write(b) {
				return
			}
		case <-stop:
			for {
				select {
				case b := <-cl.out:
					if !write(b) {
						return
					}
				default:
					return
				}
			}
		}
	}
}

// fail records that the server ends the connection with code and reason,
// and returns them.
func (c *wsConn) fail(code websocket.StatusCode, reason string) (websocket.StatusCode, string) {
	c.recordClose(code, reason, "server")
	return code, reason
}

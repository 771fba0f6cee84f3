package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// chatFlushTimeout bounds how long a closing chat connection waits for its
// queued events to be written before the close frame.
const chatFlushTimeout = 5 * time.Second

// chatCloseGrace bounds how long a client the server drops (too slow, or
// its room evicted) has to take what its socket holds and the close frame:
// after that its TCP connection is closed. A client that reads at all gets
// the close frame well within it.
const chatCloseGrace = 2 * time.Second

// chatSendBuffer is the kernel send buffer of a chat socket (SO_SNDBUF;
// Linux doubles it). Chat frames are small, so this costs no throughput;
// with it, a member's lag shows in its queue, where the server measures it,
// rather than in megabytes of autotuned kernel buffer, and the close frame
// of a dropped member is never far behind what its socket already holds.
const chatSendBuffer = 128 << 10

// setSendBuffer sets the kernel send buffer of nc, a TCP connection or TLS
// over one.
func setSendBuffer(nc net.Conn, bytes int) {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	if b, ok := nc.(interface{ SetWriteBuffer(int) error }); ok {
		b.SetWriteBuffer(bytes)
	}
}

// handleChat serves /chat?room=NAME&name=NICK: a chat room over JSON text
// frames, or plain text lines (see package chatproto). Only same-origin
// pages and the configured AllowedOrigins may connect: browsers send cookies
// with WebSocket handshakes, so accepting any origin would allow cross-site
// WebSocket hijacking.
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
	ip := ipKey(r.RemoteAddr)
	switch err := s.hub.admit(roomName, ip); err {
	case nil:
	case errRoomFull:
		s.refuse(w, r, http.StatusServiceUnavailable, "room_full",
			fmt.Sprintf("room is full (%d members), try again later", s.cfg.ChatMaxMembers))
		return
	case errIPRooms:
		s.refuse(w, r, http.StatusTooManyRequests, "ip_rooms",
			fmt.Sprintf("too many chat rooms from your address (at most %d), leave one first", s.cfg.ChatRoomsPerIP))
		return
	case errBrokerDown:
		s.refuse(w, r, http.StatusServiceUnavailable, "chat_unavailable", "chat service unavailable, try again later")
		return
	default:
		s.refuse(w, r, http.StatusServiceUnavailable, "rooms", "too many chat rooms, try again later")
		return
	}
	opts := s.acceptOptions()
	opts.OriginPatterns = s.cfg.AllowedOrigins
	// "null" among the allowed origins admits pages opened from files
	// (Origin: null), such as a tutorial's chat page; coder/websocket's
	// patterns match hosts, and that origin has none.
	if r.Header.Get("Origin") == "null" && slices.Contains(s.cfg.AllowedOrigins, "null") {
		opts.InsecureSkipVerify = true
	}
	opts.Subprotocols = []string{chatproto.TextSubprotocol}
	c := s.upgrade(w, r, "/chat", &opts, s.cfg.chatFrameLimit())
	if c == nil {
		return
	}
	defer c.finish()
	text := c.ws.Subprotocol() == chatproto.TextSubprotocol || q.Get(chatproto.FormatParam) == chatproto.FormatText
	code, reason := s.chat(c, roomName, nick, ip, text)
	c.closeWith(code, reason, "server")
}

// chat runs a chat connection until it ends and returns its close code.
func (s *Server) chat(c *wsConn, roomName, nick, ip string, text bool) (websocket.StatusCode, string) {
	cl := newChatClient(s.cfg.ChatQueueSize, s.cfg.ChatMaxLag, func(code websocket.StatusCode, reason string) {
		// Called with the room locked: close from another goroutine. The
		// room queues nothing more for the client; its socket gets a
		// bounded time to take what it holds, then the close frame, after
		// which coder/websocket's close fails and closes the connection.
		c.recordClose(code, reason, "server")
		c.raw.SetWriteDeadline(time.Now().Add(chatCloseGrace))
		c.goroutine(func() { c.closeWith(code, reason, "server") })
	})
	cl.ip, cl.text = ip, text
	setSendBuffer(c.raw.Conn, chatSendBuffer)
	mode := "json"
	if text {
		mode = "text"
	}
	rm, err := s.hub.join(roomName, nick, cl)
	if err != nil {
		c.attrs = append(c.attrs, "room", roomName, "mode", mode)
		c.logOpen()
		return c.fail(websocket.StatusTryAgainLater, err.Error())
	}
	c.attrs = append(c.attrs, "room", rm.name, "name", cl.name, "mode", mode)
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
	s.hub.leave(rm, cl)
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
		// The frame is read before the rate limit applies, so that every
		// error event carries the frame's cid.
		var msg, cid string
		if cl.text {
			msg, err = chatproto.DecodeTextMessage(data, s.cfg.ChatMaxTextBytes)
		} else {
			var m chatproto.ClientMessage
			m, err = chatproto.DecodeClientMessage(data, s.cfg.ChatMaxTextBytes)
			msg, cid = m.Text, m.CID
		}
		switch limiter.check(time.Now()) {
		case reject:
			rm.sendTo(cl, chatproto.ErrorEvent{Type: chatproto.TypeError, Text: "rate limit exceeded: slow down", CID: cid})
			continue
		case disconnect:
			return c.fail(websocket.StatusPolicyViolation, "rate limit exceeded")
		}
		if err != nil {
			rm.sendTo(cl, chatproto.ErrorEvent{Type: chatproto.TypeError, Text: err.Error(), CID: cid})
			continue
		}
		rm.post(cl, msg, cid)
	}
}

// fail records that the server ends the connection with code and reason,
// and returns them.
func (c *wsConn) fail(code websocket.StatusCode, reason string) (websocket.StatusCode, string) {
	c.recordClose(code, reason, "server")
	return code, reason
}

package fallback

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// Handler serves the HTTP fallback in front of a WebSocket handler. Create
// it with New.
type Handler struct {
	next http.Handler
	cfg  Config

	mu       sync.Mutex
	sessions map[string]*session
	closed   bool

	opened, reaped, bytesIn, bytesOut atomic.Uint64
}

// New returns a Handler that serves the fallback's requests (those with
// the query parameter fallbackproto.ParamOp) by running next on a virtual
// connection, answers probes (a WebSocket handshake with
// fallbackproto.ParamProbe) itself, and hands every other request to next
// unchanged.
//
// next must accept WebSocket connections by hijacking, as
// github.com/coder/websocket and github.com/gorilla/websocket do; it runs
// unchanged on the fallback, with its origin checks, limits and close
// codes.
func New(next http.Handler, cfg Config) *Handler {
	return &Handler{next: next, cfg: cfg.withDefaults(), sessions: map[string]*session{}}
}

// Config returns the handler's configuration, with defaults applied.
func (h *Handler) Config() Config { return h.cfg }

// Stats are a Handler's counters, for metrics.
type Stats struct {
	// Sessions is the sessions held now.
	Sessions int
	// Opened counts the sessions opened (the handler accepted).
	Opened uint64
	// Reaped counts the sessions reaped while their connection was open:
	// their client went away without a word.
	Reaped uint64
	// BytesIn and BytesOut count the WebSocket bytes carried upstream and
	// downstream.
	BytesIn, BytesOut uint64
	// BufferedIn and BufferedOut are the bytes the sessions hold now:
	// received and not read by the handlers, written and not acknowledged.
	BufferedIn, BufferedOut int
}

// Stats returns the handler's counters.
func (h *Handler) Stats() Stats {
	h.mu.Lock()
	ss := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		ss = append(ss, s)
	}
	h.mu.Unlock()
	st := Stats{
		Sessions: len(ss),
		Opened:   h.opened.Load(),
		Reaped:   h.reaped.Load(),
		BytesIn:  h.bytesIn.Load(),
		BytesOut: h.bytesOut.Load(),
	}
	for _, s := range ss {
		up, down := s.buffered()
		st.BufferedIn += up
		st.BufferedOut += down
	}
	return st
}

// Close ends every session and refuses new ones (503). Sessions whose
// connection is still open end as when their client vanishes: the handler
// reads io.EOF. Those whose handler closed the connection keep serving
// their remaining bytes and End record to a receive under way. Close is
// meant for shutdown, after the handlers were asked to close their
// connections (with 1001).
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	ss := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		ss = append(ss, s)
	}
	h.mu.Unlock()
	for _, s := range ss {
		s.mu.Lock()
		done := !s.closed || s.active == 0
		if done {
			s.endLocked(errEnded)
		}
		s.mu.Unlock()
		if done {
			h.forget(s, false)
		}
	}
	return nil
}

// forget drops s from the sessions; reaped counts it as abandoned. It may
// be called with s.mu held.
func (h *Handler) forget(s *session, reaped bool) {
	h.mu.Lock()
	_, ok := h.sessions[s.id]
	delete(h.sessions, s.id)
	h.mu.Unlock()
	s.idle.Stop()
	if ok && reaped {
		h.reaped.Add(1)
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has(fallbackproto.ParamOp) {
		if q.Has(fallbackproto.ParamProbe) && isUpgrade(r) {
			probe(w, r)
			return
		}
		h.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	op := q.Get(fallbackproto.ParamOp)
	method := http.MethodPost
	if op == fallbackproto.OpRecv {
		method = http.MethodGet
	}
	if r.Method != method {
		w.Header().Set("Allow", method+", OPTIONS")
		http.Error(w, "fallback: "+op+" wants "+method, http.StatusMethodNotAllowed)
		return
	}
	switch op {
	case fallbackproto.OpOpen:
		h.open(w, r)
	case fallbackproto.OpRecv:
		if s := h.lookup(w, r); s != nil {
			h.recv(w, r, s)
		}
	case fallbackproto.OpSend:
		if s := h.lookup(w, r); s != nil {
			h.send(w, r, s)
		}
	default:
		http.Error(w, "fallback: unknown operation", http.StatusBadRequest)
	}
}

// probe accepts a WebSocket handshake and closes it at once with 1000: a
// client on the fallback learns that WebSockets get through again. Any
// origin may probe: nothing runs and nothing is revealed.
func probe(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	c.Close(websocket.StatusNormalClosure, "probe")
}

// preflight answers a CORS preflight for a fallback URL. The fallback's
// requests need none (GET, and POST without a Content-Type), but a client
// may add headers; what the actual request may do is decided by the
// actual request.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	if ah := r.Header.Get("Access-Control-Request-Headers"); ah != "" {
		h.Set("Access-Control-Allow-Headers", ah)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// allowCORS lets the page of origin read the answer, cookies included.
func allowCORS(w http.ResponseWriter, origin string) {
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Add("Vary", "Origin")
}

// lookup returns the session of a recv or send, or answers 404 (unknown
// or ended) or 403 (another origin) and returns nil.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) *session {
	id := r.URL.Query().Get(fallbackproto.ParamSession)
	h.mu.Lock()
	s := h.sessions[id]
	h.mu.Unlock()
	if s == nil {
		http.Error(w, "fallback: no such session", http.StatusNotFound)
		return nil
	}
	if !sameOrigin(r, s.origin) {
		http.Error(w, "fallback: the session belongs to another origin", http.StatusForbidden)
		return nil
	}
	allowCORS(w, r.Header.Get("Origin"))
	return s
}

// sameOrigin reports whether r may use a session opened from origin: its
// Origin header, when it has one, must be the open's exactly. Without one
// (browsers send none on same-origin GETs) it must not be a request that
// a browser marks as coming from another site.
func sameOrigin(r *http.Request, origin string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == origin
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	return true
}

// isUpgrade reports whether r asks for a WebSocket upgrade.
func isUpgrade(r *http.Request) bool {
	return hasToken(r.Header, "Connection", "upgrade") && hasToken(r.Header, "Upgrade", "websocket")
}

// newSessionID returns 128 random bits, base64url.
func newSessionID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// newSession registers a session for the open r, or returns nil when
// MaxSessions are held or the handler is closed.
func (h *Handler) newSession(r *http.Request) *session {
	s := &session{
		h:      h,
		id:     newSessionID(),
		origin: r.Header.Get("Origin"),
		remote: addr(r.RemoteAddr),
		sig:    make(chan struct{}),
		active: 1, // the open
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		s.local = la
	} else {
		s.local = addr(r.Host)
	}
	ctx := context.WithValue(context.WithoutCancel(r.Context()), fallbackKey{}, true)
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.idle = time.AfterFunc(time.Hour, s.idleCheck)
	s.idle.Stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || len(h.sessions) >= h.cfg.MaxSessions {
		s.cancel()
		return nil
	}
	h.sessions[s.id] = s
	return s
}

// addr is a net.Addr from a "host:port" string.
type addr string

func (a addr) Network() string { return "tcp" }
func (a addr) String() string  { return string(a) }

// fallbackKey marks the context of a request carried by the fallback.
type fallbackKey struct{}

// IsFallback reports whether r is a WebSocket handshake that the fallback
// made for one of its sessions: the connection the handler gets is carried
// by HTTP requests. Handlers need not care; it is there for metrics and
// logs.
func IsFallback(r *http.Request) bool {
	v, _ := r.Context().Value(fallbackKey{}).(bool)
	return v
}

// IsConn reports whether c is the connection of a fallback session, as
// Hijack returned it.
func IsConn(c net.Conn) bool {
	_, ok := c.(*session)
	return ok
}

package server

import (
	"net/http"

	"github.com/duplexgo/duplex/server/fallback"
)

// The HTTP fallback (package server/fallback) serves every WebSocket
// endpoint — /echo, /chat and the paths of Config.Routes — to clients
// whose WebSockets a proxy breaks. It wraps the server's whole handler: a
// fallback request never reaches Root or the 426 and 404 answers of plain
// requests; the WebSocket handshake it makes for a session reaches the
// endpoint's handler like any other, which runs unchanged on the session's
// virtual connection, with the same origin rules, limits, metrics and
// shutdown. The virtual connection has no file descriptor: it is never lean
// nor parked (see leanio.go and park.go), and its writes wait for the
// client's acknowledgements instead of a kernel buffer.

// Transports, the values of the transport label of the metrics.
const (
	transportWebSocket = "websocket"
	transportHTTP      = "http"
)

// transports are the label values, in exposition order.
var transports = []string{transportWebSocket, transportHTTP}

// transportOf returns the transport that carries the connection of the
// handshake r.
func transportOf(r *http.Request) string {
	if fallback.IsFallback(r) {
		return transportHTTP
	}
	return transportWebSocket
}

// withFallback wraps h with the HTTP fallback, unless it is disabled.
func (s *Server) withFallback(h http.Handler) http.Handler {
	if s.cfg.DisableFallback {
		return h
	}
	cfg := s.cfg.Fallback
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	s.fallback = fallback.New(h, cfg)
	s.metrics.fallback = s.fallback.Stats
	return s.fallback
}

// closeFallback ends the fallback's sessions at shutdown, once their
// connections were closed with 1001: what remains is abandoned.
func (s *Server) closeFallback() {
	if s.fallback != nil {
		s.fallback.Close()
	}
}

// shutdownOnFallback reports whether c is carried by the HTTP fallback and
// the server is shutting down.
func (c *wsConn) shutdownOnFallback() bool {
	return c.srv.shuttingDown.Load() && fallback.IsConn(c.raw.Conn)
}

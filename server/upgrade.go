package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// isWebSocketUpgrade reports whether r asks for a WebSocket upgrade: its
// Connection header lists "upgrade" and its Upgrade header lists "websocket".
func isWebSocketUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether the comma-separated header key contains
// token, case-insensitively.
func headerHasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// isPageRequest reports whether r, which asks for no WebSocket upgrade, is
// a browser asking for a page: a GET or HEAD whose Accept header lists
// text/html with a quality above zero. curl, scripts and other clients send
// no Accept header, or */*, and are not.
func isPageRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return acceptsHTML(r.Header)
}

// acceptsHTML reports whether the Accept header lists the media type
// text/html, without "q=0".
func acceptsHTML(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		for rng := range strings.SplitSeq(v, ",") {
			typ, params, _ := strings.Cut(rng, ";")
			if !strings.EqualFold(strings.TrimSpace(typ), "text/html") {
				continue
			}
			if !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

// zeroQuality reports whether the parameters of a media range set q to 0.
func zeroQuality(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		return err == nil && q <= 0
	}
	return false
}

// upgradeRequired answers a plain HTTP request on a WebSocket path with 426
// Upgrade Required and a short explanation.
func (s *Server) upgradeRequired(w http.ResponseWriter, r *http.Request) {
	s.metrics.rejectedHandshake("not_websocket")
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	h := w.Header()
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Version", "13")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusUpgradeRequired)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, "426 Upgrade Required: %s is a WebSocket endpoint; connect to it with a WebSocket client at %s://%s%s\n",
			r.URL.Path, scheme, r.Host, r.URL.Path)
	}
	s.log.Debug("plain HTTP request on a WebSocket path", "remote", r.RemoteAddr, "path", r.URL.Path, "method", r.Method)
}

// refuse answers a handshake with an HTTP error before any upgrade.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	s.metrics.rejectedHandshake(reason)
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "5")
	}
	http.Error(w, msg, status)
	s.log.Warn("websocket handshake refused", "remote", r.RemoteAddr, "path", r.URL.Path,
		"status", status, "reason", reason)
}

// upgrade performs the WebSocket handshake of a request already known to ask
// for one. It enforces the per-address connection limit (429), the
// connection limit (503) and shutdown (503), lets
// coder/websocket check the origin (403) and headers (400, 405), and returns
// the registered connection, or nil when the handshake was refused, in which
// case the response has been written. The caller must call finish on the
// returned connection.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, path string, opts *websocket.AcceptOptions, readLimit int64) *wsConn {
	return s.upgradeConn(w, r, path, opts, readLimit, false)
}

// upgradeConn is upgrade, with lean connections (see leanio.go) when lean is
// set: the caller then writes each message between the countingConn's hold
// and release.
func (s *Server) upgradeConn(w http.ResponseWriter, r *http.Request, path string, opts *websocket.AcceptOptions, readLimit int64, lean bool) *wsConn {
	begin := time.Now()
	if s.reg.isClosed() {
		s.refuse(w, r, http.StatusServiceUnavailable, "shutdown", "server shutting down")
		return nil
	}
	ip := ipKey(r.RemoteAddr)
	if !s.ipConns.acquire(ip) {
		s.refuse(w, r, http.StatusTooManyRequests, "ip_conns",
			fmt.Sprintf("too many connections from your address (at most %d), try again later", s.cfg.MaxConnsPerIP))
		return nil
	}
	if !s.limiter.acquire() {
		s.ipConns.release(ip)
		s.refuse(w, r, http.StatusServiceUnavailable, "limit", "too many connections, try again later")
		return nil
	}
	uw := &upgradeWriter{ResponseWriter: w, lean: lean}
	ws, err := websocket.Accept(uw, r, opts)
	if err != nil {
		s.ipConns.release(ip)
		s.limiter.release()
		if uw.conn != nil {
			uw.conn.Close()
		}
		s.handshakeFailed(r, uw.status, err)
		return nil
	}
	ws.SetReadLimit(readLimit)

	transport := transportOf(r)
	pm := s.metrics.path(path, transport)
	pm.handshake.observe(time.Since(begin))
	c := &wsConn{
		srv:    s,
		id:     s.nextID.Add(1),
		ws:     ws,
		raw:    uw.conn,
		path:   path,
		remote: r.RemoteAddr,
		ip:     ip, // its slot is given back by finish
		start:  time.Now(),
		pm:     pm,
	}
	if transport != transportWebSocket {
		c.attrs = append(c.attrs, "transport", transport)
	}
	if lean {
		// /echo's loop needs no context (see echo): none is kept.
		c.ctx, c.cancel = context.Background(), func() {}
	} else {
		c.ctx, c.cancel = context.WithCancel(context.Background())
	}
	pm.open.Add(1)
	pm.total.Add(1)
	if !s.reg.add(c) {
		// Shutdown started during the handshake.
		c.closeWith(websocket.StatusGoingAway, "server shutting down", "server")
		c.cancel()
		c.pm.open.Add(-1)
		s.metrics.closed(int(websocket.StatusGoingAway))
		s.limiter.release()
		s.ipConns.release(ip)
		return nil
	}
	if s.cfg.PingInterval > 0 {
		c.startKeepalive(s.cfg.PingInterval)
	}
	return c
}

// handshakeFailed logs and counts a handshake that websocket.Accept refused.
func (s *Server) handshakeFailed(r *http.Request, status int, err error) {
	switch status {
	case http.StatusForbidden:
		s.metrics.rejectedHandshake("origin")
		s.log.Warn("websocket origin refused", "remote", r.RemoteAddr, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "host", r.Host, "status", status)
	default:
		s.metrics.rejectedHandshake("bad_request")
		s.log.Info("websocket handshake failed", "remote", r.RemoteAddr, "path", r.URL.Path,
			"status", status, "err", err)
	}
}

// acceptOptions returns the coder/websocket options shared by every path.
func (s *Server) acceptOptions() websocket.AcceptOptions {
	mode := websocket.CompressionDisabled
	if s.cfg.Compression {
		mode = websocket.CompressionNoContextTakeover
	}
	return websocket.AcceptOptions{CompressionMode: mode}
}

package fallback

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// keptHeaders are the headers of an open that its handler sees in the
// WebSocket handshake made for it; the fallback sets the handshake's own.
var keptHeaders = []string{
	"Origin", "Cookie", "User-Agent", "Authorization", "Accept-Language",
	"Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-Ip",
}

// ownParams are the fallback's query parameters, which the handler does
// not see.
var ownParams = map[string]bool{
	fallbackproto.ParamOp: true, fallbackproto.ParamSession: true, fallbackproto.ParamProtocols: true,
	fallbackproto.ParamAck: true, fallbackproto.ParamOffset: true, fallbackproto.ParamMode: true,
	fallbackproto.ParamProbe: true,
}

// hopHeaders are not copied from a refused handshake to the open's answer.
var hopHeaders = []string{
	"Connection", "Upgrade", "Keep-Alive", "Transfer-Encoding", "Te", "Trailer",
	"Proxy-Connection", "Content-Length", "Sec-Websocket-Accept", "Sec-Websocket-Extensions",
}

// maxRefusalBody bounds the body of a refusal passed on to the client.
const maxRefusalBody = 64 << 10

// open runs the handler on a new session and answers with the session, or
// with the handler's refusal.
func (h *Handler) open(w http.ResponseWriter, r *http.Request) {
	s := h.newSession(r)
	if s == nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "fallback: too many sessions, try again later", http.StatusServiceUnavailable)
		return
	}
	defer s.end()
	ow := &openWriter{s: s, header: http.Header{}, decided: make(chan struct{})}
	hr := upgradeRequest(r, s)
	go func() {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				h.cfg.Logger.Error("fallback: handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
			}
			if !ow.returned() {
				h.forget(s, false)
			}
		}()
		h.next.ServeHTTP(ow, hr)
	}()
	select {
	case <-ow.decided:
	case <-r.Context().Done():
		return // the client gave up; an accepted session is reaped
	}
	ow.mu.Lock()
	status, header, body := ow.status, ow.header.Clone(), bytes.Clone(ow.body.Bytes())
	ow.mu.Unlock()
	if status == http.StatusSwitchingProtocols {
		h.opened.Add(1)
		allowCORS(w, s.origin)
		for _, c := range header.Values("Set-Cookie") {
			w.Header().Add("Set-Cookie", c)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		o := fallbackproto.Open{
			Session:   s.id,
			Protocol:  header.Get("Sec-WebSocket-Protocol"),
			Heartbeat: h.cfg.Heartbeat,
			Poll:      h.cfg.Poll,
			Window:    h.cfg.Window,
			Idle:      h.cfg.Idle,
		}
		w.Write(o.Marshal())
		return
	}
	// Refused: the handler's answer, as a handshake would have got it.
	h.forget(s, false)
	s.mu.Lock()
	s.endLocked(errEnded)
	s.mu.Unlock()
	if status == 0 || status/100 == 2 || status/100 == 1 {
		http.Error(w, "fallback: the endpoint answered without accepting a WebSocket", http.StatusBadGateway)
		return
	}
	for _, k := range hopHeaders {
		header.Del(k)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(body)
}

// upgradeRequest returns the WebSocket handshake the handler gets for the
// open r: GET on the same URL without the fallback's parameters, with the
// open's origin, cookies and address, the requested subprotocols, no
// extensions (so no compression is negotiated: the bytes already travel
// over HTTP) and the session's context.
func upgradeRequest(r *http.Request, s *session) *http.Request {
	hr := r.Clone(s.ctx)
	hr.Method = http.MethodGet
	hr.Proto, hr.ProtoMajor, hr.ProtoMinor = "HTTP/1.1", 1, 1
	hr.Body, hr.GetBody, hr.ContentLength = http.NoBody, nil, 0
	hr.TransferEncoding, hr.Trailer, hr.Close = nil, nil, false
	hr.Form, hr.PostForm, hr.MultipartForm = nil, nil, nil
	header := http.Header{}
	for _, k := range keptHeaders {
		if v := r.Header.Values(k); len(v) > 0 {
			header[k] = append([]string(nil), v...)
		}
	}
	var key [16]byte
	rand.Read(key[:])
	header.Set("Connection", "Upgrade")
	header.Set("Upgrade", "websocket")
	header.Set("Sec-WebSocket-Version", "13")
	header.Set("Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(key[:]))
	if p := r.URL.Query().Get(fallbackproto.ParamProtocols); p != "" {
		header.Set("Sec-WebSocket-Protocol", p)
	}
	hr.Header = header
	hr.URL.RawQuery = withoutOwnParams(r.URL.RawQuery)
	hr.RequestURI = hr.URL.RequestURI()
	return hr
}

// withoutOwnParams removes the fallback's parameters from a raw query,
// keeping the others as they were, in order.
func withoutOwnParams(raw string) string {
	var kept []string
	for pair := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); pair == "" || err == nil && ownParams[uk] {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(kept, "&")
}

// hasToken reports whether the comma-separated header key lists token,
// case-insensitively.
func hasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// openWriter is the http.ResponseWriter the handler gets for an open. It
// keeps a refusal (status, header, body) for the open's answer, and hands
// the session over as the connection when the handler hijacks.
type openWriter struct {
	s       *session
	decided chan struct{} // closed once the handler accepted or refused

	mu       sync.Mutex
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
	once     sync.Once
}

func (w *openWriter) decide() { w.once.Do(func() { close(w.decided) }) }

// returned is called when the handler returns; it reports whether the
// handler hijacked the connection.
func (w *openWriter) returned() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.hijacked && w.status == 0 {
		w.status = http.StatusOK
	}
	w.decide()
	return w.hijacked
}

// Header implements http.ResponseWriter.
func (w *openWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter.
func (w *openWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hijacked || w.status != 0 && w.status != http.StatusSwitchingProtocols {
		return
	}
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.status = code
	}
}

// Write implements http.ResponseWriter.
func (w *openWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := maxRefusalBody - w.body.Len(); room > 0 {
		w.body.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Flush implements http.Flusher; nothing is sent before the handler
// decides.
func (w *openWriter) Flush() {}

// Hijack implements http.Hijacker: the connection is the session.
func (w *openWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hijacked {
		return nil, nil, http.ErrHijacked
	}
	w.hijacked = true
	if w.status == http.StatusSwitchingProtocols {
		w.decide()
	} else {
		// The handler writes its response head itself.
		w.s.mu.Lock()
		w.s.head = &bytes.Buffer{}
		w.s.onHead = func(status int, header http.Header) {
			w.mu.Lock()
			w.status, w.header = status, header
			w.mu.Unlock()
			w.decide()
		}
		w.s.mu.Unlock()
	}
	s := w.s
	return s, bufio.NewReadWriter(bufio.NewReader(s), bufio.NewWriter(s)), nil
}

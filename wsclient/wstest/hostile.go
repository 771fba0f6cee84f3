//go:build !js

package wstest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HostileMode is what a HostileProxy does to the traffic it forwards; the
// zero value forwards everything faithfully. Modes combine.
type HostileMode struct {
	// StripUpgrade, when not 0, answers every WebSocket handshake with this
	// status (400, 403, 502...) instead of forwarding it, as a proxy that
	// strips Upgrade or refuses it does; plain HTTP passes.
	StripUpgrade int
	// Buffer reads each whole response from the target before sending any
	// of it: a stream arrives only once it has ended.
	Buffer bool
	// CutAfter, when not 0, closes the client's connection of any request
	// still running after this long, as proxies that bound requests do.
	CutAfter time.Duration
}

// HostileProxy is an HTTP reverse proxy on 127.0.0.1 in front of a target,
// that breaks WebSockets the ways real proxies do (see HostileMode).
type HostileProxy struct {
	ln     net.Listener
	srv    *http.Server
	target *url.URL
	rp     *httputil.ReverseProxy

	mu   sync.Mutex
	mode HostileMode
	cuts int
}

// connKey carries a request's client connection in its context.
type connKey struct{}

// NewHostileProxy listens on 127.0.0.1 and forwards to target
// ("http://host:port") in mode.
func NewHostileProxy(target string, mode HostileMode) (*HostileProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &HostileProxy{ln: ln, target: u, mode: mode}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // as a transparent proxy: the page's host
		},
		FlushInterval:  -1, // faithful streaming unless buffering
		ModifyResponse: p.modifyResponse,
		ErrorLog:       nil,
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	go p.srv.Serve(ln)
	return p, nil
}

// URL is the proxy's "http://127.0.0.1:port".
func (p *HostileProxy) URL() string { return "http://" + p.ln.Addr().String() }

// Addr is the proxy's "127.0.0.1:port".
func (p *HostileProxy) Addr() string { return p.ln.Addr().String() }

// Mode returns the current mode.
func (p *HostileProxy) Mode() HostileMode { p.mu.Lock(); defer p.mu.Unlock(); return p.mode }

// SetMode changes the mode for the requests that start from now on.
func (p *HostileProxy) SetMode(m HostileMode) { p.mu.Lock(); p.mode = m; p.mu.Unlock() }

// Cuts returns how many requests CutAfter has cut.
func (p *HostileProxy) Cuts() int { p.mu.Lock(); defer p.mu.Unlock(); return p.cuts }

// Close stops the proxy and closes its connections.
func (p *HostileProxy) Close() error { return p.srv.Close() }

func (p *HostileProxy) serve(w http.ResponseWriter, r *http.Request) {
	m := p.Mode()
	if m.StripUpgrade != 0 && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "hostile proxy: no WebSockets here", m.StripUpgrade)
		return
	}
	if m.CutAfter > 0 {
		if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
			t := time.AfterFunc(m.CutAfter, func() {
				p.mu.Lock()
				p.cuts++
				p.mu.Unlock()
				c.Close()
			})
			defer t.Stop()
		}
	}
	if m.Buffer {
		r = r.WithContext(context.WithValue(r.Context(), bufferKey{}, true))
	}
	p.rp.ServeHTTP(w, r)
}

// bufferKey marks a request whose response is buffered whole.
type bufferKey struct{}

// modifyResponse buffers the whole response in Buffer mode.
func (p *HostileProxy) modifyResponse(resp *http.Response) error {
	if buffer, _ := resp.Request.Context().Value(bufferKey{}).(bool); !buffer || resp.StatusCode == http.StatusSwitchingProtocols {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.TransferEncoding = nil
	return nil
}

// Handler controls the proxy over HTTP, for tests running in a browser:
//
//	POST mode?strip=403&buffer=1&cut=2s   set the mode (absent: off)
//	GET  info                             {"url", "strip", "buffer", "cut", "cuts"}
func (p *HostileProxy) Handler() http.Handler {
	mux := http.NewServeMux()
	info := func(w http.ResponseWriter) {
		m := p.Mode()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"url": p.URL(), "strip": m.StripUpgrade, "buffer": m.Buffer,
			"cut": m.CutAfter.String(), "cuts": p.Cuts()})
	}
	mux.HandleFunc("POST /mode", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var m HostileMode
		var err error
		if s := q.Get("strip"); s != "" {
			m.StripUpgrade, err = strconv.Atoi(s)
		}
		if s := q.Get("cut"); s != "" && err == nil {
			m.CutAfter, err = time.ParseDuration(s)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.Buffer = q.Get("buffer") == "1"
		p.SetMode(m)
		info(w)
	})
	mux.HandleFunc("GET /info", func(w http.ResponseWriter, r *http.Request) { info(w) })
	return mux
}

//go:build !js

package wstest

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"
)

// Proxy is a fault-injecting TCP proxy on 127.0.0.1 for tests: it forwards
// every connection to a target and, on demand, cuts them all, black-holes
// their traffic (a half-open connection: nothing closes, nothing arrives),
// delays it, or refuses new connections (a server that is down).
type Proxy struct {
	ln     net.Listener
	target string

	mu        sync.Mutex
	conns     map[net.Conn]net.Conn // client side → server side
	blackhole bool
	down      bool
	delay     time.Duration
	accepts   []time.Time
	cuts      int
	closed    bool
}

// NewProxy listens on 127.0.0.1 and forwards to target ("host:port").
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: make(map[net.Conn]net.Conn)}
	go p.acceptLoop()
	return p, nil
}

// Addr is the proxy's "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.accepts = append(p.accepts, time.Now())
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client] = server
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.copy(server, client); done <- struct{}{} }()
	go func() { p.copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	p.mu.Unlock()
}

// copy forwards src to dst, applying the current faults to each chunk.
func (p *Proxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			hole, delay := p.blackhole, p.delay
			p.mu.Unlock()
			if delay > 0 {
				time.Sleep(delay)
			}
			if !hole {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// Cut closes every open connection at once, as a dropped network would
// (no close frame), and returns how many it cut.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c, s := range p.conns {
		c.Close()
		s.Close()
		n++
	}
	p.cuts++
	return n
}

// SetBlackhole makes every connection, open or new, silently lose its
// traffic in both directions (on) or forward again (off).
func (p *Proxy) SetBlackhole(on bool) { p.mu.Lock(); p.blackhole = on; p.mu.Unlock() }

// SetDown makes the proxy close new connections at once (on), like a server
// that is down, or forward them again (off).
func (p *Proxy) SetDown(on bool) { p.mu.Lock(); p.down = on; p.mu.Unlock() }

// SetDelay delays every chunk of traffic by d.
func (p *Proxy) SetDelay(d time.Duration) { p.mu.Lock(); p.delay = d; p.mu.Unlock() }

// Open returns the number of connections being forwarded now.
func (p *Proxy) Open() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.conns) }

// Accepts returns the time of every connection the proxy accepted.
func (p *Proxy) Accepts() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.accepts...)
}

// Close stops the proxy and cuts its connections.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.Cut()
	return p.ln.Close()
}

// Handler controls the proxy over HTTP, for tests running in a browser:
//
//	POST cut             cut every connection; answers {"cut": n}
//	POST blackhole?on=1  black-hole (on=0: forward again)
//	POST down?on=1       refuse new connections (on=0: accept again)
//	GET  info            {"addr", "open", "accepts"}
func (p *Proxy) Handler() http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]int{"cut": p.Cut()})
	})
	mux.HandleFunc("/blackhole", func(w http.ResponseWriter, r *http.Request) {
		p.SetBlackhole(r.URL.Query().Get("on") == "1")
		reply(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		p.SetDown(r.URL.Query().Get("on") == "1")
		reply(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("/info", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"addr": p.Addr(), "open": p.Open(), "accepts": len(p.Accepts())})
	})
	return mux
}

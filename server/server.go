package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexgo/duplex/server/fallback"
)

// Server serves /echo, /chat, /healthz, /metrics and the Root handler.
// Create it with New. It can run its own listeners (ListenAndServe, Serve)
// or be mounted in another http.Server through Handler; in both cases
// Shutdown closes its WebSocket connections gracefully.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	limiter *connLimiter
	ipConns *ipLimiter
	reg     *registry
	hub     *hub
	handler http.Handler
	mux     *http.ServeMux
	routes  map[string]http.HandlerFunc // Config.Routes, by path
	mem     *memoryReleaser
	nextID  atomic.Uint64

	fallback *fallback.Handler // nil when Config.DisableFallback (see fallback.go)

	shuttingDown atomic.Bool
	mu           sync.Mutex
	servers      map[*http.Server]struct{}
	shutdownOnce sync.Once
	shutdownDone chan struct{} // closed when a Shutdown call has finished
}

// New returns a Server for cfg, with defaults applied to its zero fields.
// Configuration errors (see Config.Validate) are reported by Serve and
// ListenAndServe.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		metrics: newMetrics("/echo", "/chat"),
		limiter: newConnLimiter(cfg.MaxConns),
		ipConns: newIPLimiter(cfg.MaxConnsPerIP),
		reg:     newRegistry(),
		hub:     newHub(cfg.hubConfig()),
		servers: map[*http.Server]struct{}{},

		shutdownDone: make(chan struct{}),
	}
	s.metrics.rooms = s.hub.count
	s.metrics.chat = &s.hub.stats
	s.mem = newMemoryReleaser(s.reg.takePeak, s.log)
	s.metrics.memReleases = &s.mem.releases

	root := cfg.Root
	if root == nil {
		root = http.FileServer(http.Dir(cfg.WebDir))
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/echo", s.handleEcho)
	s.mux.HandleFunc("/chat", s.handleChat)
	s.mux.Handle("/healthz", s.noEndpoint(http.HandlerFunc(s.handleHealth)))
	s.mux.Handle("/metrics", s.noEndpoint(http.HandlerFunc(s.handleMetrics)))
	s.mux.Handle("/", s.noEndpoint(root))
	s.routes = s.routeHandlers(cfg.Routes)
	s.handler = s.withFallback(http.HandlerFunc(s.serveHTTP))
	return s
}

// serveHTTP serves the routes of Config.Routes, and hands every other path
// to the mux.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := s.routes[r.URL.Path]; ok {
		h(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	return s.handler
}

// handleHealth answers 200 "ok", or 503 once shutdown has started so that
// load balancers stop sending traffic.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.shuttingDown.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// handleMetrics serves the Prometheus metrics.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.metrics.ServeHTTP(w, r)
}

// ListenAndServe listens on Config.Addr and serves until ctx is cancelled,
// then shuts down gracefully within Config.ShutdownTimeout. It returns nil
// after a graceful shutdown.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves connections accepted from ln (over TLS when Config.TLSCert
// and TLSKey are set) until ctx is cancelled, then shuts down gracefully
// within Config.ShutdownTimeout. It returns nil after a graceful shutdown,
// and closes ln in every case.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.cfg.Validate(); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if s.cfg.tlsEnabled() {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("loading TLS certificate: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	s.mu.Lock()
	if s.shuttingDown.Load() {
		s.mu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	}
	s.servers[hs] = struct{}{}
	s.mu.Unlock()
	s.mem.start(s.cfg.FreeMemoryInterval)
	defer func() {
		s.mu.Lock()
		delete(s.servers, hs)
		s.mu.Unlock()
	}()

	errc := make(chan error, 1)
	go func() {
		if s.cfg.tlsEnabled() {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	s.log.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+displayAddr(ln.Addr())+"/")

	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			<-s.shutdownDone // Shutdown was called directly: wait for it.
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Shutdown stops the server gracefully: listeners stop accepting, /healthz
// answers 503, new handshakes get 503, every open WebSocket connection is
// sent close 1001 "server shutting down", and Shutdown waits for them and
// for in-flight HTTP requests. When ctx expires first, what remains is
// closed at once and ctx's error is returned; nothing is left open either way.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shuttingDown.Store(true)
	servers := make([]*http.Server, 0, len(s.servers))
	for hs := range s.servers {
		servers = append(servers, hs)
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "websockets", s.reg.count())
	start := time.Now()
	s.mem.halt()

	var wg sync.WaitGroup
	errs := make([]error, len(servers)+1)
	for i, hs := range servers {
		wg.Go(func() {
			if err := hs.Shutdown(ctx); err != nil {
				hs.Close()
				errs[i] = err
			}
		})
	}
	errs[len(servers)] = s.reg.shutdown(ctx)
	s.closeFallback()
	wg.Wait()
	err := errors.Join(errs...)
	if err != nil {
		s.log.Warn("shutdown incomplete, connections dropped", "err", err, "duration", time.Since(start).Round(time.Millisecond))
	} else {
		s.log.Info("shutdown complete", "duration", time.Since(start).Round(time.Millisecond))
	}
	s.shutdownOnce.Do(func() { close(s.shutdownDone) })
	return err
}

// displayAddr returns a for humans: "localhost:8000" rather than "[::]:8000"
// when listening on every interface.
func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", strconv.Itoa(ta.Port))
	}
	return a.String()
}

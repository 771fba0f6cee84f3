package server

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/duplexgo/duplex/server/chatproto"
)

// endpointPaths are the server's WebSocket endpoints, the targets a route
// may have.
var endpointPaths = []string{"/echo", "/chat"}

// ownPaths are the paths the server serves itself; no route may take one.
var ownPaths = []string{"/", "/echo", "/chat", "/healthz", "/metrics"}

// validateRoutes reports the problems of Config.Routes, sorted by path.
func validateRoutes(routes map[string]string) []error {
	var errs []error
	for _, p := range slices.Sorted(maps.Keys(routes)) {
		target := routes[p]
		if err := validateRoute(p, target); err != nil {
			errs = append(errs, fmt.Errorf("route %s=%s: %w", p, target, err))
		}
	}
	return errs
}

// routeQueryKeys are the query parameters a route to /chat may set, for
// pages that cannot: -route /socket/server/startDaemon.php=/chat?format=text
// puts the classic tutorial's chat page, which sends plain text, in a room.
var routeQueryKeys = []string{chatproto.FormatParam, "room", "name"}

// validateRoute reports what is wrong with serving endpoint target at p.
func validateRoute(p, target string) error {
	endpoint, query, _ := strings.Cut(target, "?")
	q, qerr := url.ParseQuery(query)
	switch {
	case !slices.Contains(endpointPaths, endpoint):
		return fmt.Errorf("%q is not an endpoint (want %s)", endpoint, strings.Join(endpointPaths, " or "))
	case query != "" && endpoint != "/chat":
		return fmt.Errorf("only a route to /chat may have a query")
	case qerr != nil:
		return fmt.Errorf("the target's query: %v", qerr)
	case slices.ContainsFunc(slices.Collect(maps.Keys(q)), func(k string) bool { return !slices.Contains(routeQueryKeys, k) }):
		return fmt.Errorf("the target's query may set only %s", strings.Join(routeQueryKeys, ", "))
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("the path must start with /")
	case slices.Contains(ownPaths, p):
		return fmt.Errorf("%s is served by the server itself", p)
	case strings.ContainsAny(p, "?#"):
		return fmt.Errorf("the path must have no query or fragment")
	case cleanPath(p) != p:
		return fmt.Errorf("the path is not clean (want %s)", cleanPath(p))
	}
	return nil
}

// cleanPath is path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// routeHandlers returns the handlers of the valid routes of cfg, by path.
func (s *Server) routeHandlers(routes map[string]string) map[string]http.HandlerFunc {
	endpoints := map[string]http.HandlerFunc{"/echo": s.handleEcho, "/chat": s.handleChat}
	out := map[string]http.HandlerFunc{}
	for p, target := range routes {
		if validateRoute(p, target) != nil {
			continue
		}
		endpoint, query, _ := strings.Cut(target, "?")
		h := endpoints[endpoint]
		if query == "" {
			out[p] = h
			continue
		}
		defaults, _ := url.ParseQuery(query)
		out[p] = func(w http.ResponseWriter, r *http.Request) {
			// The target's parameters, unless the request has its own.
			q := r.URL.Query()
			for k, v := range defaults {
				if !q.Has(k) {
					q[k] = v
				}
			}
			r2 := r.Clone(r.Context())
			r2.URL.RawQuery = q.Encode()
			h(w, r2)
		}
	}
	return out
}

// endpointList describes the WebSocket endpoints for a 404: "/echo, /chat,
// /x (/echo)".
func (s *Server) endpointList() string {
	list := slices.Clone(endpointPaths)
	for _, p := range slices.Sorted(maps.Keys(s.routes)) {
		list = append(list, p+" ("+s.cfg.Routes[p]+")")
	}
	return strings.Join(list, ", ")
}

// noEndpoint wraps the handlers of the paths that are no WebSocket
// endpoint (Root, /healthz, /metrics): a WebSocket handshake never reaches
// them, and gets a 404 that names the endpoints.
func (s *Server) noEndpoint(root http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWebSocketUpgrade(r) {
			root.ServeHTTP(w, r)
			return
		}
		s.metrics.rejectedHandshake("no_endpoint")
		s.log.Warn("websocket handshake on a path with no endpoint", "remote", r.RemoteAddr,
			"path", r.URL.Path, "origin", r.Header.Get("Origin"), "status", http.StatusNotFound)
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "404 Not Found: no WebSocket endpoint at %s\nWebSocket endpoints here: %s\n", r.URL.Path, s.endpointList())
		if validateRoute(r.URL.Path, "/echo") == nil {
			fmt.Fprintf(w, "To serve /echo at this path too, start duplexd with -route %s=/echo (Config.Routes in Go).\n", r.URL.Path)
		}
	})
}

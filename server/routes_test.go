package server

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// tutorialPath is where the classic jQuery WebSocket tutorial's chat page
// connects.
const tutorialPath = "/socket/server/startDaemon.php"

// A route serves its endpoint at another path: /echo at the tutorial's path
// (with Origin null, as from a file:// page), /chat at another; the
// connections count and log under the endpoint, and a plain request on a
// route gets the endpoint's 426.
func TestRoutes(t *testing.T) {
	ctx := testCtx(t)
	ts := startServer(t, Config{Routes: map[string]string{tutorialPath: "/echo", "/rooms/": "/chat"}})

	c := dial(t, ctx, ts.ws(tutorialPath), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"null"}}})
	echoOnce(t, ctx, c, "hello from the tutorial")
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 1)
	ts.logs.waitFor(t, "of the routed connection opening", func(r map[string]any) bool {
		return r["msg"] == "websocket open" && r["path"] == "/echo"
	})
	c.Close(websocket.StatusNormalClosure, "")

	chat := dial(t, ctx, ts.ws("/rooms/?room=r&name=ann"), nil)
	if ev := readEvent(t, ctx, chat); ev.Type != chatproto.TypeWelcome || ev.Room != "r" || ev.You != "ann" {
		t.Fatalf("routed /chat: first event %+v, want a welcome to r as ann", ev)
	}
	ts.waitMetric(t, `duplex_connections_total{path="/chat"}`, 1)

	resp, body := httpGet(t, ctx, nil, ts.url(tutorialPath), nil)
	if resp.StatusCode != http.StatusUpgradeRequired || !strings.Contains(body, "WebSocket endpoint") {
		t.Errorf("plain GET on a route: %d %q, want 426", resp.StatusCode, body)
	}
	// Only the exact path is routed.
	if status, _ := dialStatus(t, ctx, ts.ws(tutorialPath+"/x"), nil); status != http.StatusNotFound {
		t.Errorf("handshake below a route: %d, want 404", status)
	}
}

// A WebSocket handshake on a path that is no endpoint gets a 404 naming the
// endpoints, and one warn line with the path, origin and remote address; it
// never reaches Root. Plain requests on the same paths still go to Root.
func TestHandshakeWithoutEndpoint(t *testing.T) {
	ctx := testCtx(t)
	var rootCalls atomic.Int32
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rootCalls.Add(1)
		http.Error(w, "the app's own 404", http.StatusNotFound)
	})
	ts := startServer(t, Config{Root: root, Routes: map[string]string{"/ws": "/echo"}})

	status, body := dialStatus(t, ctx, ts.ws(tutorialPath), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"null"}}})
	if status != http.StatusNotFound {
		t.Fatalf("handshake on %s: %d, want 404", tutorialPath, status)
	}
	for _, want := range []string{"no WebSocket endpoint at " + tutorialPath, "/echo, /chat, /ws (/echo)", "-route " + tutorialPath + "=/echo"} {
		if !strings.Contains(body, want) {
			t.Errorf("404 body lacks %q:\n%s", want, body)
		}
	}
	rec := ts.logs.waitFor(t, "warning of the handshake", func(r map[string]any) bool {
		return r["msg"] == "websocket handshake on a path with no endpoint"
	})
	if rec["level"] != "WARN" || rec["path"] != tutorialPath || rec["origin"] != "null" || !strings.HasPrefix(rec["remote"].(string), "127.0.0.1:") {
		t.Errorf("log record %v", rec)
	}

	// "/" and the plain HTTP endpoints are no WebSocket endpoints either; a
	// route to them would be refused, so the body suggests none.
	for _, p := range []string{"/", "/healthz", "/metrics"} {
		status, body := dialStatus(t, ctx, ts.ws(p), nil)
		if status != http.StatusNotFound || !strings.Contains(body, "WebSocket endpoints here: /echo, /chat") || strings.Contains(body, "-route") {
			t.Errorf("handshake on %s: %d %q, want 404 without a route suggestion", p, status, body)
		}
	}
	if n := rootCalls.Load(); n != 0 {
		t.Errorf("Root saw %d handshakes", n)
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="no_endpoint"}`); got != 4 {
		t.Errorf("rejected handshakes counted: %v, want 4", got)
	}

	// A plain request is the app's business.
	resp, body := httpGet(t, ctx, nil, ts.url(tutorialPath), nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "the app's own 404") || rootCalls.Load() != 1 {
		t.Errorf("plain GET %s: %d %q (Root called %d times), want Root's 404", tutorialPath, resp.StatusCode, body, rootCalls.Load())
	}
	if resp, _ := httpGet(t, ctx, nil, ts.url("/healthz"), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("plain GET /healthz: %d", resp.StatusCode)
	}
}

func TestValidateRoutes(t *testing.T) {
	for routes, want := range map[[2]string]string{
		{tutorialPath, "/echo"}:            "",
		{"/rooms/", "/chat"}:               "",
		{"/x", "/nope"}:                    `"/nope" is not an endpoint (want /echo or /chat)`,
		{"/x", "echo"}:                     "not an endpoint",
		{"/x", "/healthz"}:                 "not an endpoint",
		{"x", "/echo"}:                     "must start with /",
		{"", "/echo"}:                      "must start with /",
		{"/", "/echo"}:                     "/ is served by the server itself",
		{"/echo", "/chat"}:                 "/echo is served by the server itself",
		{"/metrics", "/echo"}:              "served by the server itself",
		{"/a//b", "/echo"}:                 "not clean (want /a/b)",
		{"/a/../b", "/echo"}:               "not clean (want /b)",
		{"/a/./b/", "/echo"}:               "not clean (want /a/b/)",
		{"/a?b=c", "/echo"}:                "no query",
		{"/a#top", "/echo"}:                "no query or fragment",
		{"/a%20b", "/echo"}:                "",
		{"/x.php", "/echo"}:                "",
		{"/chat/room", "/chat"}:            "",
		{"/echo/", "/echo"}:                "",
		{"/healthz/x", "/chat"}:            "",
		{"/UPPER/Case", "/echo"}:           "",
		{"/t", "/chat?format=text&room=r"}: "",
		{"/t", "/echo?format=text"}:        "only a route to /chat may have a query",
		{"/t", "/chat?origin=x"}:           "may set only format, room, name",
		{"/t", "/chat?room=%zz"}:           "the target's query",
	} {
		err := Config{Routes: map[string]string{routes[0]: routes[1]}}.Validate()
		switch {
		case want == "" && err != nil:
			t.Errorf("route %s=%s: %v", routes[0], routes[1], err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("route %s=%s: %v, want an error about %q", routes[0], routes[1], err, want)
		}
	}
	// Every bad route is reported, in the order of their paths.
	err := Config{Routes: map[string]string{"/b": "/x", "/a": "/y", "/c": "/echo"}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "route /a=/y") || strings.Index(err.Error(), "/a=") > strings.Index(err.Error(), "/b=") {
		t.Errorf("two bad routes: %v", err)
	}
	// An invalid route is not served, even through Handler without Serve.
	s := New(Config{Routes: map[string]string{"/echo": "/chat", "x": "/echo"}})
	if len(s.routes) != 0 {
		t.Errorf("invalid routes served: %v", s.routes)
	}
}

// A route to /chat with a query puts a client that cannot choose in the
// plain-text mode and a room; the request's own parameters win. A page
// opened from a file (Origin: null) may join when "null" is an allowed
// origin, and only then.
func TestRouteToTextChat(t *testing.T) {
	ctx := testCtx(t)
	for _, allowNull := range []bool{false, true} {
		cfg := Config{Routes: map[string]string{tutorialPath: "/chat?format=text&room=tutorial"}}
		if allowNull {
			cfg.AllowedOrigins = []string{"null"}
		}
		ts := startServer(t, cfg)
		null := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"null"}}}
		if !allowNull {
			if status, _ := dialStatus(t, ctx, ts.ws(tutorialPath), null); status != http.StatusForbidden {
				t.Errorf("Origin null without -origins null: %d, want 403", status)
			}
			continue
		}
		c := dial(t, ctx, ts.ws(tutorialPath+"?name=ann"), null)
		_, line, err := c.Read(ctx)
		if err != nil || !strings.HasPrefix(string(line), "* you joined tutorial as ann") {
			t.Fatalf("first line %q, %v; want the text mode's welcome in room tutorial", line, err)
		}
		if err := c.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if _, line, err = c.Read(ctx); err != nil || string(line) != "ann: hello" {
			t.Errorf("echo line %q, %v", line, err)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
}

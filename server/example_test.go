package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/coder/websocket"
	"github.com/duplexgo/duplex/server"
)

// A Server can be mounted in any http.Server; here, a test server. Shutdown
// closes the WebSocket connections, which http.Server cannot do.
func Example() {
	srv := server.New(server.Config{Logger: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer srv.Shutdown(context.Background())

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+hs.URL[len("http"):]+"/echo", &websocket.DialOptions{Subprotocols: []string{"echo"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	c.Write(ctx, websocket.MessageText, []byte("hello"))
	_, msg, _ := c.Read(ctx)
	fmt.Println(c.Subprotocol(), string(msg))
	// Output: echo hello
}

// Root serves everything that is not a WebSocket, health or metrics
// endpoint: the place for the app's handler.
func ExampleConfig_root() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "the app at", r.URL.Path)
	})
	srv := server.New(server.Config{Root: app, Logger: slog.New(slog.DiscardHandler)})

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/chat/lobby", nil))
	fmt.Print(rec.Body.String())
	// /chat is a WebSocket endpoint; a browser loading it as a page
	// (Accept: text/html) gets Root's page, other plain requests 426.
	page := httptest.NewRequest(http.MethodGet, "/chat", nil)
	page.Header.Set("Accept", "text/html,*/*;q=0.8")
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, page)
	fmt.Print(rec.Body.String())
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/chat", nil))
	fmt.Println(rec.Code)
	// Output:
	// the app at /chat/lobby
	// the app at /chat
	// 426
}

// ListenAndServe runs until its context is cancelled, typically by a
// signal, and then shuts down gracefully.
func ExampleServer_ListenAndServe() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // in a program: signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	srv := server.New(server.Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	fmt.Println(srv.ListenAndServe(ctx))
	// Output: <nil>
}

// With NATS set, the chat rooms live in NATS JetStream, shared by every
// Server given the same URL (here, none answers: the server starts anyway,
// reports why on /healthz and connects when NATS comes).
func ExampleConfig_nats() {
	srv := server.New(server.Config{NATS: "nats://127.0.0.1:1", Logger: slog.New(slog.DiscardHandler)})
	defer srv.Shutdown(context.Background())

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output: 503 chat service unavailable: connecting to NATS at nats://127.0.0.1:1
}

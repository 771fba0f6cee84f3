package fallback_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/fallback"
	"github.com/duplexgo/duplex/server/internal/tunnel"
)

// A WebSocket echo handler served over WebSockets and, through New, over
// the HTTP fallback: the handler does not change.
func Example() {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, p, err := c.Read(context.Background())
			if err != nil {
				return
			}
			c.Write(context.Background(), typ, p)
		}
	})
	fb := fallback.New(echo, fallback.Config{Idle: time.Minute})
	srv := httptest.NewServer(fb) // in production: http.Handle("/echo", fb)
	defer srv.Close()
	defer fb.Close()

	// A client behind a proxy that blocks WebSockets (here, the test
	// client of this module; in a browser, wsclient).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := tunnel.Dial(ctx, srv.URL+"/echo", nil)
	if err != nil {
		panic(err)
	}
	go s.Run(ctx, "stream")
	s.WriteFrame(ctx, tunnel.OpText, []byte("hello over HTTP"))
	_, msg, _ := s.ReadMessage(ctx)
	fmt.Println(string(msg))
	fmt.Println(fb.Stats().Sessions, "session")
	// Output:
	// hello over HTTP
	// 1 session
}

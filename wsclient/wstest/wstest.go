//go:build !js

// Package wstest serves the WebSocket endpoints wsclient's tests connect to,
// natively (from an httptest server) and in the browser (from the wasmexec
// test runner). Each endpoint plays one kind of peer:
//
//	/ws/echo            echoes every message; subprotocols echo, chat, v2;
//	                    ?compress=1 negotiates permessage-deflate
//	/ws/close?code=&reason=[&after=]   closes with that code and reason, at
//	                    once or after the duration (without reading before)
//	/ws/drop            drops the TCP connection without a close frame
//	/ws/reject          refuses the handshake with 403
//	/ws/flood?n=&size=  sends n binary messages of size bytes (byte j of
//	                    message i is i+j), then closes with 1000
//	/ws/stall?for=10s   accepts and does not read for the duration (default
//	                    10s), then reads and discards until the client closes
//	/ws/hang            never answers the handshake (until the client gives up)
//	/ws/badtext?id=     sends the text messages "before" and "café" (in two
//	                    frames split inside the é), then one that is not UTF-8
//	                    (in three frames), then "after"; records the close
//	                    code the client answers with under id
//	/hits               JSON {"handshakes": N, "fallbacks": M}: WebSocket
//	                    requests so far (fallback sessions' included), and
//	                    opens of the HTTP fallback
//	/peerclose?id=      JSON {"code": N}: the close code /ws/badtext?id=
//	                    received (-1: none, the connection just ended; 0: not
//	                    over after 10s)
//
// Every /ws/ endpoint also serves duplex's HTTP fallback (package
// server/fallback, FallbackConfig): the same handler runs over either
// transport. /ws/echo?... with duplex-probe=1 is a probe, accepted and
// closed with 1000.
//
// Connections are bounded in time (two minutes) so nothing outlives a test.
// HostileProxy stands in front of the endpoints as a proxy that breaks
// WebSockets.
package wstest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/fallback"
	"github.com/duplexgo/duplex/wsclient/fallbackproto"
)

// handshakes counts requests to the WebSocket endpoints, for /hits.
var handshakes atomic.Int64

// maxMessage is the largest message the echo endpoint takes: tests send up
// to 16 MiB.
const maxMessage = 32 << 20

// endpointLife bounds how long any test connection is kept open.
const endpointLife = 2 * time.Minute

// fallbackOpens counts the opens of the HTTP fallback, for /hits.
var fallbackOpens atomic.Int64

// FallbackConfig is the HTTP fallback's configuration in front of the /ws/
// endpoints: short times, so that tests see heartbeats, polls and reaping
// quickly.
var FallbackConfig = fallback.Config{
	Heartbeat: time.Second,
	Poll:      2 * time.Second,
	Idle:      10 * time.Second,
}

// Register adds the endpoints to mux. The /ws/ endpoints also serve the
// HTTP fallback (package server/fallback, with FallbackConfig).
func Register(mux *http.ServeMux) {
	ws := http.NewServeMux()
	fb := fallback.New(ws, FallbackConfig)
	mux.HandleFunc("/ws/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get(fallbackproto.ParamOp) == fallbackproto.OpOpen && r.Method == http.MethodPost {
			fallbackOpens.Add(1)
		}
		fb.ServeHTTP(w, r)
	})
	registerEndpoints(ws)
	mux.HandleFunc("/peerclose", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"code": PeerClose(r.URL.Query().Get("id"), 10*time.Second)})
	})
	mux.HandleFunc("/hits", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int64{"handshakes": handshakes.Load(), "fallbacks": fallbackOpens.Load()})
	})
}

// registerEndpoints adds the /ws/ endpoints to mux.
func registerEndpoints(mux *http.ServeMux) {
	mux.HandleFunc("/ws/echo", echo)
	mux.HandleFunc("/ws/close", closeWith)
	mux.HandleFunc("/ws/drop", drop)
	mux.HandleFunc("/ws/reject", func(w http.ResponseWriter, r *http.Request) {
		handshakes.Add(1)
		http.Error(w, "refused by test endpoint", http.StatusForbidden)
	})
	mux.HandleFunc("/ws/flood", flood)
	mux.HandleFunc("/ws/stall", stall)
	mux.HandleFunc("/ws/hang", func(w http.ResponseWriter, r *http.Request) {
		handshakes.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(endpointLife):
		}
	})
	mux.HandleFunc("/ws/badtext", badText)
}

func accept(w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions) (*websocket.Conn, context.Context, context.CancelFunc, bool) {
	handshakes.Add(1)
	if opts == nil {
		opts = &websocket.AcceptOptions{}
	}
	// Test peers are public, like a classic echo server; tests also reach
	// them through a proxy on another port.
	opts.InsecureSkipVerify = true
	c, err := websocket.Accept(w, r, opts)
	if err != nil {
		return nil, nil, nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), endpointLife)
	return c, ctx, cancel, true
}

func echo(w http.ResponseWriter, r *http.Request) {
	opts := &websocket.AcceptOptions{Subprotocols: []string{"echo", "chat", "v2"}}
	if r.URL.Query().Get("compress") == "1" {
		opts.CompressionMode = websocket.CompressionContextTakeover
	}
	c, ctx, cancel, ok := accept(w, r, opts)
	if !ok {
		return
	}
	defer cancel()
	defer c.CloseNow()
	c.SetReadLimit(maxMessage)
	for {
		typ, p, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, p); err != nil {
			return
		}
	}
}

func closeWith(w http.ResponseWriter, r *http.Request) {
	c, _, cancel, ok := accept(w, r, nil)
	if !ok {
		return
	}
	defer cancel()
	code, _ := strconv.Atoi(r.URL.Query().Get("code"))
	if d, err := time.ParseDuration(r.URL.Query().Get("after")); err == nil {
		time.Sleep(d)
	}
	c.Close(websocket.StatusCode(code), r.URL.Query().Get("reason"))
}

func drop(w http.ResponseWriter, r *http.Request) {
	c, _, cancel, ok := accept(w, r, nil)
	if !ok {
		return
	}
	defer cancel()
	c.CloseNow()
}

func flood(w http.ResponseWriter, r *http.Request) {
	c, ctx, cancel, ok := accept(w, r, nil)
	if !ok {
		return
	}
	defer cancel()
	defer c.CloseNow()
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	msg := make([]byte, size)
	for i := range n {
		for j := range msg {
			msg[j] = byte(i + j)
		}
		if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
			return
		}
	}
	c.Close(websocket.StatusNormalClosure, "flood done")
}

func stall(w http.ResponseWriter, r *http.Request) {
	c, ctx, cancel, ok := accept(w, r, nil)
	if !ok {
		return
	}
	defer cancel()
	defer c.CloseNow()
	life, err := time.ParseDuration(r.URL.Query().Get("for"))
	if err != nil {
		life = 10 * time.Second
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(life):
	}
	// Then read again, until the client closes: the connection ends with a
	// closing handshake, not a drop under a full send buffer (which freezes
	// Chromium's renderer when WebSocketStream writes are pending).
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
	}
}

// peerCloses holds, by id, a channel that receives the close code
// /ws/badtext got from the client.
var peerCloses sync.Map

func peerCloseChan(id string) chan int {
	ch, _ := peerCloses.LoadOrStore(id, make(chan int, 1))
	return ch.(chan int)
}

// PeerClose waits up to wait for the /ws/badtext?id= connection to end and
// returns the close code the client sent: -1 if it sent none, 0 if the
// connection has not ended yet.
func PeerClose(id string, wait time.Duration) int {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case code := <-peerCloseChan(id):
		peerCloses.Delete(id)
		return code
	case <-t.C:
		return 0
	}
}

// badText sends text that is not valid UTF-8 (coder/websocket does not
// check), between valid messages, and records how the client closes.
func badText(w http.ResponseWriter, r *http.Request) {
	c, ctx, cancel, ok := accept(w, r, nil)
	if !ok {
		return
	}
	defer cancel()
	defer c.CloseNow()
	code := -1
	defer func() { peerCloseChan(r.URL.Query().Get("id")) <- code }()
	for _, frames := range [][]string{{"before"}, {"caf\xc3", "\xa9"}, {"not ", "\xc3", "(UTF-8"}, {"after"}} {
		if err := writeFrames(ctx, c, frames); err != nil {
			break
		}
	}
	for {
		if _, _, err := c.Read(ctx); err != nil {
			code = int(websocket.CloseStatus(err))
			return
		}
	}
}

// writeFrames writes one text message, each string in a frame of its own.
func writeFrames(ctx context.Context, c *websocket.Conn, frames []string) error {
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if _, err := w.Write([]byte(f)); err != nil {
			return err
		}
	}
	return w.Close()
}

// Handshakes returns how many WebSocket handshakes the endpoints have seen.
func Handshakes() int64 { return handshakes.Load() }

// FallbackOpens returns how many opens of the HTTP fallback the endpoints
// have seen.
func FallbackOpens() int64 { return fallbackOpens.Load() }

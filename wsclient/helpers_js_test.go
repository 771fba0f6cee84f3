//go:build js && wasm

package wsclient

import (
	"context"
	"encoding/json"
	"os"
	"syscall/js"
	"testing"
	"time"
)

// inBrowser tells shared tests which build runs them.
const inBrowser = true

// WSTEST_TRANSPORT=websocket or stream runs the suite on one browser API.
func init() {
	switch os.Getenv("WSTEST_TRANSPORT") {
	case "websocket":
		testTransport = TransportWebSocket
	case "stream":
		testTransport = TransportStream
	}
}

// await waits for a JavaScript promise.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{err: jsErrorOf(args[0])}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Value{}, ctx.Err()
	}
}

// getJSON fetches path from the runner and decodes its JSON answer into v.
func getJSON(t *testing.T, path string, v any) {
	t.Helper()
	ctx := testCtx(t)
	resp, err := await(ctx, js.Global().Call("fetch", path))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	text, err := await(ctx, resp.Call("text"))
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if err := json.Unmarshal([]byte(text.String()), v); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}

// handshakes returns how many WebSocket handshakes the runner has seen.
func handshakes(t *testing.T) int {
	t.Helper()
	var hits struct{ Handshakes int }
	getJSON(t, "/hits", &hits)
	return hits.Handshakes
}

// peerClose returns the close code the runner's /ws/badtext?id= endpoint
// received (see wstest.PeerClose).
func peerClose(t *testing.T, id string) int {
	t.Helper()
	var answer struct{ Code int }
	getJSON(t, "/peerclose?id="+id, &answer)
	return answer.Code
}

// proxyCall asks the runner's fault-injecting proxy to act (see
// wstest.Proxy.Handler) and returns its JSON answer.
func proxyCall(t *testing.T, action string) js.Value {
	t.Helper()
	ctx := testCtx(t)
	resp, err := await(ctx, js.Global().Call("fetch", "/proxy/"+action, map[string]any{"method": "POST"}))
	if err != nil || !resp.Get("ok").Bool() {
		t.Fatalf("proxy %s: %v", action, err)
	}
	v, err := await(ctx, resp.Call("json"))
	if err != nil {
		t.Fatalf("proxy %s: %v", action, err)
	}
	return v
}

var proxyResetRegistered = map[*testing.T]bool{}

// proxied returns the URL of an endpoint through the runner's proxy; the
// proxy is reset when the test ends.
func proxied(t *testing.T, path string) string {
	if !proxyResetRegistered[t] {
		proxyResetRegistered[t] = true
		t.Cleanup(func() {
			proxyCall(t, "blackhole?on=0")
			proxyCall(t, "down?on=0")
			proxyCall(t, "cut")
		})
	}
	return "ws://" + os.Getenv("WSTEST_PROXY") + path
}

func proxyCut(t *testing.T) int { return proxyCall(t, "cut").Get("cut").Int() }

func proxyBlackhole(t *testing.T, on bool) {
	if on {
		proxyCall(t, "blackhole?on=1")
	} else {
		proxyCall(t, "blackhole?on=0")
	}
}

func proxyDown(t *testing.T, on bool) {
	if on {
		proxyCall(t, "down?on=1")
	} else {
		proxyCall(t, "down?on=0")
	}
}

// waitQuiet waits until no connection of earlier tests holds callbacks
// (abandoned half-open ones end when the browser gives up on them).
func waitQuiet(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for liveFuncs.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := liveFuncs.Load(); n != 0 {
		t.Fatalf("%d callbacks still live from earlier tests", n)
	}
}

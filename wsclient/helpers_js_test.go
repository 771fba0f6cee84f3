//go:build js && wasm

package wsclient

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// wsURL is the URL of one of the runner's test endpoints (see
// e2e/wasmexec/endpoints.go), e.g. wsURL("/ws/echo").
func wsURL(path string) string {
	origin := os.Getenv("WSTEST_ORIGIN")
	if origin == "" {
		origin = js.Global().Get("location").Get("origin").String()
	}
	return "ws" + strings.TrimPrefix(origin, "http") + path
}

// testCtx bounds a test generously: a loaded machine is slow, never wrong.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial opens a connection or fails the test, and closes it at the end.
func dial(t *testing.T, path string, opts *Options) *Conn {
	t.Helper()
	c, err := Dial(testCtx(t), wsURL(path), opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.Close(StatusNormalClosure, "") })
	return c
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

// handshakes returns how many WebSocket handshakes the runner has seen.
func handshakes(t *testing.T) int {
	t.Helper()
	ctx := testCtx(t)
	resp, err := await(ctx, js.Global().Call("fetch", "/hits"))
	if err != nil {
		t.Fatalf("fetch /hits: %v", err)
	}
	text, err := await(ctx, resp.Call("text"))
	if err != nil {
		t.Fatalf("reading /hits: %v", err)
	}
	var hits struct{ Handshakes int }
	if err := json.Unmarshal([]byte(text.String()), &hits); err != nil {
		t.Fatalf("decoding /hits: %v", err)
	}
	return hits.Handshakes
}

// waitDone waits for the connection to end and returns how.
func waitDone(t *testing.T, c *Conn) *CloseError {
	t.Helper()
	select {
	case <-c.Done():
	case <-testCtx(t).Done():
		t.Fatal("connection did not end")
	}
	var ce *CloseError
	if !errors.As(c.Err(), &ce) {
		t.Fatalf("Err() = %v, want a *CloseError", c.Err())
	}
	return ce
}

//go:build js && wasm

package wsclient

import (
	"context"
	"encoding/json"
	"syscall/js"
	"testing"
)

// inBrowser tells shared tests which build runs them.
const inBrowser = true

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

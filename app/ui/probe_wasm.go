//go:build wasm

package ui

import (
	"context"
	"syscall/js"

	"github.com/duplexgo/duplex/wsclient"
)

// defaultProbe is the browser's probe.
var defaultProbe prober = browserProbe

// browserProbe finds out over HTTP why a WebSocket to wsURL failed: a
// plain GET of its http(s) form tells a missing endpoint (404) from an
// endpoint whose handshake failed (426, 400); when the page may not read
// the answer, a no-cors GET still tells a server that answers from none.
// When the endpoint exists and subprotocols were offered, a WebSocket
// offering none tells whether the server refused them.
func browserProbe(ctx context.Context, wsURL string, protocols []string) probeResult {
	var r probeResult
	target := httpForm(wsURL)
	resp, err := fetch(ctx, target, "cors")
	switch {
	case err == nil:
		r.Status = resp.Get("status").Int()
		r.StatusText = resp.Get("statusText").String()
	default:
		// CORS or the network: a no-cors request answers opaquely when
		// a server answered at all.
		if _, err2 := fetch(ctx, target, "no-cors"); err2 == nil {
			r.Opaque = true
		} else {
			r.FetchErr = err.Error()
		}
	}
	if (r.Status == 426 || r.Status == 400) && len(protocols) > 0 {
		r.RetriedWithout = true
		r.OpenedWithout = opensWithoutProtocols(ctx, wsURL)
	}
	return r
}

// fetch GETs url with the request mode and waits for the response (not its
// body), or for the failure, at most probeTimeout.
func fetch(ctx context.Context, url, mode string) (js.Value, error) {
	init := map[string]any{
		"mode":        mode,
		"cache":       "no-store",
		"credentials": "omit",
		"redirect":    "follow",
	}
	if as := js.Global().Get("AbortSignal"); as.Truthy() && as.Get("timeout").Truthy() {
		init["signal"] = as.Call("timeout", int(probeTimeout.Milliseconds()))
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "fetch failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		ch <- result{err: errorString(msg)}
		return nil
	})
	defer catch.Release()
	js.Global().Call("fetch", url, init).Call("then", then, catch)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// opensWithoutProtocols reports whether a WebSocket to wsURL offering no
// subprotocol opens; it is closed at once with 1000.
func opensWithoutProtocols(ctx context.Context, wsURL string) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := wsclient.Dial(ctx, wsURL, nil)
	if err != nil {
		return false
	}
	conn.Close(wsclient.StatusNormalClosure, "probe")
	return true
}

//go:build js && wasm

// Command cspecho is the browser side of e2e's test of wsclient under a
// strict Content Security Policy (script-src 'self' 'wasm-unsafe-eval'):
// served with index.html and main.js, it dials the page's /echo with
// wsclient's default transport, sends a text and a binary message, reads
// their echoes, closes with 1000 and writes what happened into the page's
// #result, as JSON (package result).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"github.com/duplexgo/duplex/e2e/internal/cspecho/result"
	"github.com/duplexgo/duplex/wsclient"
)

func main() {
	b, err := json.Marshal(run())
	if err != nil {
		b = []byte(`{"error":"encoding the result"}`)
	}
	js.Global().Get("document").Call("getElementById", "result").Set("textContent", string(b))
}

func run() (r result.Result) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := wsclient.Dial(ctx, "/echo", &wsclient.Options{Protocols: []string{"echo"}})
	if err != nil {
		r.Error = "dial: " + err.Error()
		return r
	}
	r.Protocol = c.Protocol()
	echo := func(typ wsclient.MessageType, p []byte) (string, []byte, error) {
		if err := c.Write(ctx, typ, p); err != nil {
			return "", nil, err
		}
		got, data, err := c.Read(ctx)
		return got.String(), data, err
	}
	var data []byte
	if r.TextType, data, err = echo(wsclient.Text, []byte(result.Text)); err != nil {
		r.Error = "text echo: " + err.Error()
		return r
	}
	r.Text = string(data)
	if r.BinaryType, r.Binary, err = echo(wsclient.Binary, result.Binary); err != nil {
		r.Error = "binary echo: " + err.Error()
		return r
	}
	if err := c.Close(wsclient.StatusNormalClosure, result.CloseReason); err != nil {
		r.Error = "close: " + err.Error()
		return r
	}
	select {
	case <-c.Done():
	case <-ctx.Done():
		r.Error = "close: no close event within 30s"
		return r
	}
	var ce *wsclient.CloseError
	if !errors.As(c.Err(), &ce) {
		r.Error = "after the close: " + errors.Join(c.Err(), errors.New("not a *CloseError")).Error()
		return r
	}
	r.CloseCode, r.CloseReason, r.WasClean = int(ce.Code), ce.Reason, ce.WasClean
	return r
}

//go:build js && wasm

package wsclient

import (
	"errors"
	"syscall/js"
	"testing"
)

// A JavaScript exception becomes an error, never a Go panic.
func TestJavaScriptExceptionsBecomeErrors(t *testing.T) {
	err := jsCatch("probe", func() { js.Global().Get("JSON").Call("parse", "{") })
	var je *JSError
	if !errors.As(err, &je) || je.Name != "SyntaxError" || !errors.Is(err, ErrSyntax) {
		t.Fatalf("jsCatch(JSON.parse) = %v, want a *JSError named SyntaxError", err)
	}
	c := dial(t, "/ws/echo", nil)
	s := c.t.(*jsSocket)
	// The browser's own send() throws InvalidStateError on a socket that is
	// still connecting: make the bridge's send be that one.
	connecting := jsWebSocket.New(wsURL("/ws/hang"))
	defer connecting.Call("close")
	saved := s.b.send
	s.b.send = jsWebSocket.Get("prototype").Get("send").Call("bind", connecting)
	if err := c.SendText("x"); !errors.Is(err, ErrInvalidState) || !errors.As(err, &je) || je.Message == "" {
		t.Fatalf("SendText with a throwing send() = %v, want the DOMException as an error", err)
	}
	if err := c.SendBinary([]byte{1}); !errors.As(err, &je) {
		t.Fatalf("SendBinary with a throwing send() = %v, want a *JSError", err)
	}
	s.b.send = saved
	if err := c.SendText("fine"); err != nil {
		t.Fatal(err)
	}
	if _, p, err := c.Read(testCtx(t)); err != nil || string(p) != "fine" {
		t.Fatalf("after the throwing send(): Read = %q, %v", p, err)
	}
}

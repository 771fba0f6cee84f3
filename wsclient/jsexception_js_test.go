//go:build js && wasm

package wsclient

import (
	"errors"
	"strings"
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
	thrower := js.Global().Get("Function").New("throw new DOMException('injected', 'InvalidStateError')")
	c.t.(*jsSocket).ws.Set("send", thrower)
	if err := c.SendText("x"); !errors.Is(err, ErrInvalidState) || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("SendText with a throwing send() = %v, want the DOMException as an error", err)
	}
	if err := c.SendBinary([]byte{1}); !errors.As(err, &je) {
		t.Fatalf("SendBinary with a throwing send() = %v, want a *JSError", err)
	}
	c.t.(*jsSocket).ws.Delete("send") // back to WebSocket.prototype.send
	if err := c.SendText("fine"); err != nil {
		t.Fatal(err)
	}
}

//go:build js && wasm

package wsclient

import (
	"sync/atomic"
	"syscall/js"
)

var (
	jsWebSocket   = js.Global().Get("WebSocket")
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsTextEncoder = js.Global().Get("TextEncoder").New()
)

// liveFuncs counts the callbacks wsclient holds for connections — the
// connections registered with the hand-off and the js.Funcs made for single
// waits — and not yet released; the leak tests check it returns to where it
// started.
var liveFuncs atomic.Int64

// newFunc wraps fn, called with the event argument, as a counted js.Func.
// fn runs on the JavaScript event loop and must not block.
func newFunc(fn func(ev js.Value)) js.Func {
	liveFuncs.Add(1)
	return js.FuncOf(func(this js.Value, args []js.Value) any {
		var ev js.Value
		if len(args) > 0 {
			ev = args[0]
		}
		fn(ev)
		return nil
	})
}

// releaseFunc releases a js.Func made by newFunc.
func releaseFunc(f js.Func) {
	f.Release()
	liveFuncs.Add(-1)
}

// jsCatch runs f and turns a JavaScript exception thrown inside it into a
// *JSError wrapped with op, instead of a Go panic.
func jsCatch(op string, f func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		je, ok := r.(js.Error)
		if !ok {
			panic(r)
		}
		err = opError(op, jsErrorOf(je.Value))
	}()
	f()
	return nil
}

// jsErrorOf describes a thrown JavaScript value.
func jsErrorOf(v js.Value) *JSError {
	if v.Type() != js.TypeObject {
		return &JSError{Name: "Error", Message: v.String()}
	}
	e := &JSError{Name: "Error"}
	if n := v.Get("name"); n.Type() == js.TypeString {
		e.Name = n.String()
	}
	if m := v.Get("message"); m.Type() == js.TypeString {
		e.Message = m.String()
	}
	return e
}

// bytesToJS copies p into a new Uint8Array.
func bytesToJS(p []byte) js.Value {
	a := jsUint8Array.New(len(p))
	js.CopyBytesToJS(a, p)
	return a
}

// bytesFromArrayBuffer copies an ArrayBuffer into a new Go slice.
func bytesFromArrayBuffer(ab js.Value) []byte {
	return bytesFromUint8Array(jsUint8Array.New(ab))
}

// bytesFromUint8Array copies a Uint8Array into a new Go slice.
func bytesFromUint8Array(a js.Value) []byte {
	p := make([]byte, a.Length())
	js.CopyBytesToGo(p, a)
	return p
}

//go:build js && wasm

package wsclient

import (
	"sync"
	"syscall/js"

	"github.com/duplexgo/duplex/wsclient/internal/bridge"
)

// The bridge is the JavaScript side of a connection, without JavaScript: a
// small WebAssembly module (internal/bridge) whose imports are the browser's
// built-ins. Messages wait in its queue and reach Go in packed batches; sends
// go from a shared scratch memory with numbers only. No eval, no Function
// constructor, no script besides wasm_exec.js.

// bridgeShared is what every connection's bridge shares: the compiled
// module, the scratch memory and the imports made of built-ins.
type bridgeShared struct {
	module  js.Value
	imports js.Value // the import object's "b" namespace, without schedule and progress
	meta    js.Value // scratch[0:MetaBytes]
	payload js.Value // scratch[MetaBytes:]
	view    js.Value // the whole scratch memory
	metaGo  [bridge.MetaBytes]byte
}

// builtins are the bridge's imports that are browser built-ins: how to find
// each (as data rather than code, which keeps the program small).
var builtins = [...]struct{ name, how, class, member string }{
	{bridge.ImportData, "getter", "MessageEvent", "data"},
	{bridge.ImportIsBinary, "static", "Object", "isExtensible"},
	{bridge.ImportStrLen, "method", "String", "lastIndexOf"},
	{bridge.ImportEncodeInto, "instance", "TextEncoder", "encodeInto"},
	{bridge.ImportGet, "static", "Reflect", "get"},
	{bridge.ImportGetI32, "static", "Reflect", "get"},
	{bridge.ImportByteLength, "getter", "ArrayBuffer", "byteLength"},
	{bridge.ImportArrayOf, "static", "Array", "of"},
	{bridge.ImportConstruct, "static", "Reflect", "construct"},
	{bridge.ImportSet, "method", "Uint8Array", "set"},
	{bridge.ImportSubarray, "method", "Uint8Array", "subarray"},
	{bridge.ImportSlice, "method", "Uint8Array", "slice"},
	{bridge.ImportDecode, "instance", "TextDecoder", "decode"},
	{bridge.ImportSendWS, "method", "WebSocket", "send"},
	{bridge.ImportReadyState, "getter", "WebSocket", "readyState"},
	{bridge.ImportRead, "method", "ReadableStreamDefaultReader", "read"},
	{bridge.ImportThen, "method", "Promise", "then"},
	{bridge.ImportWrite, "method", "WritableStreamDefaultWriter", "write"},
}

var loadBridge = sync.OnceValues(func() (*bridgeShared, error) {
	b := &bridgeShared{}
	err := jsCatch("new", func() {
		g := js.Global()
		object := g.Get("Object")
		call := g.Get("Function").Get("prototype").Get("call")
		b.imports = object.New()
		for _, bi := range builtins {
			class := g.Get(bi.class)
			var v js.Value
			switch {
			case class.IsUndefined():
				v = object // never called: this browser lacks the class
			case bi.how == "static":
				v = class.Get(bi.member)
			case bi.how == "instance": // a method bound to a new instance
				inst := class.New()
				v = inst.Get(bi.member).Call("bind", inst)
			case bi.how == "getter": // the getter's call, as a plain function
				v = call.Call("bind", getterOf(class.Get("prototype"), bi.member))
			default: // "method": the method's call, as a plain function
				v = call.Call("bind", class.Get("prototype").Get(bi.member))
			}
			b.imports.Set(bi.name, v)
		}
		wasm := g.Get("WebAssembly")
		memory := wasm.Get("Memory").New(map[string]any{"initial": bridge.ScratchPages})
		b.view = jsUint8Array.New(memory.Get("buffer"))
		b.meta = b.view.Call("subarray", 0, bridge.MetaBytes)
		b.payload = b.view.Call("subarray", bridge.MetaBytes)
		b.imports.Set(bridge.ImportMemory, memory)
		b.imports.Set(bridge.ImportView, b.view)
		b.imports.Set(bridge.ImportUint8Array, jsUint8Array)
		b.imports.Set(bridge.ImportEmpty, "")
		b.imports.Set(bridge.ImportKeyWritten, "written")
		b.imports.Set(bridge.ImportKeyDone, "done")
		b.imports.Set(bridge.ImportKeyValue, "value")
		code := jsUint8Array.New(len(bridge.Wasm))
		js.CopyBytesToJS(code, []byte(bridge.Wasm))
		b.module = wasm.Get("Module").New(code)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
})

// getterOf finds the getter of property name on proto or the prototypes it
// inherits from (a page may have replaced a class by a subclass or wrapper).
func getterOf(proto js.Value, name string) js.Value {
	object := js.Global().Get("Object")
	for p := proto; p.Type() == js.TypeObject || p.Type() == js.TypeFunction; p = object.Call("getPrototypeOf", p) {
		if d := object.Call("getOwnPropertyDescriptor", p, name); d.Type() == js.TypeObject {
			return d.Get("get")
		}
	}
	panic(js.Error{Value: js.ValueOf("wsclient: no " + name + " getter")})
}

// bridgeConn is one connection's instance of the bridge module: its queue
// and its exports, each kept as a js.Value so that calls pass numbers and
// values Go already holds, never a method name to convert.
type bridgeConn struct {
	shared                                                                                                 *bridgeShared
	exports                                                                                                js.Value
	take, peek, drop, queued, queuedBytes, ended, send, write, setLimit, completed, awaitWrite, readyState js.Value
	onMessage                                                                                              js.Value
}

// attachBridge registers d with the hand-off and gives it a bridge.
func attachBridge(d drainer) (int32, *bridgeConn, error) {
	id := handoff.register(d)
	b, err := newBridgeConn(id)
	if err != nil {
		handoff.unregister(id)
		return 0, nil, err
	}
	return id, b, nil
}

// newBridgeConn instantiates the bridge for connection id: its schedule and
// progress imports call Go's hand-off for id.
func newBridgeConn(id int32) (*bridgeConn, error) {
	shared, err := loadBridge()
	if err != nil {
		return nil, err
	}
	bc := &bridgeConn{shared: shared}
	err = jsCatch("new", func() {
		ns := js.Global().Get("Object").Call("assign", js.Global().Get("Object").New(), shared.imports)
		ns.Set(bridge.ImportSchedule, handoff.scheduleFunc(id))
		ns.Set(bridge.ImportProgress, handoff.progressFunc(id))
		imports := js.Global().Get("Object").New()
		imports.Set(bridge.ImportModule, ns)
		inst := js.Global().Get("WebAssembly").Get("Instance").New(shared.module, imports)
		x := inst.Get("exports")
		bc.exports = x
		bc.take, bc.peek, bc.drop = x.Get(bridge.ExportTake), x.Get(bridge.ExportPeek), x.Get(bridge.ExportDrop)
		bc.queued, bc.queuedBytes, bc.ended = x.Get(bridge.ExportQueued), x.Get(bridge.ExportQueuedBytes), x.Get(bridge.ExportEnded)
		bc.send, bc.write, bc.setLimit = x.Get(bridge.ExportSend), x.Get(bridge.ExportWrite), x.Get(bridge.ExportSetLimit)
		bc.completed, bc.awaitWrite = x.Get(bridge.ExportCompleted), x.Get(bridge.ExportAwaitWrite)
		bc.readyState = x.Get(bridge.ExportReadyState)
		bc.onMessage = x.Get(bridge.ExportOnMessage)
		x.Get(bridge.ExportSetCallbacks).Invoke(x.Get(bridge.ExportOnWritten), x.Get(bridge.ExportOnWriteFail))
	})
	if err != nil {
		return nil, err
	}
	return bc, nil
}

// waiting returns how many messages, and about how many bytes, wait in the
// queue (text counted in UTF-16 units, at most its UTF-8 size).
func (bc *bridgeConn) waiting() (n, bytes int) {
	return bc.queued.Invoke().Int(), bc.queuedBytes.Invoke().Int()
}

// takeBatch moves up to max waiting messages into Go: one call packs them,
// two copies bring their lengths and payloads over. It also returns what
// still waits after them (count, and size as waiting reports it). msgs is
// unchanged when the queue is empty; a message too large for the scratch
// memory comes alone.
func (bc *bridgeConn) takeBatch(max int, msgs []Message) (_ []Message, behindN, behindB int) {
	r := bc.take.Invoke(max).Int()
	if r == 0 {
		return msgs, 0, 0
	}
	if r == bridge.TakeLarge {
		m := bc.takeLarge()
		n, b := bc.waiting()
		return append(msgs, m), n, b
	}
	n, end := r&(1<<bridge.TakeShift-1), r>>bridge.TakeShift
	sh := bc.shared
	meta := sh.metaGo[:bridge.HeaderBytes+8*n]
	js.CopyBytesToGo(meta, sh.meta)
	buf := make([]byte, end-bridge.MetaBytes)
	js.CopyBytesToGo(buf, sh.payload)
	off := 0
	for i := range n {
		e := meta[bridge.HeaderBytes+8*i:]
		kind, l := le32(e), int(le32(e[4:]))
		m := Message{Type: Binary, Data: buf[off : off+l : off+l]}
		if kind == bridge.KindText {
			m.Type = Text
		}
		msgs = append(msgs, m)
		off += l
	}
	return msgs, int(le32(meta)), int(le32(meta[4:]))
}

// takeLarge moves the first waiting message, one too large to pack.
func (bc *bridgeConn) takeLarge() Message {
	data := bc.peek.Invoke()
	bc.drop.Invoke()
	if data.Type() == js.TypeString {
		return Message{Type: Text, Data: bytesFromUint8Array(jsTextEncoder.Call("encode", data))}
	}
	return Message{Type: Binary, Data: bytesFromArrayBuffer(data)}
}

// dropAll forgets every waiting message and reports how many there were and
// their size (refused by a receive overflow).
func (bc *bridgeConn) dropAll() (n, bytes int) {
	n, bytes = bc.waiting()
	for range n {
		bc.drop.Invoke()
	}
	return n, bytes
}

// sendTo sends p to a WebSocket with the send export (it reports the
// readyState it saw) or, toSocket false, to a WebSocketStream writer with the
// write export (it reports Open): from the scratch memory when p fits
// (numbers only), else as a fresh JavaScript value.
func (bc *bridgeConn) sendTo(toSocket bool, target js.Value, typ MessageType, p []byte) State {
	if len(p) <= bridge.ScratchBytes {
		if len(p) > 0 {
			js.CopyBytesToJS(bc.shared.view, p)
		}
		text := 0
		if typ == Text {
			text = 1
		}
		if toSocket {
			return State(bc.send.Invoke(target, len(p), text).Int())
		}
		bc.write.Invoke(target, len(p), text)
		return Open
	}
	var v js.Value
	if typ == Text {
		v = js.ValueOf(string(p))
	} else {
		v = bytesToJS(p)
	}
	if toSocket {
		state := State(bc.readyState.Invoke(target).Int())
		if state != Connecting {
			target.Call("send", v)
		}
		return state
	}
	target.Call("write", v).Call("then", bc.exports.Get(bridge.ExportOnWritten), bc.exports.Get(bridge.ExportOnWriteFail))
	return Open
}

// le32 reads a little-endian uint32 (encoding/binary would link reflect).
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// Package bridge is the JavaScript side of wsclient's browser transport,
// written without JavaScript: a WebAssembly module of about a kilobyte that
// queues received messages on the JavaScript side and packs them into a
// scratch memory in batches, so that Go is entered once per batch instead of
// once per message, and that sends from the same scratch memory with numbers
// only. Its imports are the browser's own built-in functions, bound, so the
// page needs no script beyond Go's wasm_exec.js and no 'unsafe-eval':
// compiling a WebAssembly module is allowed by 'wasm-unsafe-eval', which Go's
// own module already requires.
//
// The module is defined in module.go (native builds only) and written to
// wasm.go as a constant by `go test -run TestModule -update`; a test keeps
// the two in step. names.go holds what both sides must agree on.
package bridge

// Names of the imports (module "b") and exports.
const (
	ImportModule = "b"

	// Exports of the module, called by the browser or by Go.
	ExportOnMessage    = "onmessage"    // (event): a WebSocket message event listener
	ExportStartRead    = "startRead"    // (reader, onRead, onReadFail, limit): read a WebSocketStream
	ExportOnRead       = "onread"       // (result): a read() promise's fulfilment
	ExportOnReadFail   = "onreadfail"   // (error): a read() promise's rejection
	ExportSetLimit     = "setLimit"     // (limit): how many messages may wait here; reading resumes below it
	ExportTake         = "take"         // (max) → packed batch, see Take*
	ExportPeek         = "peek"         // () → the first waiting message's data (one too large for the scratch memory)
	ExportDrop         = "drop"         // (): forget the first waiting message
	ExportQueued       = "queued"       // () → messages waiting
	ExportQueuedBytes  = "queuedBytes"  // () → their size: bytes of binary, UTF-16 units of text (at most its UTF-8 size)
	ExportEnded        = "ended"        // () → 1 once the stream's reader is done or failed
	ExportSend         = "send"         // (webSocket, len, text) → readyState seen; sends scratch[0:len] unless CONNECTING
	ExportReadyState   = "readyState"   // (webSocket) → its readyState
	ExportWrite        = "write"        // (writer, len, text): write scratch[0:len] to a WebSocketStream writer
	ExportOnWritten    = "onwritten"    // (): a write() promise's fulfilment
	ExportOnWriteFail  = "onwritefail"  // (error): a write() promise's rejection
	ExportSetCallbacks = "setCallbacks" // (onWritten, onWriteFail): this instance's own exports, for write()
	ExportCompleted    = "completed"    // () → writes completed (fulfilled or rejected) so far
	ExportAwaitWrite   = "awaitWrite"   // (): call the progress import once, at the next completed write
)

// Layout of the scratch memory that take fills: a header of two int32
// (little-endian) — the messages still waiting after the batch and their
// size, as queued and queuedBytes report — then one (kind, length) pair of
// int32 per message, up to MetaBytes; payloads follow from MetaBytes on,
// back to back. take returns 0 when nothing waits, ((end of payloads) <<
// TakeShift) | count, or TakeLarge when the first waiting message does not
// fit at all (the caller then uses peek and drop).
const (
	ScratchPages = 2
	ScratchBytes = ScratchPages * 65536
	MaxBatch     = 256
	HeaderBytes  = 8
	MetaBytes    = HeaderBytes + MaxBatch*8
	TakeShift    = 9 // count ≤ MaxBatch < 1<<TakeShift
	TakeLarge    = -1

	// UrgentEvery: while messages wait, schedule is called again each time
	// this many more have arrived.
	UrgentEvery = 256

	KindText   = 1
	KindBinary = 2
)

// Names of the imports: the browser built-ins, bound so that each is a plain
// function of the arguments WebAssembly passes (see the browser build).
const (
	ImportData       = "data"       // (MessageEvent) → event.data
	ImportIsBinary   = "isBinary"   // (data) → 1 for an ArrayBuffer, 0 for a string (Object.isExtensible)
	ImportStrLen     = "strLen"     // (string, "") → its length (String.prototype.lastIndexOf)
	ImportEncodeInto = "encodeInto" // (string, Uint8Array) → {read, written}
	ImportGet        = "get"        // (object, key) → object[key] (Reflect.get)
	ImportGetI32     = "getI32"     // (object, key) → object[key] as a number
	ImportByteLength = "byteLength" // (ArrayBuffer) → its byteLength
	ImportArrayOf    = "arrayOf"    // (value) → [value]
	ImportConstruct  = "construct"  // (constructor, [args]) → new constructor(...args)
	ImportSet        = "set"        // (Uint8Array, source, offset): Uint8Array.prototype.set
	ImportSubarray   = "subarray"   // (Uint8Array, begin, end) → a view
	ImportSlice      = "slice"      // (Uint8Array, begin, end) → a copy
	ImportDecode     = "decode"     // (Uint8Array) → string (TextDecoder)
	ImportSendWS     = "sendWS"     // (WebSocket, data): WebSocket.prototype.send
	ImportReadyState = "readyState" // (WebSocket) → its readyState
	ImportRead       = "read"       // (ReadableStreamDefaultReader) → promise
	ImportThen       = "then"       // (promise, onFulfilled, onRejected) → promise
	ImportWrite      = "write"      // (WritableStreamDefaultWriter, chunk) → promise
	ImportSchedule   = "schedule"   // (): messages are waiting (once until take empties the queue)
	ImportProgress   = "progress"   // (): a write completed, after awaitWrite
	ImportMemory     = "mem"        // the scratch memory, ScratchPages pages
	// Constants.
	ImportEmpty      = "empty"      // ""
	ImportKeyWritten = "kWritten"   // "written"
	ImportKeyDone    = "kDone"      // "done"
	ImportKeyValue   = "kValue"     // "value"
	ImportUint8Array = "Uint8Array" // the Uint8Array constructor
	ImportView       = "view"       // a Uint8Array over the whole scratch memory
)

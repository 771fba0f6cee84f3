// Package wsclient is a WebSocket client for Go programs compiled to
// WebAssembly (GOOS=js GOARCH=wasm) that wraps the browser's WebSocket API
// faithfully and adds what applications need on top: Read and Write with a
// context, backpressure, and a reconnecting Client with a bounded send queue,
// delivery confirmation and a heartbeat.
//
// The same API builds natively, on github.com/coder/websocket, for tools,
// servers and tests; BufferedAmount then counts the bytes accepted but not yet
// written.
//
// # The browser's API, from Go
//
// Everything the browser's WebSocket offers is reachable and nothing is
// silently changed: ReadyState (Connecting, Open, Closing, Closed),
// BufferedAmount, Protocol, Extensions and URL read the live object; SendText
// and SendBinary are send(); Close is close(code, reason); the open, message,
// error and close events are Options callbacks. Binary messages arrive as
// ArrayBuffers (binaryType "arraybuffer") copied into []byte, text messages
// as their UTF-8 bytes, with the type kept.
//
// # Two styles, one connection
//
// Go-style code calls Dial, which blocks until the connection is open, then
// Read and Write with a context. UIs call New, which returns at once in
// Connecting, and set callbacks. Both can be mixed, with one rule: a message
// goes to exactly one consumer. When Options.OnMessage is set every message
// goes to it and Read returns ErrOnMessageSet; otherwise Read gets them all.
// The other callbacks (OnOpen, OnError, OnClose, OnStateChange) can be used
// with Read freely.
//
// Callbacks never run on the JavaScript event loop: the browser's event
// handler copies the event and queues it, and a goroutine of the connection
// runs the callbacks one at a time, in the browser's order. A slow callback
// delays only the callbacks after it, never the page.
//
// # Errors
//
// Input the standard rejects is rejected the same way, before anything
// reaches the network, with errors that match the DOMException names:
// ErrSyntax (a bad URL, scheme, fragment or subprotocol, a close reason over
// 123 bytes or not UTF-8), ErrInvalidAccess (a close code other than 1000 or
// 3000–4999) and ErrInvalidState (sending while connecting). Text that is not
// valid UTF-8, which the browser would alter, is refused with ErrInvalidUTF8
// (a close reason too: that error matches both). A JavaScript exception is
// caught and returned as a *JSError, never a panic.
//
// When a connection ends, how it ended is a *CloseError (code, reason,
// wasClean) returned by Read, Write, SendText, SendBinary and Err;
// CloseStatus extracts the code from any error. A connection that fails
// reports OnError then OnClose with 1006, as the browser does.
//
// # Backpressure and bounds
//
// The browser's send() never blocks: it queues, and BufferedAmount grows.
// Write waits while BufferedAmount is at or above Options.HighWaterMark until
// it drains to Options.LowWaterMark, and gives up when its context is done,
// leaving the message unsent. The receive side is bounded too
// (Options.MaxPendingMessages and MaxPendingBytes): a browser cannot pause
// delivery, so when nobody consumes messages fast enough the connection is
// closed with StatusReceiveOverflow and Read reports ErrReceiveOverflow after
// the messages received before it. Nothing is dropped silently.
//
// # Connections that last
//
// Client keeps a connection alive across drops: exponential backoff with full
// jitter (Backoff), a fresh URL per attempt (ClientOptions.Endpoint), no
// reconnect after its own Close or a terminal close code (DefaultTerminal).
// Send queues in a bounded outbox while disconnected and flushes in order;
// ErrQueueFull rather than a silent drop. With ClientOptions.Key a message
// stays unconfirmed until a reply with the same key arrives; unconfirmed
// messages of a connection that ends are reported to OnUndelivered, or sent
// again with Redeliver. A Heartbeat replaces connections that stop answering,
// judged by wall-clock time so that throttled background tabs are not
// misjudged; in the browser, offline and online events and the page becoming
// visible are followed too.
//
// # Through any proxy: the HTTP fallback
//
// Some corporate and hotel proxies strip the Upgrade header, buffer
// responses or cut long requests. With Options.Fallback set (a
// *FallbackOptions), a connection whose WebSocket handshake fails before
// open, or does not open in time, is made over plain HTTP requests instead —
// fetch in the browser, net/http natively — to a server that speaks the
// fallback (package server/fallback; the wire format is package
// wsclient/fallbackproto). Nothing changes for the application: the same
// Conn, the same events and close codes, messages once each and in order.
// Conn.Transport tells which transport is in use; BufferedAmount then counts
// the bytes the server has not acknowledged. The fallback is remembered per
// origin for the page's life, and a Client moves back to a WebSocket when
// one gets through again. Programs that never set Options.Fallback do not
// link its code.
//
// # Resources
//
// Each connection holds four js.Func handlers, released with the close
// event. A Go program must not exit while its connections are open: the
// browser would call into a program that has gone ("Go program has already
// exited").
//
// The js/wasm build imports neither net/http nor any WebSocket library, only
// syscall/js and a few standard packages, which keeps programs small.
package wsclient

// Package ui holds duplex's single-page app, written with go-app v10: the
// live WebSocket console (ConsolePath, "/") and the chat (ChatPath, "/chat";
// "/chat/" shows it too).
//
// The same components run in two places: compiled to WebAssembly they are the
// app in the browser, and compiled natively they are prerendered by the
// server and tested with go-app's test engine. Routes registers them for
// both, because go-app's server-side handler answers 404 for a path no route
// matches.
//
// # Connections
//
// The pages talk to the server through the Socket interface, which
// *wsclient.Conn satisfies in the browser. Events arrive on a goroutine of
// the connection; the pages never update the UI from there. A session
// collects events, counters and log entries under a mutex, and a small loop
// polls the live values the browser exposes without events (bufferedAmount,
// readyState, protocol, extensions) and flushes everything to the component
// with one ctx.Dispatch at most per rendered frame. A flood of messages
// therefore costs one render per frame, however many messages arrive, and
// go-app's dispatch queue never fills.
//
// Every readyState the connection passes through is rendered for at least
// one frame, even when the browser moves through several between two
// frames: CONNECTING is always seen before OPEN.
//
// The chat page speaks the protocol of package
// [github.com/duplexgo/duplex/server/chatproto], the same package the server
// uses: it imports only the standard library, so app.wasm links no server
// code for it.
//
// Each page cancels its own context when it is dismounted (go-app does not
// cancel the component's context), which stops its loop and closes its
// connection with 1000.
package ui

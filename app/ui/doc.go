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
// The pages connect through package app/live, which binds a wsclient
// connection to a go-app component: the console's connection is a
// live.Feed of a plain *wsclient.Conn or, with auto-reconnect, of a
// *wsclient.Client; the chat's is always a Client. The feed counts messages
// and polls the live values (readyState, bufferedAmount, protocol,
// extensions, the client's phase, attempt, next try and queue), and
// live.Watch hands the page a snapshot at most once per rendered frame, so
// a flood of messages costs one render per frame and go-app's dispatch
// queue never fills. Every readyState the connection passes through is
// rendered for one frame at least: CONNECTING is always seen before OPEN.
//
// The console keeps its event log and round-trip times in a session whose
// callbacks run on the connection's goroutines, before the feed records
// each event, so that a snapshot counting a message also finds it logged;
// the chat reads the frames, the client's phase changes and the messages
// it could not deliver from the snapshot's events, in order.
//
// # Failures
//
// A browser reports every failed handshake the same way (error, then close
// 1006, no reason), so the console explains it itself (failure.go): a port
// browsers refuse to connect to is refused before dialing; a plain
// connection that fails while CONNECTING is one log entry, written once a
// probe has fetched the URL's http(s) form (probe_wasm.go: fetch through
// syscall/js, no net/http in app.wasm) — 404, 426/400 (then, when
// subprotocols were offered, a WebSocket offering none tells a refused
// offer), an opaque cross-origin answer, or no answer at all. The
// classification, explainFailure, is a pure function. A reconnecting
// client's failed attempt is one entry too, with the next try.
//
// With auto-reconnect, a message sent while no connection is open is
// logged as queued, then as sent when the client writes it
// (wsclient.ClientOptions.OnWrite); its round trip counts from that write.
//
// # The console's event log
//
// Each entry keeps its message's payload, so that it can be opened in full
// in a detail pane (JSON pretty-printed with encoding/json's tokens and
// coloured by CSS class, binary as a hex dump), copied with the Clipboard
// API, and exported as JSON lines (a Blob downloaded through a link). The
// log is bounded by count and by bytes (maxLogEntries, maxLogBytes; the
// session's pending buffer too), and counts what it drops. The filter
// (direction, kind, a plain or regexp search) keeps a view: the positions
// of the entries it shows, extended as entries come, rebuilt when it
// changes; pausing freezes the view while the log goes on. Only the rows
// of the view that are in sight are rendered: every row has the same height
// (logRowHeight), and spacers above and below stand for the others
// (logWindow), so a frame costs the same with 10,000 entries as with 50.
// The detail pane is a component of its own, which go-app renders again
// only when another entry is opened.
//
// The chat page speaks the protocol of package
// [github.com/duplexgo/duplex/server/chatproto], the same package the server
// uses: it imports only the standard library, so app.wasm links no server
// code for it.
//
// Tests give the pages fakes of live.Socket and live.ClientSocket (the
// Dial and DialClient fields). When a page is dismounted it stops watching
// (go-app does not cancel the component's context: live.Watch's stop is
// called from OnDismount) and closes its connection with 1000.
package ui

// Package server is duplex's WebSocket server, built on
// github.com/coder/websocket: a public echo endpoint, chat rooms, health and
// metrics endpoints, and a pluggable handler for the app itself.
//
// # Endpoints
//
//   - /echo echoes every message back unchanged: same type, same bytes, up
//     to Config.MaxMessageBytes (16 MiB by default; a larger message closes
//     the connection with 1009). Any Origin is accepted, including "null"
//     from a page opened as a file:// URL. The "echo" subprotocol is
//     negotiated when offered. A text message that is not UTF-8 closes the
//     connection with 1007 instead of being echoed: browsers fail a
//     connection that receives one.
//   - /chat?room=NAME&name=NICK joins a chat room (default "lobby"); see
//     below. Only same-origin pages and Config.AllowedOrigins may connect;
//     others get 403.
//   - /healthz answers 200 "ok" (503 once shutdown has started).
//   - /metrics exposes Prometheus counters: duplex_connections_open and
//     duplex_connections_total, duplex_messages_in_total and _out_total,
//     duplex_bytes_in_total and _out_total (all labelled by path),
//     duplex_closes_total{code}, duplex_handshakes_rejected_total{reason}
//     and duplex_chat_rooms.
//   - everything else goes to Config.Root, by default a file server on
//     Config.WebDir.
//
// A plain HTTP request to /echo or /chat gets 426 Upgrade Required with a
// short explanation, except a browser's page request on /chat (a GET or HEAD
// whose Accept header lists text/html), which goes to Config.Root when it is
// set: the app's chat page lives at the same path as its WebSocket. Beyond Config.MaxConns open WebSocket connections, the
// next handshake gets 503.
//
// # Chat protocol
//
// Package [github.com/duplexgo/duplex/server/chatproto] is the reference of
// /chat: its frames, the limits a client must respect and the close codes it
// may see. It encodes and decodes the frames for the server, the app's chat
// page and any other Go client. Bad input never reaches other clients: a
// malformed, empty, too long or rate-limited frame gets an error event;
// invalid UTF-8 closes the connection with 1007, a binary frame with 1003, a
// client that keeps flooding past the rate limit with 1008, and a client too
// slow to read its events (its bounded queue fills) with 1008, without
// slowing the room down.
//
// # Connections
//
// The server pings every connection each Config.PingInterval; a peer that
// stops answering is dropped within two intervals. The pings are scheduled
// by a timer per connection, not a goroutine. An idle /echo connection holds
// no buffer (on plain TCP, reads and writes take pooled buffers only while
// data moves) and, on Linux, no goroutine: its HTTP handler returns once the
// connection is upgraded, and while nothing comes in the connection waits
// in an epoll of the server's, which gives it a goroutine again when its
// socket becomes readable (elsewhere, one goroutine waits in its read). Shutdown (and the
// cancellation of the context given to Serve or ListenAndServe) closes every
// WebSocket connection with 1001 and waits for them within a bound:
// http.Server.Shutdown alone would neither close nor wait for hijacked
// connections.
//
// Protocol violations (unmasked or reserved-bit frames, unknown opcodes,
// fragmented or oversized control frames, ...) close the offending
// connection with 1002; coder/websocket sends that close frame itself except
// for an unmasked client frame, for which the server sends it.
//
// Every connection is logged with log/slog when it opens and when it
// closes, with its remote address, path, close code and duration.
package server

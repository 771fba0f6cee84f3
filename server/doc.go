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
//     others get 403. The subprotocol "chat.text", or format=text in the
//     query, chooses the plain-text mode (raw text in, lines out).
//   - /healthz answers 200 "ok" (503 once shutdown has started).
//   - /metrics exposes the Prometheus text format: duplex_connections_open
//     and duplex_connections_total, duplex_messages_in_total and _out_total,
//     duplex_bytes_in_total and _out_total (all labelled by path and
//     transport),
//     duplex_closes_total{code}, duplex_handshakes_rejected_total{reason}
//     (reasons not_websocket, no_endpoint, origin, limit, ip_conns,
//     shutdown, bad_request, rooms, room_full, ip_rooms), duplex_chat_rooms,
//     duplex_chat_slow_drops_total, duplex_chat_rooms_evicted_total{state},
//     the histograms duplex_handshake_duration_seconds
//     {path} and duplex_echo_duration_seconds, duplex_memory_releases_total,
//     and the Go runtime's and the process's metrics under the names of the
//     Prometheus client (go_goroutines, go_memstats_heap_alloc_bytes,
//     go_gc_duration_seconds, process_resident_memory_bytes,
//     process_open_fds, process_cpu_seconds_total, ...; the process_ ones
//     other than process_start_time_seconds on Linux only).
//   - Config.Routes serves /echo or /chat at more paths, such as
//     /socket/server/startDaemon.php for a tutorial's page written for
//     another server.
//   - everything else goes to Config.Root, by default a file server on
//     Config.WebDir. A WebSocket handshake never does: on a path that is no
//     endpoint (including /, /healthz and /metrics) it gets 404 with a body
//     naming the endpoints, and a warning is logged with the path, the
//     Origin and the remote address. To serve WebSocket endpoints of your
//     own beside the server's, mount Handler in your own mux.
//
// A plain HTTP request to /echo or /chat gets 426 Upgrade Required with a
// short explanation, except a browser's page request on /chat (a GET or HEAD
// whose Accept header lists text/html), which goes to Config.Root when it is
// set: the app's chat page lives at the same path as its WebSocket. Beyond
// Config.MaxConns open WebSocket connections, the next handshake gets 503;
// beyond Config.MaxConnsPerIP from one client address (an IPv4 address or
// an IPv6 /64), 429, so that one client cannot take them all.
//
// # Chat protocol
//
// Package [github.com/duplexgo/duplex/server/chatproto] is the reference of
// /chat: its frames (JSON, and the plain-text mode's lines), the limits a
// client must respect and the close codes it may see. It encodes and
// decodes the frames for the server, the app's chat page and any other Go
// client. Bad input never reaches other clients: a malformed, empty, too
// long or rate-limited frame gets an error event; invalid UTF-8 closes the
// connection with 1007, a binary frame with 1003, a client that keeps
// flooding past the rate limit with 1008.
//
// Rooms hold thousands of members (Config.ChatMaxMembers; a full room
// answers 503). The full member list goes out once, in a member's welcome;
// joins and leaves carry only who, so a join costs the same in a big room
// as in a small one. Every event is encoded once per mode and queued to
// each member; a member's writer sends what gathered in one write to the
// socket, at most every 50 ms while events keep coming. A member that falls
// behind — its oldest undelivered event older than Config.ChatMaxLag, or
// Config.ChatQueueSize events queued — is dropped with 1008 "too slow"
// without slowing the room: nothing more is queued for it, and the close
// frame follows what its socket already holds (chat sockets keep a small
// kernel send buffer, so that is little) if the socket takes it within two
// seconds, after which the TCP connection is closed.
//
// One client address may be in Config.ChatRoomsPerIP rooms at once (429
// beyond). At Config.ChatMaxRooms, a new room evicts an empty room, or else
// one where nobody has posted for Config.ChatRoomIdle, closing its members
// with 1000 "room closed: idle"; if neither exists the handshake gets 503.
//
// # Connections
//
// Serve and ListenAndServe read at most Config.MaxHeaderBytes (32 KiB) of
// request header; a larger one gets 431. Every Config.FreeMemoryInterval
// (10s) they check whether the open WebSocket connections have fallen to
// half their peak or less, and if so give the memory back to the operating
// system with debug.FreeOSMemory: an idle Go program otherwise keeps the
// memory of a spike for minutes.
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
// # HTTP fallback
//
// Unless Config.DisableFallback is set, every WebSocket endpoint is also
// served over plain HTTP (package server/fallback, bounded by
// Config.Fallback) to clients behind proxies that break WebSockets. The
// endpoint's handler runs unchanged on the fallback's virtual connection:
// origin rules, limits, close codes, pings and shutdown apply alike, and
// the connection metrics carry a transport label ("websocket" or "http").
// A fallback request never reaches Config.Root nor gets the 426 and 404
// answers of plain requests; the fallback's own metrics are
// duplex_fallback_sessions, duplex_fallback_sessions_total,
// duplex_fallback_sessions_reaped_total and
// duplex_fallback_buffered_bytes{direction}. At shutdown, a fallback
// client's close frame (1001) goes down its receive stream, followed by the
// stream's end, without waiting for the client's answer: the listener that
// would take it is closed.
//
// Protocol violations (unmasked or reserved-bit frames, unknown opcodes,
// fragmented or oversized control frames, ...) close the offending
// connection with 1002; coder/websocket sends that close frame itself except
// for an unmasked client frame, for which the server sends it.
//
// Every connection is logged with log/slog when it opens and when it
// closes, with its remote address, path, close code and duration.
package server

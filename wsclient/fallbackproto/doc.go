// Package fallbackproto is the wire format of duplex's HTTP fallback: the
// one definition that wsclient (in the browser and natively) and the server
// (package server/fallback) share. It imports only the standard library, so
// it adds little to a WebAssembly program.
//
// # What travels
//
// The fallback does not invent a message format. It carries a WebSocket
// connection's bytes — the frames of RFC 6455, masked by the client exactly
// as on a socket — over plain HTTP requests that proxies let through. The
// server runs its ordinary WebSocket handler on a virtual connection whose
// bytes come from and go to those requests, so close codes, size limits,
// UTF-8 checks, pings and everything else behave as over a socket. Only the
// opening handshake is replaced, by the open request below.
//
// Each direction is one reliable byte stream: every byte has an offset from
// the start of the session, and each side acknowledges the offset it has, so
// a request that is cut, retried or repeated neither loses nor duplicates
// bytes.
//
// # Requests
//
// All requests go to the WebSocket URL with its scheme mapped to http or
// https and the parameter ParamOp added; the URL's own query (a chat room,
// say) is kept.
//
// Open: POST URL?duplex-fallback=open[&duplex-protocols=a,b]. The server
// runs its WebSocket handler with the request's origin, address, cookies and
// the requested subprotocols. When the handler accepts, the answer is 200
// with an Open record (see Open.Marshal). Any other status is the handler's
// refusal, as a WebSocket handshake would have got it (403 for an origin
// that is not allowed, 404, 429, 503...).
//
// Receive: GET URL?duplex-fallback=recv&duplex-session=ID&duplex-ack=N
// &duplex-mode=stream|poll. N is how many downstream bytes the client has;
// the server forgets those and sends what follows as records (see Record).
// In stream mode the response stays open: it starts with padding and a
// heartbeat at once, then carries data as it is written and a heartbeat
// every Open.Heartbeat. A client that gets nothing at all for a while is
// behind a proxy that buffers responses; it switches to poll mode, where
// each response ends as soon as it carries data, or after Open.Poll with a
// heartbeat alone. One receive runs per session: a new one ends the old.
//
// Send: POST URL?duplex-fallback=send&duplex-session=ID&duplex-offset=N
// [&duplex-ack=M], with the upstream bytes from offset N as the body (no
// Content-Type, so cross-origin pages need no preflight). The server skips
// what it already has, takes what fits in its window, and answers 200 with
// the upstream offset it now has (FormatAck). The client sends one request at
// a time, in order, and sends again from that offset what was not taken. M,
// when present, acknowledges downstream bytes as in Receive.
//
// The server holds at most Open.Window downstream bytes that the client has
// not acknowledged; past that, its handler's writes wait. A stream carries
// no acknowledgement, so a client on a stream acknowledges what it has with
// a send — an empty one when it has nothing to send — at the latest when
// half the window is unacknowledged.
//
// A session ends when the server's handler closes its connection: the
// receive stream then carries every remaining byte and an End record. A
// session whose client makes no request for the server's idle timeout is
// reaped: its handler sees the connection drop, as when a TCP peer vanishes.
// Requests for an unknown or ended session get 404; requests with an Origin
// other than the one that opened the session get 403.
//
// # Probe
//
// A WebSocket handshake with the parameter ParamProbe is accepted and closed
// at once with 1000 by a duplex server, without running the endpoint's
// handler: a client on the fallback uses it to learn that WebSockets get
// through again without joining a chat room twice.
package fallbackproto

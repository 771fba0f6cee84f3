// Package fallback serves duplex's HTTP fallback in front of any WebSocket
// handler, for clients behind proxies that break WebSockets: a proxy that
// strips Upgrade, answers the handshake with 403 or 502, or buffers
// responses.
//
// The fallback tunnels the WebSocket connection's own bytes — the frames of
// RFC 6455, masked by the client — over plain HTTP requests, as package
// github.com/duplexgo/duplex/wsclient/fallbackproto defines. The handler
// wrapped by New runs unchanged: it gets a WebSocket handshake made for the
// session and, when it hijacks, a net.Conn whose bytes come from and go to
// the client's requests. Its origin checks, size limits, UTF-8 checks,
// pings, close codes and shutdown behave as over a socket. IsFallback tells
// it, for metrics and logs, which transport carries a connection.
//
// # Sessions
//
// An open (POST with fallbackproto.ParamOp=open) runs the handler on a
// WebSocket handshake request for the same URL: method GET, the open's
// Origin, Cookie, User-Agent, Authorization, Accept-Language and forwarding
// headers, its remote address and Host, the query without the fallback's
// parameters, the subprotocols of fallbackproto.ParamProtocols, and no
// Sec-WebSocket-Extensions (no compression is negotiated). Its context is
// the session's: it ends with the session, not with the open's request.
// When the handler hijacks with 101, the open answers 200 with the session;
// otherwise with the handler's own status, headers and body (403, 404, 429,
// 503...).
//
// Each session holds at most Config.Window bytes in each direction: the
// handler's writes wait while Window bytes are unacknowledged (or until the
// write deadline), and a send takes only what fits. A session whose client
// makes no request for Config.Idle (a receive under way counts) is reaped:
// the handler's reads see io.EOF and its writes fail with ErrReaped, as
// when a TCP peer vanishes; Stats counts those. A session whose handler
// closed the connection serves its last bytes and End record, then is
// forgotten after Config.Idle. At most Config.MaxSessions are held; one
// more open gets 503.
//
// # Security
//
// Session ids are 128 random bits. A session belongs to the origin of its
// open: a later request whose Origin header differs gets 403, and so does
// one without an Origin header that the browser marks as coming from
// another site (Sec-Fetch-Site cross-site or same-site). Requests without
// either header — same-origin GETs in browsers, non-browser clients — are
// let through: for those the unguessable id is the credential, as the
// session cookie of any web app. The handler's own origin rule decides the
// open. Answers to the session's origin carry Access-Control-Allow-Origin
// (with credentials) so that cross-origin pages the handler accepted can
// read them; a refused open carries none. Answers are not cached
// (Cache-Control: no-store).
//
// # Probes
//
// A WebSocket handshake with the parameter fallbackproto.ParamProbe is
// accepted and closed at once with 1000, without running the handler: a
// client on the fallback learns that WebSockets get through again.
//
// # Proxies in front
//
// A reverse proxy in front of the server should pass receive streams
// through unbuffered: they are sent with X-Accel-Buffering: no, which
// nginx honours. One that buffers anyway costs latency, not correctness:
// the client sees no heartbeat and switches to polling.
package fallback

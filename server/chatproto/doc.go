// Package chatproto is the protocol of duplex's chat: the JSON text frames
// that a client and the server's /chat endpoint exchange, the limits the
// server enforces, and the functions that encode and decode frames in both
// directions. The server (package server), the app's chat page (compiled to
// WebAssembly) and any other Go client share it; this comment is the
// protocol's reference.
//
// The package imports only the standard library, so it builds for every
// GOOS and GOARCH and adds next to nothing to a WebAssembly program that
// already links encoding/json.
//
// # Joining a room
//
// A client joins a room by opening a WebSocket on Path with two query
// parameters (JoinPath builds it):
//
//	/chat?room=NAME&name=NICK
//
// An empty room is DefaultRoom ("lobby"); a room name of more than
// MaxRoomRunes characters, or with a character that is not printable, is
// refused with 400 before the upgrade. The name loses its non-printable
// characters and is cut to MaxNameRunes characters; an empty name becomes
// "guest-N", and a name already used in the room gets a suffix ("ann-2").
// The welcome frame tells the client which name it got. duplexd accepts the
// handshakes of same-origin pages and of the origins it is configured with,
// and answers 403 to other pages. Before the upgrade it also answers, with
// a short reason in the body:
//
//   - 503 "room is full": the room has its most members (DefaultMaxMembers,
//     5000, unless the server is configured otherwise); should the room
//     fill between that check and the join, the connection is closed with
//     1013 "room is full" instead of getting a welcome;
//   - 503 "too many chat rooms": the server keeps its most rooms and none
//     can be evicted (see below);
//   - 429 "too many chat rooms from your address": the client's IP address
//     (its /64 for IPv6) is already in as many rooms as the server allows
//     it, and this room is not one of them;
//   - 429 "too many connections from your address": likewise for open
//     connections.
//
// A room lives on while it has members; an empty one keeps its history
// until the server needs room for another. When the server is at its
// limit, it evicts an empty room, or else a room where nobody has posted
// for a while (ten minutes by default), whose members are closed with 1000
// "room closed: idle".
//
// # Frames
//
// Every frame is a JSON object in a text message, with a "type" field. A
// reader ignores the fields it does not know, so that either side can add
// some.
//
// A client sends one kind of frame, ClientMessage (EncodeClientMessage):
//
//	{"type":"message","text":"hi"}
//
// The text must not be empty or only white space, and is at most the
// server's limit in bytes of UTF-8 (DefaultMaxTextBytes, 4096, unless the
// server is configured otherwise; the welcome frame tells it). The server
// decodes it with DecodeClientMessage.
//
// A client that wants to know what became of each message adds an id of
// its choosing, "cid", at most MaxCIDBytes (EncodeClientMessageCID):
//
//	{"type":"message","text":"hi","cid":"k7"}
//
// The server copies it into its answer: the MessageEvent of the accepted
// message (which every member gets, and the history keeps), or the
// ErrorEvent that rejects the frame. A client can therefore show a message
// as pending until its answer arrives, and confirm or reject that very
// message, even when it sent several at once. A frame with the cid of one
// of the sender's messages still in the room's history is a retry (its
// answer was lost with a connection, say): it is not posted again, and the
// sender alone gets that message again. The cid is optional: without it
// the exchange is as before, and a server that predates it ignores it.
//
// The server sends four kinds of frames (EncodeEvent; a client decodes any
// of them into an Event with DecodeEvent):
//
//   - WelcomeEvent, once, as the first frame: the room, the client's name,
//     the members in join order, the room's last messages (at most
//     DefaultHistory by default), oldest first, and the longest text
//     accepted ("maxText", in bytes).
//   - PresenceEvent, type "join" or "leave", to the other members when a
//     client joins or leaves. It says only who: the full member list is in
//     the welcome frame alone, and a client keeps its copy up to date by
//     adding a joiner at the end and removing a leaver.
//   - MessageEvent to every member, sender included. IDs strictly increase
//     per room (by one, from 1, on a single server; by one or more on
//     servers sharing rooms through NATS); Time is RFC 3339 in UTC, to the
//     second;
//     "cid" is the sender's, if it gave one.
//   - ErrorEvent to a client alone, when its frame was malformed, empty, too
//     long, of an unknown type or over the rate limit, with the frame's
//     "cid" when it had one the server could read. The connection stays
//     open and nobody else sees the frame.
//
// # An example exchange
//
// ann joins the lobby, where bob is waiting; → is ann to the server, ← the
// server to ann:
//
//	→ GET /chat?name=ann&room=lobby (the WebSocket handshake)
//	← {"type":"welcome","room":"lobby","you":"ann","members":["bob","ann"],"history":[{"type":"message","id":1,"from":"bob","text":"anyone?","time":"2026-01-02T03:04:05Z"}],"maxText":4096}
//	  (bob gets {"type":"join","from":"ann"})
//	→ {"type":"message","text":"hi bob","cid":"k1"}
//	← {"type":"message","id":2,"from":"ann","text":"hi bob","time":"2026-01-02T03:04:09Z","cid":"k1"}
//	  (bob gets the same frame)
//	→ {"type":"message","text":"   ","cid":"k2"}
//	← {"type":"error","text":"empty message","cid":"k2"}
//	← {"type":"leave","from":"bob"}
//	→ close 1000, and the server answers with 1000
//
// # Plain-text mode
//
// A client that sends and shows raw text (wscat, websocat, a page that
// appends each message to a list) asks for the plain-text mode with the
// subprotocol TextSubprotocol ("chat.text") or the query parameter
// format=text (TextJoinPath). Each text frame it sends is a message, taken
// whole (less one trailing line break, see DecodeTextMessage); it receives
// one line per frame, made by EncodeText: "name: text" for a message, "* ann
// joined" and "* ann left", "! reason" for a rejected frame, and on joining
// "* you joined ROOM as NAME; N members: ..." followed by the room's history
// as message lines. Text and JSON clients share the rooms, the history, the
// limits and the close codes; the same exchange as above, for a text client:
//
//	→ GET /chat?format=text&name=ann&room=lobby
//	← * you joined lobby as ann; 2 members: bob, ann
//	← bob: anyone?
//	→ hi bob
//	← ann: hi bob
//	→ "   "
//	← ! empty message
//	← * bob left
//
// # Rate limit
//
// A client may send DefaultRate frames per second, in bursts of up to
// DefaultBurst (duplexd's -chat-rate and -chat-burst change them); every
// frame counts, valid or not. A frame over the limit is dropped and
// answered with the error event "rate limit exceeded: slow down". A client
// that keeps sending regardless (twice the burst of dropped frames, a budget
// that refills at a tenth of the rate) is closed with 1008.
//
// # Close codes
//
// A client leaves with 1000 (the only code below 3000 a browser's close()
// may send). The server closes a chat connection with:
//
//   - 1001 "server shutting down";
//   - 1002 when the WebSocket framing is broken (unmasked or reserved-bit
//     frames, unknown opcodes, bad control frames);
//   - 1003 "binary messages are not supported": a binary message;
//   - 1007 "invalid UTF-8": a text message that is not UTF-8, which the
//     server does not answer with an error event, since browsers fail a
//     connection that receives invalid UTF-8;
//   - 1000 "room closed: idle": the server needed room for another room,
//     and nobody had posted in this one for a while;
//   - 1008 "rate limit exceeded" (see above), or "too slow": the client
//     fell behind, its oldest frame not yet taken by its socket older than
//     DefaultMaxLag (10 s unless the server is configured otherwise), or
//     the bounded queue the server keeps for it full. The room is not
//     slowed down for it: the server stops queuing frames for it at once,
//     and sends the close frame after what its socket already holds, if the
//     socket takes it within a second or two; otherwise it closes the TCP
//     connection;
//   - 1009 "message too big": a frame longer than MaxFrameBytes;
//   - 1013 "too many chat rooms", "room is full" or "too many chat rooms
//     from your address": the room could not be created or joined after all
//     (the handshake's checks passed, but another client got there first).
//
// A peer that stops answering pings is dropped without a close frame (1006
// for the client).
package chatproto

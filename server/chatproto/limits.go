package chatproto

import (
	"net/url"
	"strings"
	"time"
)

// Path is the chat's WebSocket endpoint on the server.
const Path = "/chat"

// Room and name limits, checked by the server at the handshake.
const (
	// DefaultRoom is the room joined when the room parameter is empty.
	DefaultRoom = "lobby"
	// MaxRoomRunes is the longest room name, in characters; a longer one is
	// refused with 400.
	MaxRoomRunes = 64
	// MaxNameRunes is the longest name, in characters; a longer one is cut.
	MaxNameRunes = 32
)

// MaxCIDBytes is the longest client id (ClientMessage.CID) the server
// accepts, in bytes; a frame with a longer one is rejected.
const MaxCIDBytes = 64

// The server's defaults for what a client may send, what it gets on
// joining and how far behind it may fall; duplexd's flags (-chat-max-text,
// -chat-history, -chat-rate, -chat-burst, -chat-max-members, -chat-max-lag)
// change them.
const (
	// DefaultMaxTextBytes is the longest text of a ClientMessage, in bytes
	// of UTF-8.
	DefaultMaxTextBytes = 4096
	// DefaultHistory is the number of messages a room keeps and replays in
	// WelcomeEvent.History.
	DefaultHistory = 50
	// DefaultRate is the sustained number of frames per second a client may
	// send.
	DefaultRate = 20.0
	// DefaultBurst is the number of frames a client may send at once before
	// the rate limit applies.
	DefaultBurst = 40
	// DefaultMaxMembers is the most members a room holds; the next
	// handshake for it is answered 503.
	DefaultMaxMembers = 5000
	// DefaultMaxLag is how far behind a client may fall: when the oldest
	// frame the server has for it and could not yet hand to its socket is
	// older than that, the client is closed with 1008 "too slow".
	DefaultMaxLag = 10 * time.Second
)

// MaxFrameBytes is the longest frame the server reads from a client whose
// texts may be maxText bytes long: enough for such a text even if every
// byte is escaped as \u00XX. A longer frame closes the connection with 1009.
func MaxFrameBytes(maxText int) int64 {
	return int64(6*maxText + 1024)
}

// JoinPath returns the path and query that join room as name, to resolve
// against the server's ws:// or wss:// URL (a browser page can use it as a
// relative URL). Surrounding spaces are removed from both, as the server
// would; either may be empty (see the package documentation).
func JoinPath(room, name string) string {
	return Path + "?" + joinQuery(room, name).Encode()
}

// TextJoinPath is JoinPath for the plain-text mode: the same path with
// format=text (see TextSubprotocol for the other way to ask for it).
func TextJoinPath(room, name string) string {
	q := joinQuery(room, name)
	q.Set(FormatParam, FormatText)
	return Path + "?" + q.Encode()
}

func joinQuery(room, name string) url.Values {
	q := url.Values{}
	q.Set("room", strings.TrimSpace(room))
	q.Set("name", strings.TrimSpace(name))
	return q
}

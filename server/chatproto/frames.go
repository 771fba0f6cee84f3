package chatproto

// Frame types, the "type" field of every frame.
const (
	TypeWelcome = "welcome" // server to client, once, on join
	TypeJoin    = "join"    // server to clients: someone joined
	TypeLeave   = "leave"   // server to clients: someone left
	TypeMessage = "message" // both ways: a chat message
	TypeError   = "error"   // server to one client: its frame was rejected
)

// ClientMessage is the one frame a client sends:
//
//	{"type":"message","text":"...","cid":"..."}
//
// CID is optional: an id of the client's choosing, at most MaxCIDBytes,
// that the server copies into the MessageEvent of the accepted message and
// into the ErrorEvent of a rejected one, so that the client can tell which
// of its messages each answers. Unknown fields are ignored, so that clients
// can add some.
type ClientMessage struct {
	Type string `json:"type"` // "message"
	Text string `json:"text"`
	CID  string `json:"cid,omitempty"`
}

// ServerEvent is a frame the server sends, ready to encode with
// EncodeEvent: a WelcomeEvent, PresenceEvent, MessageEvent or ErrorEvent.
type ServerEvent interface {
	serverEvent()
}

// WelcomeEvent is sent to a client that joined a room: the room's name, the
// client's (possibly renamed) name, the members in join order, and the
// room's last messages, oldest first. Members and History are never null:
// the server sends empty lists. MaxText is the longest text the server
// accepts in a ClientMessage, in bytes (absent from older servers: assume
// DefaultMaxTextBytes).
type WelcomeEvent struct {
	Type    string         `json:"type"` // "welcome"
	Room    string         `json:"room"`
	You     string         `json:"you"`
	Members []string       `json:"members"`
	History []MessageEvent `json:"history"`
	MaxText int            `json:"maxText,omitempty"`
}

// PresenceEvent tells the other members of a room that From joined or left:
// a change to the member list of the WelcomeEvent, which a client applies
// to its own copy (a joiner goes at the end; a leaver is removed). It
// carries only who, so that a join costs the same in a room of thousands
// as in a room of two.
type PresenceEvent struct {
	Type string `json:"type"` // "join" or "leave"
	From string `json:"from"`
}

// MessageEvent is a chat message, sent to every member of the room, sender
// included, and replayed in WelcomeEvent.History. IDs strictly increase
// within a room: by one, starting at 1, on a server that keeps its rooms in
// memory (they start again when it restarts); by one or more, and kept
// across restarts, on servers that share rooms through NATS. A client
// dedupes messages by id. Time is RFC 3339 in UTC. CID is the one the sender gave its ClientMessage, if it
// gave one: the sender finds its message by it; the others may ignore it.
type MessageEvent struct {
	Type string `json:"type"` // "message"
	ID   uint64 `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
	Time string `json:"time"`
	CID  string `json:"cid,omitempty"`
}

// ErrorEvent tells one client why its frame was rejected. Nobody else sees
// it, and the connection stays open. CID is the rejected ClientMessage's,
// when the frame had one the server could read.
type ErrorEvent struct {
	Type string `json:"type"` // "error"
	Text string `json:"text"`
	CID  string `json:"cid,omitempty"`
}

func (WelcomeEvent) serverEvent()  {}
func (PresenceEvent) serverEvent() {}
func (MessageEvent) serverEvent()  {}
func (ErrorEvent) serverEvent()    {}

// Event is any frame the server sends, as DecodeEvent reads it: Type says
// which of the other fields are set.
//
//   - TypeWelcome: Room, You, Members, History, MaxText (as in WelcomeEvent)
//   - TypeJoin, TypeLeave: From (as in PresenceEvent)
//   - TypeMessage: ID, From, Text, Time, CID (as in MessageEvent)
//   - TypeError: Text, CID (as in ErrorEvent)
type Event struct {
	Type    string         `json:"type"`
	Room    string         `json:"room,omitempty"`
	You     string         `json:"you,omitempty"`
	Members []string       `json:"members,omitempty"`
	History []MessageEvent `json:"history,omitempty"`
	From    string         `json:"from,omitempty"`
	ID      uint64         `json:"id,omitempty"`
	Text    string         `json:"text,omitempty"`
	Time    string         `json:"time,omitempty"`
	CID     string         `json:"cid,omitempty"`
	MaxText int            `json:"maxText,omitempty"`
}

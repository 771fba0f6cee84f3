package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Chat event types, the "type" field of every /chat frame.
const (
	TypeWelcome = "welcome" // server to client, once, on join
	TypeJoin    = "join"    // server to clients: someone joined
	TypeLeave   = "leave"   // server to clients: someone left
	TypeMessage = "message" // both ways: a chat message
	TypeError   = "error"   // server to one client: its frame was rejected
)

// ClientMessage is the one frame a chat client sends:
//
//	{"type":"message","text":"..."}
//
// Unknown fields are ignored, so that clients can add some.
type ClientMessage struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// WelcomeEvent is sent to a client that joined a room: the room's name, the
// client's (possibly renamed) nickname, the members in join order, and the
// room's last messages, oldest first.
type WelcomeEvent struct {
	Type    string         `json:"type"` // "welcome"
	Room    string         `json:"room"`
	You     string         `json:"you"`
	Members []string       `json:"members"`
	History []MessageEvent `json:"history"`
}

// PresenceEvent tells the other members of a room that From joined or left.
// Members is the membership after the change, in join order.
type PresenceEvent struct {
	Type    string   `json:"type"` // "join" or "leave"
	From    string   `json:"from"`
	Members []string `json:"members"`
}

// MessageEvent is a chat message, sent to every member of the room,
// sender included. IDs increase by one per room, starting at 1; Time is
// RFC 3339 in UTC.
type MessageEvent struct {
	Type string `json:"type"` // "message"
	ID   uint64 `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
	Time string `json:"time"`
}

// ErrorEvent tells one client why its frame was rejected. Nobody else sees
// it, and the connection stays open.
type ErrorEvent struct {
	Type string `json:"type"` // "error"
	Text string `json:"text"`
}

// Errors returned by DecodeClientMessage. Their texts are shown to the
// client in error events.
var (
	// ErrInvalidUTF8 means the frame is not UTF-8; the server closes the
	// connection with 1007 rather than answering.
	ErrInvalidUTF8 = errors.New("message is not valid UTF-8")
	// ErrMalformed means the frame is not a JSON object of the expected shape.
	ErrMalformed = errors.New("malformed message: want JSON {\"type\":\"message\",\"text\":\"...\"}")
	// ErrUnknownType means the "type" field is missing or not "message".
	ErrUnknownType = errors.New("unknown message type")
	// ErrEmptyText means the text is empty or only white space.
	ErrEmptyText = errors.New("empty message")
	// ErrTextTooLong means the text is longer than the configured maximum.
	ErrTextTooLong = errors.New("message too long")
)

// DecodeClientMessage parses and validates one text frame sent by a chat
// client. maxText is the largest accepted text in bytes. The returned error
// wraps one of ErrInvalidUTF8, ErrMalformed, ErrUnknownType, ErrEmptyText
// and ErrTextTooLong.
func DecodeClientMessage(data []byte, maxText int) (ClientMessage, error) {
	if !utf8.Valid(data) {
		return ClientMessage{}, ErrInvalidUTF8
	}
	var m ClientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return ClientMessage{}, ErrMalformed
	}
	if m.Type != TypeMessage {
		if m.Type == "" {
			return ClientMessage{}, fmt.Errorf("%w: missing \"type\"", ErrUnknownType)
		}
		return ClientMessage{}, fmt.Errorf("%w %.32q", ErrUnknownType, m.Type)
	}
	if strings.TrimSpace(m.Text) == "" {
		return ClientMessage{}, ErrEmptyText
	}
	if len(m.Text) > maxText {
		return ClientMessage{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTextTooLong, len(m.Text), maxText)
	}
	return m, nil
}

// encodeEvent marshals a server event. The event types contain only strings,
// integers and slices of them, so marshaling cannot fail.
func encodeEvent(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("server: encoding chat event: " + err.Error())
	}
	return b
}

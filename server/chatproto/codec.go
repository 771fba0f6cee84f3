package chatproto

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Errors returned by DecodeClientMessage. The server sends their texts to
// the client in error events.
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
	// ErrTextTooLong means the text is longer than the maximum.
	ErrTextTooLong = errors.New("message too long")
	// ErrCIDTooLong means the frame's "cid" is longer than MaxCIDBytes.
	ErrCIDTooLong = errors.New("cid too long")
)

// Errors returned by DecodeEvent.
var (
	// ErrUnreadableEvent means the frame is not a JSON object of the
	// expected shape.
	ErrUnreadableEvent = errors.New("unreadable frame from the server")
	// ErrUnknownEvent means the "type" field is missing or not one of the
	// server's frame types.
	ErrUnknownEvent = errors.New("unknown frame type")
)

// EncodeClientMessage returns the frame that posts text. Invalid UTF-8 in
// text is replaced by U+FFFD, as encoding/json does.
func EncodeClientMessage(text string) []byte {
	// Marshaling two strings cannot fail.
	b, _ := json.Marshal(ClientMessage{Type: TypeMessage, Text: text})
	return b
}

// EncodeClientMessageCID returns the frame that posts text with the
// client's id cid (see ClientMessage), which the server's answer carries
// back. An empty cid leaves the field out, as EncodeClientMessage does.
func EncodeClientMessageCID(text, cid string) []byte {
	b, _ := json.Marshal(ClientMessage{Type: TypeMessage, Text: text, CID: cid})
	return b
}

// DecodeClientMessage parses and validates one text frame sent by a
// client. maxText is the longest accepted text in bytes. The returned error
// wraps one of ErrInvalidUTF8, ErrMalformed, ErrUnknownType, ErrEmptyText
// ErrTextTooLong, or ErrCIDTooLong, and its text is short enough to send
// back in an ErrorEvent. On ErrUnknownType, ErrEmptyText and
// ErrTextTooLong the returned message still holds the frame's CID, for the
// server to copy into its ErrorEvent.
func DecodeClientMessage(data []byte, maxText int) (ClientMessage, error) {
	if !utf8.Valid(data) {
		return ClientMessage{}, ErrInvalidUTF8
	}
	var m ClientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return ClientMessage{}, ErrMalformed
	}
	if len(m.CID) > MaxCIDBytes {
		return ClientMessage{}, fmt.Errorf("%w: %d bytes, at most %d", ErrCIDTooLong, len(m.CID), MaxCIDBytes)
	}
	kept := ClientMessage{CID: m.CID}
	if m.Type != TypeMessage {
		if m.Type == "" {
			return kept, fmt.Errorf("%w: missing \"type\"", ErrUnknownType)
		}
		return kept, fmt.Errorf("%w %.32q", ErrUnknownType, m.Type)
	}
	if err := checkText(m.Text, maxText); err != nil {
		return kept, err
	}
	return m, nil
}

// checkText applies the rules every message's text follows, whatever the
// mode: not empty or only white space, at most maxText bytes.
func checkText(text string, maxText int) error {
	if strings.TrimSpace(text) == "" {
		return ErrEmptyText
	}
	if len(text) > maxText {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTextTooLong, len(text), maxText)
	}
	return nil
}

// EncodeEvent returns the frame of a server event. Every field is written,
// empty lists as [], in the order of the type's fields.
func EncodeEvent(ev ServerEvent) []byte {
	return mustMarshal(ev)
}

// DecodeEvent parses one text frame sent by the server. Fields the frame
// does not have, or that Event does not know, are left out; the fields of
// the frame's type are not checked further. The returned error wraps
// ErrUnreadableEvent or ErrUnknownEvent.
//
// The server sends only UTF-8 (and a browser fails a connection that
// receives anything else before the page sees it); should a frame hold
// invalid UTF-8 all the same, its strings get U+FFFD in place of the bad
// bytes, as encoding/json does.
func DecodeEvent(data []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(data, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrUnreadableEvent, err)
	}
	switch e.Type {
	case TypeWelcome, TypeJoin, TypeLeave, TypeMessage, TypeError:
		return e, nil
	}
	return Event{}, fmt.Errorf("%w %.32q from the server", ErrUnknownEvent, e.Type)
}

// mustMarshal marshals a frame. The frame types hold only strings, integers
// and slices of them, so marshaling cannot fail.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("chatproto: encoding a frame: " + err.Error())
	}
	return b
}

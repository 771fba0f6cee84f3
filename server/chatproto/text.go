package chatproto

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The plain-text mode of /chat, for clients that send and show raw text
// (wscat, websocat, a page that appends every message to a list). A client
// asks for it with the subprotocol TextSubprotocol, or with the query
// parameter format=text (TextJoinPath).
const (
	// TextSubprotocol is the WebSocket subprotocol of the plain-text mode.
	TextSubprotocol = "chat.text"
	// FormatParam is the query parameter that chooses the mode; FormatText
	// is its value for the plain-text mode. Any other value, or none, means
	// JSON frames.
	FormatParam = "format"
	FormatText  = "text"
)

// Prefixes of the plain-text mode's lines that are not messages.
const (
	// TextNotePrefix starts a line from the server about the room: the
	// welcome, someone joining or leaving.
	TextNotePrefix = "* "
	// TextErrorPrefix starts a line telling the client that its frame was
	// rejected.
	TextErrorPrefix = "! "
)

// TextWelcomeNames is the most names the welcome line of the plain-text
// mode lists; a larger room's line ends with "and N more".
const TextWelcomeNames = 20

// DecodeTextMessage validates one text frame of a plain-text client: the
// whole frame is the message's text, less one trailing line break ("\n" or
// "\r\n", which line-based tools may send). It fails as DecodeClientMessage
// does, with ErrInvalidUTF8, ErrEmptyText or ErrTextTooLong.
func DecodeTextMessage(data []byte, maxText int) (string, error) {
	if !utf8.Valid(data) {
		return "", ErrInvalidUTF8
	}
	text := string(data)
	text = strings.TrimSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\r")
	return text, checkText(text, maxText)
}

// EncodeText returns the frame a plain-text client gets for ev, one line
// without a line break:
//
//	MessageEvent               ann: hello
//	PresenceEvent "join"       * bob joined
//	PresenceEvent "leave"      * bob left
//	ErrorEvent                 ! message too long: 5000 bytes, at most 4096
//	WelcomeEvent               * you joined lobby as ann; 2 members: bob, ann
//
// The welcome line lists at most TextWelcomeNames members, then "and N
// more". The server sends the welcome's history after it, as message lines.
// A message's text may itself hold line breaks: it is still one frame.
func EncodeText(ev ServerEvent) []byte {
	switch e := ev.(type) {
	case MessageEvent:
		return []byte(e.From + ": " + e.Text)
	case PresenceEvent:
		verb := " joined"
		if e.Type == TypeLeave {
			verb = " left"
		}
		return []byte(TextNotePrefix + e.From + verb)
	case ErrorEvent:
		return []byte(TextErrorPrefix + e.Text)
	case WelcomeEvent:
		var b strings.Builder
		b.WriteString(TextNotePrefix + "you joined " + e.Room + " as " + e.You + "; ")
		b.WriteString(strconv.Itoa(len(e.Members)))
		if len(e.Members) == 1 {
			b.WriteString(" member: ")
		} else {
			b.WriteString(" members: ")
		}
		shown := e.Members[:min(len(e.Members), TextWelcomeNames)]
		b.WriteString(strings.Join(shown, ", "))
		if n := len(e.Members) - len(shown); n > 0 {
			b.WriteString(" and " + strconv.Itoa(n) + " more")
		}
		return []byte(b.String())
	}
	return nil
}

package wsclient

// State is the readyState of a connection, with the browser's numeric values.
type State int

// The four ready states of the WebSocket standard.
const (
	// Connecting: the opening handshake has not completed yet (readyState 0).
	Connecting State = 0
	// Open: messages can be sent and received (readyState 1).
	Open State = 1
	// Closing: the closing handshake has started (readyState 2).
	Closing State = 2
	// Closed: the connection is closed or could not be opened (readyState 3).
	Closed State = 3
)

// String returns the constant's name as the standard spells it, e.g. "OPEN".
func (s State) String() string {
	switch s {
	case Connecting:
		return "CONNECTING"
	case Open:
		return "OPEN"
	case Closing:
		return "CLOSING"
	case Closed:
		return "CLOSED"
	}
	return "State(" + itoa(int(s)) + ")"
}

// MessageType is the type of a WebSocket data message. The values match the
// frame opcodes and github.com/coder/websocket's MessageType.
type MessageType int

const (
	// Text is a UTF-8 text message, sent and received as a JavaScript string.
	Text MessageType = 1
	// Binary is a binary message, received as an ArrayBuffer.
	Binary MessageType = 2
)

// String returns "text" or "binary".
func (t MessageType) String() string {
	switch t {
	case Text:
		return "text"
	case Binary:
		return "binary"
	}
	return "MessageType(" + itoa(int(t)) + ")"
}

// Message is one received data message.
type Message struct {
	// Type is Text or Binary, as the peer sent it.
	Type MessageType
	// Data holds the payload: the UTF-8 bytes of a text message, or the bytes
	// of a binary message. It is a copy owned by the receiver.
	Data []byte
}

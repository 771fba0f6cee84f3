// Package wsframe is the client side of RFC 6455 framing, for wsclient's
// HTTP fallback, which runs the WebSocket protocol itself over a byte
// stream: it writes masked frames and parses the server's. It imports only
// errors, math/rand/v2 and unicode/utf8, so it adds little to a WebAssembly
// program.
package wsframe

import (
	"errors"
	"math/rand/v2"
	"unicode/utf8"
)

// Opcodes (RFC 6455 section 5.2).
const (
	OpContinuation byte = 0x0
	OpText         byte = 0x1
	OpBinary       byte = 0x2
	OpClose        byte = 0x8
	OpPing         byte = 0x9
	OpPong         byte = 0xA
)

// Close codes the parser fails with.
const (
	CodeNoStatus        = 1005
	CodeProtocolError   = 1002
	CodeInvalidPayload  = 1007
	CodeMessageTooBig   = 1009
	maxControlPayload   = 125
	maxCloseReasonBytes = maxControlPayload - 2
)

// AppendFrame appends one final frame of opcode op carrying payload, masked
// with a fresh random key as a client must (RFC 6455 section 5.3).
func AppendFrame(b []byte, op byte, payload []byte) []byte {
	b = appendHeader(b, op, len(payload), 0x80)
	key := rand.Uint32()
	k := [4]byte{byte(key >> 24), byte(key >> 16), byte(key >> 8), byte(key)}
	b = append(b, k[:]...)
	start := len(b)
	b = append(b, payload...)
	for i := range payload {
		b[start+i] ^= k[i&3]
	}
	return b
}

// AppendServerFrame appends one final frame unmasked, as a server writes
// it (for tests; the linker drops it from programs).
func AppendServerFrame(b []byte, op byte, payload []byte) []byte {
	return append(appendHeader(b, op, len(payload), 0), payload...)
}

// appendHeader appends a final frame's header up to the masking key; mask
// is 0x80 for a masked frame.
func appendHeader(b []byte, op byte, n int, mask byte) []byte {
	b = append(b, 0x80|op)
	switch {
	case n <= 125:
		b = append(b, mask|byte(n))
	case n <= 0xFFFF:
		b = append(b, mask|126, byte(n>>8), byte(n))
	default:
		b = append(b, mask|127)
		for i := 7; i >= 0; i-- {
			b = append(b, byte(uint64(n)>>(8*i)))
		}
	}
	return b
}

// AppendClose appends a close frame with code and reason; code 0 sends an
// empty close frame (no status). The reason is cut to 123 bytes.
func AppendClose(b []byte, code int, reason string) []byte {
	if code == 0 {
		return AppendFrame(b, OpClose, nil)
	}
	if len(reason) > maxCloseReasonBytes {
		reason = reason[:maxCloseReasonBytes]
	}
	p := make([]byte, 0, 2+len(reason))
	p = append(p, byte(code>>8), byte(code))
	p = append(p, reason...)
	return AppendFrame(b, OpClose, p)
}

// Kinds of Event.
const (
	// Message is a whole data message (Op is OpText or OpBinary).
	Message = iota + 1
	// Ping asks for a pong carrying Data.
	Ping
	// Pong answers a ping.
	Pong
	// Close is the server's close frame: Code (CodeNoStatus when it had
	// none) and Reason.
	Close
)

// Event is what the server's frames amount to.
type Event struct {
	Kind   int
	Op     byte
	Data   []byte // owned by the caller (Message), valid until the next Feed otherwise
	Code   int
	Reason string
}

// ProtocolError is a server frame that breaks RFC 6455: the client fails
// the connection, sending Code in its close frame.
type ProtocolError struct {
	Code   int
	Reason string
}

func (e *ProtocolError) Error() string { return "wsframe: " + e.Reason }

// ErrClosed is returned by Next after the close frame.
var ErrClosed = errors.New("wsframe: frame after the close frame")

// Reader parses the server's frames from the bytes fed to it.
type Reader struct {
	// MaxMessage bounds a message's payload (0: no bound); past it Next
	// fails with CodeMessageTooBig.
	MaxMessage int

	buf    []byte
	head   int
	msg    []byte
	msgOp  byte // OpText or OpBinary while a fragmented message is open
	closed bool
}

// Feed adds bytes from the stream.
func (r *Reader) Feed(p []byte) {
	if r.head == len(r.buf) {
		r.buf, r.head = r.buf[:0], 0
	} else if r.head > len(r.buf)/2 {
		r.buf = append(r.buf[:0], r.buf[r.head:]...)
		r.head = 0
	}
	r.buf = append(r.buf, p...)
}

func fail(code int, reason string) error { return &ProtocolError{Code: code, Reason: reason} }

// Next returns the next event; ok is false when more bytes are needed. A
// *ProtocolError means the connection must fail.
func (r *Reader) Next() (ev Event, ok bool, err error) {
	for {
		b := r.buf[r.head:]
		if len(b) < 2 {
			return Event{}, false, nil
		}
		if r.closed {
			return Event{}, false, ErrClosed
		}
		fin, rsv, op := b[0]&0x80 != 0, b[0]&0x70, b[0]&0x0F
		masked, n, hdr := b[1]&0x80 != 0, uint64(b[1]&0x7F), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return Event{}, false, nil
			}
			n, hdr = uint64(b[2])<<8|uint64(b[3]), 4
		case 127:
			if len(b) < 10 {
				return Event{}, false, nil
			}
			n = 0
			for _, c := range b[2:10] {
				n = n<<8 | uint64(c)
			}
			hdr = 10
			if n>>63 != 0 {
				return Event{}, false, fail(CodeProtocolError, "frame length with its top bit set")
			}
		}
		switch {
		case rsv != 0:
			return Event{}, false, fail(CodeProtocolError, "reserved bits set without an extension")
		case masked:
			return Event{}, false, fail(CodeProtocolError, "masked frame from the server")
		case op >= 0x8 && (!fin || n > maxControlPayload):
			return Event{}, false, fail(CodeProtocolError, "fragmented or oversized control frame")
		case op > OpPong || (op > OpBinary && op < OpClose):
			return Event{}, false, fail(CodeProtocolError, "unknown opcode")
		case op == OpContinuation && r.msgOp == 0:
			return Event{}, false, fail(CodeProtocolError, "continuation frame without a message")
		case (op == OpText || op == OpBinary) && r.msgOp != 0:
			return Event{}, false, fail(CodeProtocolError, "new message inside a fragmented one")
		case op < OpClose && r.MaxMessage > 0 && uint64(len(r.msg))+n > uint64(r.MaxMessage):
			return Event{}, false, fail(CodeMessageTooBig, "message too big")
		}
		if uint64(len(b)-hdr) < n {
			return Event{}, false, nil
		}
		payload := b[hdr : hdr+int(n)]
		r.head += hdr + int(n)
		switch op {
		case OpPing:
			return Event{Kind: Ping, Data: payload}, true, nil
		case OpPong:
			return Event{Kind: Pong, Data: payload}, true, nil
		case OpClose:
			r.closed = true
			return closeEvent(payload)
		}
		if op != OpContinuation {
			r.msgOp = op
		}
		if fin && len(r.msg) == 0 {
			// The common case: one frame, one message.
			data := append([]byte(nil), payload...)
			return r.finish(data)
		}
		r.msg = append(r.msg, payload...)
		if fin {
			data := r.msg
			r.msg = nil
			return r.finish(data)
		}
	}
}

// finish ends the open message.
func (r *Reader) finish(data []byte) (Event, bool, error) {
	op := r.msgOp
	r.msgOp = 0
	if op == OpText && !utf8.Valid(data) {
		return Event{}, false, fail(CodeInvalidPayload, "text message is not valid UTF-8")
	}
	return Event{Kind: Message, Op: op, Data: data}, true, nil
}

// closeEvent decodes a close frame's payload.
func closeEvent(p []byte) (Event, bool, error) {
	switch {
	case len(p) == 0:
		return Event{Kind: Close, Code: CodeNoStatus}, true, nil
	case len(p) == 1:
		return Event{}, false, fail(CodeProtocolError, "close frame with a one-byte payload")
	}
	code := int(p[0])<<8 | int(p[1])
	if !validCode(code) {
		return Event{}, false, fail(CodeProtocolError, "invalid close code")
	}
	if !utf8.Valid(p[2:]) {
		return Event{}, false, fail(CodeInvalidPayload, "close reason is not valid UTF-8")
	}
	return Event{Kind: Close, Code: code, Reason: string(p[2:])}, true, nil
}

// validCode reports whether code may travel in a close frame (RFC 6455
// section 7.4).
func validCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code >= 1000 && code <= 1014:
		return code != 1004 && code != 1005 && code != 1006
	}
	return false
}

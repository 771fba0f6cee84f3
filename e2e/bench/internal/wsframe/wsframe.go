// Package wsframe encodes and decodes WebSocket frames (RFC 6455) with as
// little work as possible. The benchmarks use it where a full WebSocket
// library would itself be the bottleneck: the load generator's clients, and
// the flood endpoint that must outrun any browser.
//
// It is not a general WebSocket implementation: no extensions, and the
// caller handles fragmentation and control frames.
package wsframe

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Opcodes.
const (
	OpContinuation = 0x0
	OpText         = 0x1
	OpBinary       = 0x2
	OpClose        = 0x8
	OpPing         = 0x9
	OpPong         = 0xA
)

// MaxPayload bounds the payload ReadFrame accepts (32 MiB), so a bad peer
// cannot make it allocate without bound.
const MaxPayload = 32 << 20

const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a
// Sec-WebSocket-Key.
func AcceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// AppendFrame appends one frame to dst: FIN set when fin, opcode op, and the
// payload masked with mask when mask is not nil (clients must mask, servers
// must not).
func AppendFrame(dst []byte, fin bool, op byte, mask *[4]byte, payload []byte) []byte {
	b0 := op & 0x0F
	if fin {
		b0 |= 0x80
	}
	var maskBit byte
	if mask != nil {
		maskBit = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, b0, maskBit|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, b0, maskBit|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b0, maskBit|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if mask == nil {
		return append(dst, payload...)
	}
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	Mask(dst[start:], *mask)
	return dst
}

// Mask XORs p in place with the masking key (masking and unmasking are the
// same operation).
func Mask(p []byte, key [4]byte) {
	for i := range p {
		p[i] ^= key[i&3]
	}
}

// Frame is a decoded frame header with its payload.
type Frame struct {
	Fin     bool
	Op      byte
	Payload []byte // unmasked; valid until the next ReadFrame with the same buffer
}

// ErrTooLarge is returned for a frame over MaxPayload.
var ErrTooLarge = errors.New("wsframe: frame payload too large")

// ReadFrame reads one frame from r, unmasking its payload if it is masked.
// The payload is read into buf when it is large enough (a new slice is
// allocated otherwise), so a caller that reuses the returned payload's
// backing array avoids allocating per frame.
func ReadFrame(r *bufio.Reader, buf []byte) (Frame, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Fin: hdr[0]&0x80 != 0, Op: hdr[0] & 0x0F}
	if hdr[0]&0x70 != 0 {
		return Frame{}, fmt.Errorf("wsframe: reserved bits set (0x%02x)", hdr[0])
	}
	masked := hdr[1]&0x80 != 0
	n := uint64(hdr[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return Frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return Frame{}, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > MaxPayload {
		return Frame{}, ErrTooLarge
	}
	var key [4]byte
	if masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return Frame{}, err
		}
	}
	if uint64(cap(buf)) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := io.ReadFull(r, buf); err != nil {
		return Frame{}, err
	}
	if masked {
		Mask(buf, key)
	}
	f.Payload = buf
	return f, nil
}

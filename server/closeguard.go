package server

import "unicode/utf8"

// closeGuard makes sure the server never sends a close frame whose reason is
// not valid UTF-8 (RFC 6455 §5.5.1 requires UTF-8; strict peers such as
// Node's ws fail the connection with 1006 on such a frame).
// coder/websocket answers a peer's close frame by echoing its code and
// reason byte for byte, inside its read loop, before the server sees the
// frame; the guard sits on the hijacked connection's write side, follows
// the frames the server writes, and turns such an echo into a close frame
// with 1007 (invalid frame payload data) and no reason.
//
// It parses only frame headers and skips payloads, so a data frame costs a
// few comparisons; bytes are held back only while a frame header is split
// across writes (the rest always follows, since coder/websocket flushes
// whole frames) and while a close frame is incomplete.
type closeGuard struct {
	skip int    // payload bytes of the current frame still to pass through
	held []byte // a frame header, or a whole close frame, being completed
}

const (
	opcodeClose = 0x8
	finClose    = 0x80 | opcodeClose
)

// closeInvalidPayload is the close frame sent instead: code 1007, no reason.
var closeInvalidPayload = []byte{finClose, 2, 0x03, 0xef}

// filter returns what to write for p, the next bytes the server writes. It
// returns p itself unless a frame header is split or a close frame is in p.
func (g *closeGuard) filter(p []byte) []byte {
	out, alias := p, true // out is p while nothing has been held back
	for i := 0; i < len(p); {
		if g.skip > 0 {
			k := min(g.skip, len(p)-i)
			if !alias {
				out = append(out, p[i:i+k]...)
			}
			i += k
			g.skip -= k
			continue
		}
		if len(g.held) == 0 {
			if hl, plen, ok := frameHeader(p[i:]); ok && p[i]&0x0f != opcodeClose {
				if !alias {
					out = append(out, p[i:i+hl]...)
				}
				i += hl
				g.skip = plen
				continue
			}
		}
		if alias {
			out, alias = p[:i:i], false // appends copy from here on
		}
		g.held = append(g.held, p[i])
		i++
		hl, plen, ok := frameHeader(g.held)
		switch {
		case !ok:
			// The header is not complete yet.
		case g.held[0]&0x0f != opcodeClose:
			out = append(out, g.held...)
			g.held = g.held[:0]
			g.skip = plen
		case len(g.held) == hl+plen:
			out = append(out, checkedClose(g.held, hl)...)
			g.held = g.held[:0]
		}
	}
	return out
}

// frameHeader parses the header at the start of b: its length and the
// payload's. ok is false while b is shorter than the header.
func frameHeader(b []byte) (hl, plen int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	hl, plen = 2, int(b[1]&0x7f)
	switch plen {
	case 126:
		hl = 4
	case 127:
		hl = 10
	}
	if b[1]&0x80 != 0 {
		hl += 4 // a masking key (never from a server; parsed for completeness)
	}
	if len(b) < hl {
		return 0, 0, false
	}
	switch b[1] & 0x7f {
	case 126:
		plen = int(b[2])<<8 | int(b[3])
	case 127:
		plen = 0
		for _, c := range b[2:10] {
			plen = plen<<8 | int(c)
		}
	}
	return hl, plen, true
}

// checkedClose returns the close frame f (header length hl), or the 1007
// frame when its reason is not valid UTF-8.
func checkedClose(f []byte, hl int) []byte {
	payload := f[hl:]
	if len(payload) > 2 && f[1]&0x80 == 0 && !utf8.Valid(payload[2:]) {
		return closeInvalidPayload
	}
	return f
}

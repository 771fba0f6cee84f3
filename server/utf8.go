package server

import "unicode/utf8"

// utf8Validator checks that a byte stream split into arbitrary pieces is
// valid UTF-8, carrying an incomplete trailing sequence over to the next
// piece. coder/websocket does not validate text messages, so the server does.
type utf8Validator struct {
	pending [utf8.UTFMax]byte
	n       int // bytes in pending
	bad     bool
}

// write validates the next piece of the stream, reporting false once the
// stream is known to be invalid.
func (v *utf8Validator) write(p []byte) bool {
	if v.bad {
		return false
	}
	// Complete a sequence left over from the previous piece.
	for v.n > 0 && len(p) > 0 {
		v.pending[v.n] = p[0]
		v.n++
		p = p[1:]
		if utf8.FullRune(v.pending[:v.n]) {
			if r, size := utf8.DecodeRune(v.pending[:v.n]); (r == utf8.RuneError && size <= 1) || size != v.n {
				v.bad = true
				return false
			}
			v.n = 0
		}
	}
	if len(p) == 0 {
		return true
	}
	// Hold back a trailing sequence that may continue in the next piece.
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				v.n = copy(v.pending[:], p[i:])
				p = p[:i]
			}
			break
		}
	}
	if !utf8.Valid(p) {
		v.bad = true
		return false
	}
	return true
}

// done reports whether the whole stream was valid, including its end.
func (v *utf8Validator) done() bool {
	return !v.bad && v.n == 0
}

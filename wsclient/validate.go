package wsclient

import (
	"unicode/utf8"
)

// MaxCloseReasonBytes is the longest close reason the standard allows: a close
// frame's payload is at most 125 bytes, two of which hold the code.
const MaxCloseReasonBytes = 123

// validateProtocols rejects subprotocols that are not HTTP tokens or that
// occur more than once, as the constructor does.
func validateProtocols(protocols []string) error {
	seen := make(map[string]bool, len(protocols))
	for _, p := range protocols {
		if !isToken(p) {
			return invalid("new", ErrSyntax, "subprotocol "+quote(p)+" is not a valid token")
		}
		if seen[p] {
			return invalid("new", ErrSyntax, "subprotocol "+quote(p)+" is listed twice")
		}
		seen[p] = true
	}
	return nil
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case hasByte("!#$%&'*+-.^_`|~", c):
		default:
			return false
		}
	}
	return true
}

// validateClose applies close()'s rules: code 1000 or 3000–4999
// (InvalidAccessError), reason at most 123 UTF-8 bytes (SyntaxError). A
// reason that is not valid UTF-8 matches both ErrSyntax and ErrInvalidUTF8:
// the browser would replace its bad bytes, as in text (see SendText).
func validateClose(code StatusCode, reason string) error {
	if code != StatusNormalClosure && (code < 3000 || code > 4999) {
		return invalid("close", ErrInvalidAccess, "close code "+code.String()+" cannot be sent by a client; use 1000 or 3000–4999")
	}
	// utf8.Valid, not ValidString: one validator linked, not two; the
	// conversion does not copy (the bytes are only read).
	if !utf8.Valid([]byte(reason)) {
		return wrap("wsclient: close: "+ErrSyntax.Error()+": close reason is not valid UTF-8", ErrSyntax, ErrInvalidUTF8)
	}
	if len(reason) > MaxCloseReasonBytes {
		return invalid("close", ErrSyntax, "close reason is "+itoa(len(reason))+" bytes; at most "+itoa(MaxCloseReasonBytes)+" are allowed")
	}
	return nil
}

// validateMessage rejects a message type that is neither Text nor Binary and
// text that is not valid UTF-8 (which the browser would silently alter).
func validateMessage(op string, typ MessageType, p []byte) error {
	switch typ {
	case Text:
		if !utf8.Valid(p) {
			return opError(op, ErrInvalidUTF8)
		}
	case Binary:
	default:
		return invalid(op, ErrSyntax, "message type "+typ.String()+" is neither Text nor Binary")
	}
	return nil
}

// hasByte reports whether s contains c: strings.IndexByte without linking
// strings, and with it unicode's tables, into the js/wasm build.
func hasByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

package wsclient

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxCloseReasonBytes is the longest close reason the standard allows: a close
// frame's payload is at most 125 bytes, two of which hold the code.
const MaxCloseReasonBytes = 123

// parseURL applies the WebSocket constructor's URL rules: the URL must parse
// (relative URLs resolve against base, the page's URL in a browser), http and
// https map to ws and wss, any other scheme and any fragment are SyntaxErrors.
func parseURL(raw string, base *url.URL) (*url.URL, error) {
	const op = "new"
	// The URL parser strips leading and trailing C0 controls and spaces.
	raw = strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if raw == "" {
		return nil, invalid(op, ErrSyntax, "empty URL")
	}
	if strings.Contains(raw, "#") {
		return nil, invalid(op, ErrSyntax, "URL %q has a fragment", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, invalid(op, ErrSyntax, "URL %q does not parse: %v", raw, err)
	}
	if !u.IsAbs() {
		if base == nil {
			return nil, invalid(op, ErrSyntax, "relative URL %q and no page URL to resolve it against", raw)
		}
		u = base.ResolveReference(u)
		u.Fragment, u.RawFragment = "", ""
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme = "ws"
	case "wss", "https":
		u.Scheme = "wss"
	default:
		return nil, invalid(op, ErrSyntax, "URL scheme %q is not ws, wss, http or https", u.Scheme)
	}
	if u.Host == "" {
		return nil, invalid(op, ErrSyntax, "URL %q has no host", raw)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// validateProtocols rejects subprotocols that are not HTTP tokens or that
// occur more than once, as the constructor does.
func validateProtocols(protocols []string) error {
	seen := make(map[string]bool, len(protocols))
	for _, p := range protocols {
		if !isToken(p) {
			return invalid("new", ErrSyntax, "subprotocol %q is not a valid token", p)
		}
		if seen[p] {
			return invalid("new", ErrSyntax, "subprotocol %q is listed twice", p)
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
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validateClose applies close()'s rules: code 1000 or 3000–4999
// (InvalidAccessError), reason at most 123 UTF-8 bytes (SyntaxError).
func validateClose(code StatusCode, reason string) error {
	if code != StatusNormalClosure && (code < 3000 || code > 4999) {
		return invalid("close", ErrInvalidAccess, "close code %v cannot be sent by a client; use 1000 or 3000–4999", code)
	}
	if !utf8.ValidString(reason) {
		return invalid("close", ErrSyntax, "close reason is not valid UTF-8")
	}
	if len(reason) > MaxCloseReasonBytes {
		return invalid("close", ErrSyntax, "close reason is %d bytes; at most %d are allowed", len(reason), MaxCloseReasonBytes)
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
		return invalid(op, ErrSyntax, "message type %v is neither Text nor Binary", typ)
	}
	return nil
}

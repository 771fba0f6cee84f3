package ui

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Preview limits for the event log.
const (
	previewRunes = 96 // characters of a text message shown
	previewBytes = 32 // bytes of a binary message shown, as hex
)

// previewText returns the start of a text message, one line, at most
// previewRunes characters, with an ellipsis when it was cut.
func previewText(p []byte) string {
	var b strings.Builder
	n := 0
	for len(p) > 0 {
		if n == previewRunes {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRune(p)
		p = p[size:]
		switch r {
		case '\n':
			b.WriteString("⏎")
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// previewHex returns the first previewBytes bytes of p as space-separated
// hex pairs, with an ellipsis when p is longer.
func previewHex(p []byte) string {
	const digits = "0123456789abcdef"
	n := min(len(p), previewBytes)
	b := make([]byte, 0, 3*n+3)
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[p[i]>>4], digits[p[i]&0xf])
	}
	s := string(b)
	if len(p) > n {
		s += " …"
	}
	return s
}

// parseHex decodes hex input such as "de ad be ef", "deadbeef",
// "0xde, 0xad" or "de:ad". Separators are white space, commas, colons and
// dashes; each byte may carry a 0x prefix. Errors name the offending
// position, so the UI can say what is wrong.
func parseHex(s string) ([]byte, error) {
	var out []byte
	var digits []byte // the current run of hex digits
	flush := func(end int) error {
		if len(digits)%2 != 0 {
			return fmt.Errorf("odd number of hex digits before position %d", end+1)
		}
		for i := 0; i < len(digits); i += 2 {
			out = append(out, fromHex(digits[i])<<4|fromHex(digits[i+1]))
		}
		digits = digits[:0]
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && len(digits) == 0:
			i++ // a 0x prefix
		case isHexDigit(c):
			digits = append(digits, c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '-':
			if err := flush(i); err != nil {
				return nil, err
			}
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Errorf("%q at position %d is not a hex digit", r, i+1)
		}
	}
	if err := flush(len(s)); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("enter at least one byte, e.g. de ad be ef")
	}
	return out, nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func fromHex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// formatBytes renders a byte count for people: "512 B", "64.0 KiB", "12.5 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// formatCount renders a count with thin thousands separators: 1 234 567.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDuration renders a round-trip time: "0.42 ms", "12.3 ms", "1.25 s".
func formatDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// clockTime renders the time of a log entry, to the millisecond.
func clockTime(t time.Time) string {
	return t.Format("15:04:05.000")
}

// messageTime renders a chat message's RFC 3339 time as local hours and
// minutes; an unreadable time is shown as it came.
func messageTime(s string) (short, full string) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s, s
	}
	t = t.Local()
	return t.Format("15:04"), t.Format("2006-01-02 15:04:05 MST")
}

// defaultEchoURL returns the /echo URL of the page's origin, with ws:// for
// an http page and wss:// for an https one. Without a host (the server's
// prerender, tests) it returns the relative "/echo", which the browser
// resolves against the page.
func defaultEchoURL(page *url.URL) string {
	if page == nil || page.Host == "" {
		return "/echo"
	}
	scheme := "ws"
	if page.Scheme == "https" {
		scheme = "wss"
	}
	return (&url.URL{Scheme: scheme, Host: page.Host, Path: "/echo"}).String()
}

// parseProtocols splits the subprotocol field, separated by commas or
// white space, into the list to offer. Validation is left to wsclient, which
// applies the browser's rules.
func parseProtocols(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n'
	})
}

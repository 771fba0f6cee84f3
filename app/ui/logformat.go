package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// JSON token classes of a pretty-printed payload (CSS classes of the
// detail pane's spans). Punctuation and white space have no class.
const (
	jsonKey  = "j-key"
	jsonStr  = "j-str"
	jsonNum  = "j-num"
	jsonLit  = "j-lit" // true, false and null
	jsonNone = ""
)

// jsonSpan is a piece of pretty-printed JSON: a token with its class, or
// punctuation and white space (Class == jsonNone).
type jsonSpan struct {
	Class, Text string
}

// looksLikeJSON reports whether p is worth trying to parse as JSON: an
// object or an array, possibly surrounded by white space.
func looksLikeJSON(p []byte) bool {
	p = bytes.TrimSpace(p)
	return len(p) >= 2 && (p[0] == '{' && p[len(p)-1] == '}' || p[0] == '[' && p[len(p)-1] == ']')
}

// prettyJSON parses p as one JSON value with encoding/json's token reader
// and returns it pretty-printed (two spaces per level) as spans: keys,
// strings, numbers (as written) and literals each with their class, the
// punctuation and white space between them merged into unclassed spans.
// It fails on anything but exactly one valid JSON value.
func prettyJSON(p []byte) ([]jsonSpan, error) {
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var out []jsonSpan
	punct := func(s string) {
		if n := len(out); n > 0 && out[n-1].Class == jsonNone {
			out[n-1].Text += s
			return
		}
		out = append(out, jsonSpan{jsonNone, s})
	}
	newline := func(depth int) string { return "\n" + strings.Repeat("  ", depth) }
	type frame struct {
		obj bool
		n   int // keys and values written (an object's keys are even)
	}
	var stack []frame
	done := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if done {
			return nil, errors.New("more than one JSON value")
		}
		key := false
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
				stack = stack[:len(stack)-1]
				if top.n > 0 {
					punct(newline(len(stack)))
				}
				punct(string(d))
				done = len(stack) == 0
				continue
			}
			switch {
			case top.obj && top.n%2 == 1:
				punct(": ")
			case top.n > 0:
				punct("," + newline(len(stack)))
			default:
				punct(newline(len(stack)))
			}
			key = top.obj && top.n%2 == 0
			top.n++
		}
		switch v := tok.(type) {
		case json.Delim:
			punct(string(v))
			stack = append(stack, frame{obj: v == '{'})
		case string:
			class := jsonStr
			if key {
				class = jsonKey
			}
			out = append(out, jsonSpan{class, quoteJSON(v)})
		case json.Number:
			out = append(out, jsonSpan{jsonNum, string(v)})
		case bool:
			out = append(out, jsonSpan{jsonLit, map[bool]string{true: "true", false: "false"}[v]})
		case nil:
			out = append(out, jsonSpan{jsonLit, "null"})
		}
		done = len(stack) == 0
	}
	if !done {
		return nil, io.ErrUnexpectedEOF
	}
	return out, nil
}

// quoteJSON quotes s as a JSON string, leaving <, > and & as they are.
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// hexDump renders p the way hexdump -C does: per line of 16 bytes, the
// offset (8 hex digits), the bytes in hex in two groups of 8, and the
// printable ASCII characters between bars (others as dots).
func hexDump(p []byte) string {
	const digits = "0123456789abcdef"
	lines := (len(p) + 15) / 16
	b := make([]byte, 0, lines*78)
	for off := 0; off < len(p); off += 16 {
		line := p[off:min(off+16, len(p))]
		for shift := 28; shift >= 0; shift -= 4 {
			b = append(b, digits[off>>shift&0xf])
		}
		b = append(b, ' ', ' ')
		for i := range 16 {
			if i == 8 {
				b = append(b, ' ')
			}
			if i < len(line) {
				b = append(b, digits[line[i]>>4], digits[line[i]&0xf], ' ')
			} else {
				b = append(b, ' ', ' ', ' ')
			}
		}
		b = append(b, ' ', '|')
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b = append(b, c)
		}
		b = append(b, '|', '\n')
	}
	return string(b)
}

// hexString renders p as space-separated hex pairs, the form the hex field
// of the composer reads back.
func hexString(p []byte) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 3*len(p))
	for i, c := range p {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return string(b)
}

// exportTime is the time format of an exported entry: RFC 3339 with
// milliseconds.
const exportTime = "2006-01-02T15:04:05.000Z07:00"

// exportLine is one line of an exported log.
type exportLine struct {
	Time      string `json:"time"`
	Direction string `json:"direction"` // in, out or event
	Type      string `json:"type"`      // text, binary, open, error, close or info
	Size      int    `json:"size"`      // payload bytes of a message, 0 for an event
	Encoding  string `json:"encoding"`  // how payload is written: "text" or "base64"
	Payload   string `json:"payload"`   // the message, or the event's description
	Truncated bool   `json:"truncated,omitempty"`
	Code      int    `json:"code,omitempty"` // close events
	Reason    string `json:"reason,omitempty"`
	WasClean  *bool  `json:"wasClean,omitempty"`
}

// exportLog renders entries as JSON lines, one entry a line: a text message
// as its text, a binary message in base64 (encoding says which), an event
// as its description.
func exportLog(entries []*logEntry) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		l := exportLine{
			Time: e.Time.Format(exportTime), Direction: e.Dir, Type: e.Kind,
			Encoding: "text", Payload: e.Preview, Truncated: e.Truncated,
		}
		switch e.Kind {
		case kindText:
			l.Size, l.Payload = e.Size, string(e.Data)
		case kindBinary:
			l.Size, l.Encoding, l.Payload = e.Size, "base64", base64.StdEncoding.EncodeToString(e.Data)
		case kindClose:
			clean := e.WasClean
			l.Code, l.Reason, l.WasClean = int(e.Code), e.Reason, &clean
		}
		enc.Encode(l) // plain strings and numbers always encode
	}
	return b.Bytes()
}

// exportName names an exported log after the time of the export.
func exportName(t time.Time) string {
	return "duplex-log-" + t.Format("20060102-150405") + ".jsonl"
}

// textOfPayload returns a text message as a string; invalid UTF-8 (which
// a browser never delivers in a text message) is shown as U+FFFD.
func textOfPayload(p []byte) string {
	if utf8.Valid(p) {
		return string(p)
	}
	return strings.ToValidUTF8(string(p), "\uFFFD")
}

package fallbackproto

import (
	"errors"
	"strconv"
)

// Kinds of record in a receive response.
const (
	// KindData carries downstream bytes: offset and length as uvarints,
	// then the bytes. Data may repeat bytes the client has (after a
	// receive was cut); the client skips them by offset.
	KindData byte = 'D'
	// KindHeartbeat says the stream is alive; it carries, as a uvarint,
	// the upstream offset the server has.
	KindHeartbeat byte = 'H'
	// KindPadding is ignored: a length as a uvarint, then that many bytes.
	KindPadding byte = 'P'
	// KindEnd ends the session: a uvarint, the downstream bytes there were
	// in all. Nothing follows.
	KindEnd byte = 'E'
)

// MaxData is the most bytes one data record carries; a longer one is
// malformed.
const MaxData = 1 << 20

// ErrMalformed is returned by Parser.Next for bytes that are not records.
var ErrMalformed = errors.New("fallbackproto: malformed record")

// Record is one record of a receive response.
type Record struct {
	Kind byte
	// N is the offset of Data (KindData), the upstream offset
	// (KindHeartbeat), or the downstream total (KindEnd).
	N uint64
	// Data is the record's bytes (KindData only).
	Data []byte
}

// AppendData appends a data record of p, which starts at downstream offset
// off, to b. p must not exceed MaxData.
func AppendData(b []byte, off uint64, p []byte) []byte {
	b = append(b, KindData)
	b = appendUvarint(b, off)
	b = appendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// AppendHeartbeat appends a heartbeat carrying the upstream offset to b.
func AppendHeartbeat(b []byte, upstream uint64) []byte {
	return appendUvarint(append(b, KindHeartbeat), upstream)
}

// AppendPadding appends n bytes of padding (in all, record included; at
// most 16 KiB) to b.
func AppendPadding(b []byte, n int) []byte {
	n = min(max(n-1-3, 0), 16<<10)
	b = append(b, KindPadding)
	// A fixed-width uvarint keeps the record exactly n bytes long.
	b = append(b, byte(n)|0x80, byte(n>>7)|0x80, byte(n>>14))
	for range n {
		b = append(b, ' ')
	}
	return b
}

// AppendEnd appends the end record to b.
func AppendEnd(b []byte, total uint64) []byte {
	return appendUvarint(append(b, KindEnd), total)
}

// Parser splits a receive response into records as its chunks arrive.
type Parser struct {
	buf  []byte
	head int
}

// Feed adds a chunk of the response.
func (p *Parser) Feed(chunk []byte) {
	if p.head == len(p.buf) {
		p.buf, p.head = p.buf[:0], 0
	} else if p.head > len(p.buf)/2 {
		p.buf = append(p.buf[:0], p.buf[p.head:]...)
		p.head = 0
	}
	p.buf = append(p.buf, chunk...)
}

// Buffered is the count of bytes fed and not yet returned as records.
func (p *Parser) Buffered() int { return len(p.buf) - p.head }

// Next returns the next complete record, skipping padding; ok is false
// when more bytes are needed. A Record's Data is valid until the next call to Feed. Next returns
// an error wrapping ErrMalformed for an unknown kind or a data record longer
// than MaxData.
func (p *Parser) Next() (r Record, ok bool, err error) {
	for {
		r, ok, err = p.next()
		if !ok || err != nil || r.Kind != KindPadding {
			return r, ok, err
		}
	}
}

// next is Next, padding included.
func (p *Parser) next() (r Record, ok bool, err error) {
	b := p.buf[p.head:]
	if len(b) == 0 {
		return Record{}, false, nil
	}
	r.Kind = b[0]
	n, w := uvarint(b[1:])
	if w < 0 {
		return Record{}, false, ErrMalformed
	}
	if w == 0 {
		return Record{}, false, nil
	}
	used := 1 + w
	switch r.Kind {
	case KindHeartbeat, KindEnd:
		r.N = n
	case KindPadding:
		if uint64(len(b)-used) < n {
			return Record{}, false, nil
		}
		used += int(n)
	case KindData:
		r.N = n
		size, w2 := uvarint(b[used:])
		switch {
		case w2 < 0 || size > MaxData:
			return Record{}, false, errors.Join(ErrMalformed, errors.New("data record of "+strconv.FormatUint(size, 10)+" bytes"))
		case w2 == 0:
			return Record{}, false, nil
		}
		used += w2
		if uint64(len(b)-used) < size {
			return Record{}, false, nil
		}
		r.Data = b[used : used+int(size)]
		used += int(size)
	default:
		return Record{}, false, errors.Join(ErrMalformed, errors.New("unknown record kind "+strconv.Quote(string(r.Kind))))
	}
	p.head += used
	return r, true, nil
}

// appendUvarint and uvarint are encoding/binary's, which would link reflect
// into the browser's program.
func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// uvarint decodes a uvarint from b: its value and length; the length is 0
// when b is too short and negative on overflow.
func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if i == 10 {
			return 0, -(i + 1)
		}
		if c < 0x80 {
			if i == 9 && c > 1 {
				return 0, -(i + 1)
			}
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}

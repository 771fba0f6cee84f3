package wsframe

import (
	"bytes"
	"errors"
	"testing"
)

// serverFrame is a frame as a server writes it: unmasked.
func serverFrame(fin bool, op byte, p []byte) []byte {
	b := AppendServerFrame(nil, op, p)
	if !fin {
		b[0] &^= 0x80
	}
	return b
}

// unmask decodes a frame written by AppendFrame.
func unmask(t *testing.T, f []byte) (op byte, p []byte, rest []byte) {
	t.Helper()
	if f[0]&0x80 == 0 || f[1]&0x80 == 0 {
		t.Fatalf("frame %x is not final and masked", f[:2])
	}
	n, h := int(f[1]&0x7F), 2
	switch n {
	case 126:
		n, h = int(f[2])<<8|int(f[3]), 4
	case 127:
		n = 0
		for _, c := range f[2:10] {
			n = n<<8 | int(c)
		}
		h = 10
	}
	key := f[h : h+4]
	p = append([]byte(nil), f[h+4:h+4+n]...)
	for i := range p {
		p[i] ^= key[i&3]
	}
	return f[0] & 0x0F, p, f[h+4+n:]
}

func TestAppendFrameRoundTrips(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 0xFFFF, 0x10000} {
		p := bytes.Repeat([]byte{'a'}, n)
		op, got, rest := unmask(t, AppendFrame(nil, OpBinary, p))
		if op != OpBinary || !bytes.Equal(got, p) || len(rest) != 0 {
			t.Fatalf("size %d: op %d, %d bytes, %d left", n, op, len(got), len(rest))
		}
	}
	op, got, _ := unmask(t, AppendClose(nil, 4001, "bye"))
	if op != OpClose || string(got) != "\x0f\xa1bye" {
		t.Fatalf("close frame %d %q", op, got)
	}
	if _, got, _ := unmask(t, AppendClose(nil, 0, "")); len(got) != 0 {
		t.Fatalf("close without code carries %q", got)
	}
}

func TestReaderParsesFragmentsAndControlFrames(t *testing.T) {
	var stream []byte
	stream = append(stream, serverFrame(true, OpText, []byte("hello"))...)
	stream = append(stream, serverFrame(false, OpText, []byte("caf\xc3"))...)
	stream = append(stream, serverFrame(true, OpPing, []byte("p"))...)
	stream = append(stream, serverFrame(true, OpContinuation, []byte("\xa9"))...)
	stream = append(stream, serverFrame(true, OpBinary, bytes.Repeat([]byte{7}, 70000))...)
	stream = append(stream, serverFrame(true, OpClose, []byte("\x03\xe8done"))...)
	var r Reader
	var evs []Event
	// One byte at a time: every split point must work.
	for _, c := range stream {
		r.Feed([]byte{c})
		for {
			ev, ok, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			ev.Data = append([]byte(nil), ev.Data...)
			evs = append(evs, ev)
		}
	}
	if len(evs) != 5 {
		t.Fatalf("%d events: %+v", len(evs), evs)
	}
	if evs[0].Kind != Message || evs[0].Op != OpText || string(evs[0].Data) != "hello" {
		t.Errorf("event 0: %+v", evs[0])
	}
	if evs[1].Kind != Ping || string(evs[1].Data) != "p" {
		t.Errorf("event 1: %+v", evs[1])
	}
	if evs[2].Kind != Message || string(evs[2].Data) != "café" {
		t.Errorf("event 2: %+v", evs[2])
	}
	if evs[3].Kind != Message || evs[3].Op != OpBinary || len(evs[3].Data) != 70000 {
		t.Errorf("event 3: kind %d op %d len %d", evs[3].Kind, evs[3].Op, len(evs[3].Data))
	}
	if evs[4].Kind != Close || evs[4].Code != 1000 || evs[4].Reason != "done" {
		t.Errorf("event 4: %+v", evs[4])
	}
	r.Feed(serverFrame(true, OpText, []byte("late")))
	if _, _, err := r.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("frame after close: %v", err)
	}
}

func TestReaderRejectsProtocolErrors(t *testing.T) {
	masked := serverFrame(true, OpText, []byte("x"))
	masked[1] |= 0x80
	rsv := serverFrame(true, OpText, []byte("x"))
	rsv[0] |= 0x40
	for name, c := range map[string]struct {
		stream []byte
		max    int
		code   int
	}{
		"masked":            {masked, 0, CodeProtocolError},
		"rsv":               {rsv, 0, CodeProtocolError},
		"opcode":            {serverFrame(true, 3, nil), 0, CodeProtocolError},
		"lone continuation": {serverFrame(true, OpContinuation, []byte("x")), 0, CodeProtocolError},
		"interleaved":       {append(serverFrame(false, OpText, []byte("a")), serverFrame(true, OpBinary, []byte("b"))...), 0, CodeProtocolError},
		"fragmented ping":   {serverFrame(false, OpPing, nil), 0, CodeProtocolError},
		"big ping":          {serverFrame(true, OpPing, make([]byte, 126)), 0, CodeProtocolError},
		"bad text":          {serverFrame(true, OpText, []byte{0xff}), 0, CodeInvalidPayload},
		"bad close reason":  {serverFrame(true, OpClose, []byte{3, 0xe8, 0xff}), 0, CodeInvalidPayload},
		"close code 1005":   {serverFrame(true, OpClose, []byte{3, 0xed}), 0, CodeProtocolError},
		"close one byte":    {serverFrame(true, OpClose, []byte{3}), 0, CodeProtocolError},
		"too big":           {serverFrame(true, OpBinary, make([]byte, 11)), 10, CodeMessageTooBig},
		"too big fragments": {append(serverFrame(false, OpBinary, make([]byte, 6)), serverFrame(true, OpContinuation, make([]byte, 6))...), 10, CodeMessageTooBig},
	} {
		r := Reader{MaxMessage: c.max}
		r.Feed(c.stream)
		var err error
		for err == nil {
			var ok bool
			if _, ok, err = r.Next(); !ok && err == nil {
				break
			}
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != c.code {
			t.Errorf("%s: err %v, want code %d", name, err, c.code)
		}
	}
}

func TestReaderEmptyClose(t *testing.T) {
	var r Reader
	r.Feed(serverFrame(true, OpClose, nil))
	ev, ok, err := r.Next()
	if !ok || err != nil || ev.Kind != Close || ev.Code != CodeNoStatus {
		t.Fatalf("%+v %v %v", ev, ok, err)
	}
}

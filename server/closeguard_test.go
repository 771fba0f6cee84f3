package server

import (
	"bytes"
	"testing"
)

// serverFrame builds an unmasked frame, as a server sends it.
func serverFrame(first byte, payload []byte) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

// Whatever the size of the writes, the guard passes data frames through
// unchanged and replaces only a close frame whose reason is not UTF-8.
func TestCloseGuard(t *testing.T) {
	data := bytes.Join([][]byte{
		serverFrame(bitFin|opText, []byte("hello")),
		serverFrame(bitFin|opBin, bytes.Repeat([]byte{0x88}, 300)), // payload bytes that look like close headers
		serverFrame(opText, []byte("frag")),
		serverFrame(bitFin|opPing, nil),
		serverFrame(bitFin|opCont, bytes.Repeat([]byte("x"), 70000)),
	}, nil)
	cases := []struct {
		name        string
		close, want []byte
	}{
		{"reason not UTF-8", serverFrame(bitFin|opClose, closePayload(1000, "a\xffb")), closeInvalidPayload},
		{"UTF-8 reason", serverFrame(bitFin|opClose, closePayload(1001, "héllo")), nil},
		{"no reason", serverFrame(bitFin|opClose, closePayload(1000, "")), nil},
		{"empty close", serverFrame(bitFin|opClose, nil), nil},
	}
	for _, tc := range cases {
		stream := append(append([]byte(nil), data...), tc.close...)
		want := append(append([]byte(nil), data...), tc.close...)
		if tc.want != nil {
			want = append(append([]byte(nil), data...), tc.want...)
		}
		for _, size := range []int{1, 2, 3, 7, 125, 4096, len(stream)} {
			var g closeGuard
			var got []byte
			for i := 0; i < len(stream); i += size {
				got = append(got, g.filter(stream[i:min(i+size, len(stream))])...)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s, writes of %d bytes: %d bytes out, want %d; tail % x, want % x",
					tc.name, size, len(got), len(want), got[max(0, len(got)-12):], want[len(want)-min(12, len(want)):])
			}
		}
	}
}

// A write of whole data frames goes out as it is, without a copy.
func TestCloseGuardPassesWholeFramesThrough(t *testing.T) {
	var g closeGuard
	p := serverFrame(bitFin|opText, []byte("hello"))
	if q := g.filter(p); &q[0] != &p[0] || len(q) != len(p) {
		t.Error("a whole text frame was copied")
	}
	allocs := testing.AllocsPerRun(100, func() { g.filter(p) })
	if allocs != 0 {
		t.Errorf("%v allocations per write of a whole frame", allocs)
	}
}

package wsframe

import (
	"bufio"
	"bytes"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455, section 1.3.
	if got := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("AcceptKey = %q", got)
	}
}

func TestRoundTrip(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, n := range []int{0, 5, 125, 126, 65535, 65536, 1 << 20} {
		payload := bytes.Repeat([]byte{'x'}, n)
		for _, mask := range []*[4]byte{nil, &key} {
			wire := AppendFrame(nil, true, OpBinary, mask, payload)
			f, err := ReadFrame(bufio.NewReader(bytes.NewReader(wire)), nil)
			if err != nil {
				t.Fatalf("n=%d mask=%v: %v", n, mask != nil, err)
			}
			if !f.Fin || f.Op != OpBinary || !bytes.Equal(f.Payload, payload) {
				t.Fatalf("n=%d mask=%v: got fin=%v op=%d len=%d", n, mask != nil, f.Fin, f.Op, len(f.Payload))
			}
		}
	}
}

func TestSmallFrameBytes(t *testing.T) {
	// A server's "hi" text frame is 81 02 'h' 'i' (RFC 6455, section 5.7).
	if got := AppendFrame(nil, true, OpText, nil, []byte("Hello")); !bytes.Equal(got, []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}) {
		t.Fatalf("unmasked frame = % x", got)
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	want := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	if got := AppendFrame(nil, true, OpText, &key, []byte("Hello")); !bytes.Equal(got, want) {
		t.Fatalf("masked frame = % x, want % x", got, want)
	}
}

func TestReservedBits(t *testing.T) {
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader([]byte{0xC1, 0x00})), nil); err == nil {
		t.Fatal("a frame with RSV1 set was accepted")
	}
}

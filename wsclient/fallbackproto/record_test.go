package fallbackproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestRecordsSurviveAnySplit(t *testing.T) {
	var stream []byte
	stream = AppendPadding(stream, PaddingSize)
	if len(stream) != PaddingSize {
		t.Fatalf("padding is %d bytes, want %d", len(stream), PaddingSize)
	}
	stream = AppendHeartbeat(stream, 7)
	stream = AppendData(stream, 0, []byte("hello"))
	stream = AppendData(stream, 5, bytes.Repeat([]byte{0xff}, 300))
	stream = AppendData(stream, 305, nil)
	stream = AppendEnd(stream, 305)
	want := []Record{
		{Kind: KindHeartbeat, N: 7},
		{Kind: KindData, N: 0, Data: []byte("hello")},
		{Kind: KindData, N: 5, Data: bytes.Repeat([]byte{0xff}, 300)},
		{Kind: KindData, N: 305, Data: []byte{}},
		{Kind: KindEnd, N: 305},
	}
	for _, size := range []int{1, 2, 3, 7, 100, len(stream)} {
		var p Parser
		var got []Record
		for i := 0; i < len(stream); i += size {
			p.Feed(stream[i:min(i+size, len(stream))])
			for {
				r, ok, err := p.Next()
				if err != nil {
					t.Fatalf("chunks of %d: %v", size, err)
				}
				if !ok {
					break
				}
				r.Data = bytes.Clone(r.Data)
				got = append(got, r)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("chunks of %d: %d records, want %d", size, len(got), len(want))
		}
		for i := range want {
			if got[i].Kind != want[i].Kind || got[i].N != want[i].N || !bytes.Equal(got[i].Data, want[i].Data) {
				t.Errorf("chunks of %d: record %d = %c %d %d bytes, want %c %d %d bytes", size, i,
					got[i].Kind, got[i].N, len(got[i].Data), want[i].Kind, want[i].N, len(want[i].Data))
			}
		}
		if p.Buffered() != 0 {
			t.Errorf("chunks of %d: %d bytes left over", size, p.Buffered())
		}
	}
}

func TestMalformedRecords(t *testing.T) {
	for name, b := range map[string][]byte{
		"unknown kind":   []byte("X\x01"),
		"oversized data": append([]byte{KindData, 0}, 0x81, 0x80, 0x80, 0x01),
	} {
		var p Parser
		p.Feed(b)
		if _, _, err := p.Next(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestOpenRoundTrip(t *testing.T) {
	o := Open{Session: "abc_-1", Protocol: "chat.text", Heartbeat: 5 * time.Second, Poll: 20 * time.Second, Window: 1 << 20, Idle: 30 * time.Second}
	got, err := ParseOpen(o.Marshal())
	if err != nil || got != o {
		t.Fatalf("ParseOpen(Marshal()) = %+v, %v; want %+v", got, err, o)
	}
	for _, bad := range []string{"", "session=x\n", "session=x\nheartbeat-ms=0\npoll-ms=1\nwindow=1\nidle-ms=1\n", "garbage"} {
		if _, err := ParseOpen([]byte(bad)); err == nil {
			t.Errorf("ParseOpen(%q) succeeded", bad)
		}
	}
	if n, err := ParseAck(FormatAck(1234)); n != 1234 || err != nil {
		t.Errorf("ParseAck(FormatAck(1234)) = %d, %v", n, err)
	}
	if _, err := ParseAck([]byte("12a")); err == nil {
		t.Error("ParseAck(12a) succeeded")
	}
}

func TestUvarintMatchesEncodingBinary(t *testing.T) {
	for _, x := range []uint64{0, 1, 127, 128, 300, 1<<32 + 5, 1<<63 + 1, ^uint64(0)} {
		b := appendUvarint(nil, x)
		if want := binary.AppendUvarint(nil, x); !bytes.Equal(b, want) {
			t.Errorf("appendUvarint(%d) = %x, want %x", x, b, want)
		}
		if got, n := uvarint(b); got != x || n != len(b) {
			t.Errorf("uvarint(%x) = %d, %d", b, got, n)
		}
		if _, n := uvarint(b[:len(b)-1]); n != 0 {
			t.Errorf("uvarint of a truncated %d: n = %d, want 0", x, n)
		}
	}
	if _, n := uvarint(bytes.Repeat([]byte{0xff}, 11)); n >= 0 {
		t.Errorf("uvarint of 11 continuation bytes: n = %d, want < 0", n)
	}
}

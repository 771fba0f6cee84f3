package server

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeClientMessage(t *testing.T) {
	const max = 16
	cases := []struct {
		in   string
		text string
		err  error
	}{
		{`{"type":"message","text":"hi"}`, "hi", nil},
		{` {"text":"héllo 🎉","type":"message","extra":[1,2]} `, "héllo 🎉", nil},
		{`{"type":"message","text":"  padded  "}`, "  padded  ", nil},
		{`{"type":"message","text":"\u00e9\n"}`, "é\n", nil},
		{`{"type":"message","text":"0123456789abcdef"}`, "0123456789abcdef", nil},
		{`{"type":"message","text":"0123456789abcdefg"}`, "", ErrTextTooLong},
		{`{"type":"message","text":""}`, "", ErrEmptyText},
		{`{"type":"message","text":" \t\n"}`, "", ErrEmptyText},
		{`{"type":"message"}`, "", ErrEmptyText},
		{`{"text":"hi"}`, "", ErrUnknownType},
		{`{"type":"join","text":"hi"}`, "", ErrUnknownType},
		{`{"type":"message","text":5}`, "", ErrMalformed},
		{`{"type":1,"text":"hi"}`, "", ErrMalformed},
		{`not json`, "", ErrMalformed},
		{``, "", ErrMalformed},
		{`[]`, "", ErrMalformed},
		{`"message"`, "", ErrMalformed},
		{`{"type":"message","text":"hi"} trailing`, "", ErrMalformed},
		{`{"type":"message","text":"hi"`, "", ErrMalformed},
		{`null`, "", ErrUnknownType},
		{"{\"type\":\"message\",\"text\":\"\xff\"}", "", ErrInvalidUTF8},
		{"\xc3", "", ErrInvalidUTF8},
	}
	for _, c := range cases {
		m, err := DecodeClientMessage([]byte(c.in), max)
		if c.err == nil {
			if err != nil || m.Text != c.text || m.Type != TypeMessage {
				t.Errorf("DecodeClientMessage(%q) = %+v, %v; want text %q", c.in, m, err, c.text)
			}
			continue
		}
		if !errors.Is(err, c.err) {
			t.Errorf("DecodeClientMessage(%q) error = %v, want %v", c.in, err, c.err)
		}
	}
}

func TestDecodeClientMessageErrorTextIsShort(t *testing.T) {
	_, err := DecodeClientMessage([]byte(`{"type":"`+strings.Repeat("x", 10000)+`"}`), 100)
	if !errors.Is(err, ErrUnknownType) || len(err.Error()) > 100 {
		t.Fatalf("error %q (%d bytes) should be short and wrap ErrUnknownType", err, len(err.Error()))
	}
}

func TestEncodeEvents(t *testing.T) {
	got := string(encodeEvent(WelcomeEvent{Type: TypeWelcome, Room: "lobby", You: "ann", Members: []string{"ann"}, History: []MessageEvent{}}))
	want := `{"type":"welcome","room":"lobby","you":"ann","members":["ann"],"history":[]}`
	if got != want {
		t.Errorf("welcome = %s, want %s", got, want)
	}
	got = string(encodeEvent(MessageEvent{Type: TypeMessage, ID: 7, From: "ann", Text: "<hi>", Time: "2025-01-02T03:04:05Z"}))
	want = `{"type":"message","id":7,"from":"ann","text":"\u003chi\u003e","time":"2025-01-02T03:04:05Z"}`
	if got != want {
		t.Errorf("message = %s, want %s", got, want)
	}
	got = string(encodeEvent(PresenceEvent{Type: TypeLeave, From: "bob", Members: []string{}}))
	if want = `{"type":"leave","from":"bob","members":[]}`; got != want {
		t.Errorf("leave = %s, want %s", got, want)
	}
}

// FuzzDecodeClientMessage checks that decoding never panics, that whatever
// it accepts satisfies the protocol's rules, and that re-encoding an
// accepted message decodes to the same message. `go test` runs the seeds
// (below and in testdata/fuzz) as a normal test.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"message","text":"hello"}`,
		`{"type":"message","text":"héllo wörld 🎉"}`,
		`{"type":"message","text":""}`,
		`{"type":"message","text":"   "}`,
		`{"type":"message","text":"\u0000\ud83c\udf89"}`,
		`{"type":"message","text":"\ud800"}`,
		`{"type":"leave"}`,
		`{"TYPE":"message","Text":"case"}`,
		`{"type":"message","text":"a","text":"b"}`,
		`{"type":"message","text":["x"]}`,
		`{"type":"message","text":"x"}{}`,
		`null`,
		`[`,
		"\xff\xfe",
		`{"type":"message","text":"` + strings.Repeat("ab", 40) + `"}`,
	} {
		f.Add([]byte(s))
	}
	const max = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeClientMessage(data, max)
		if !utf8.Valid(data) {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8 %q: error %v", data, err)
			}
			return
		}
		if err != nil {
			for _, e := range []error{ErrMalformed, ErrUnknownType, ErrEmptyText, ErrTextTooLong} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("%q: unexpected error %v", data, err)
		}
		if m.Type != TypeMessage || strings.TrimSpace(m.Text) == "" || len(m.Text) > max || !utf8.ValidString(m.Text) {
			t.Fatalf("%q accepted as %+v", data, m)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := DecodeClientMessage(b, max)
		if err != nil || m2 != m {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}

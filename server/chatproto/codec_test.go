package chatproto

import (
	"errors"
	"reflect"
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
	for _, c := range []struct {
		ev   ServerEvent
		want string
	}{
		{WelcomeEvent{Type: TypeWelcome, Room: "lobby", You: "ann", Members: []string{"ann"}, History: []MessageEvent{}},
			`{"type":"welcome","room":"lobby","you":"ann","members":["ann"],"history":[]}`},
		{WelcomeEvent{Type: TypeWelcome, Room: "r", You: "bob", Members: []string{"ann", "bob"},
			History: []MessageEvent{{Type: TypeMessage, ID: 1, From: "ann", Text: "hi", Time: "2025-01-02T03:04:05Z"}}},
			`{"type":"welcome","room":"r","you":"bob","members":["ann","bob"],"history":[{"type":"message","id":1,"from":"ann","text":"hi","time":"2025-01-02T03:04:05Z"}]}`},
		{MessageEvent{Type: TypeMessage, ID: 7, From: "ann", Text: "<hi>", Time: "2025-01-02T03:04:05Z"},
			`{"type":"message","id":7,"from":"ann","text":"\u003chi\u003e","time":"2025-01-02T03:04:05Z"}`},
		{PresenceEvent{Type: TypeLeave, From: "bob"},
			`{"type":"leave","from":"bob"}`},
		{PresenceEvent{Type: TypeJoin, From: "bob"},
			`{"type":"join","from":"bob"}`},
		{ErrorEvent{Type: TypeError, Text: "empty message"},
			`{"type":"error","text":"empty message"}`},
	} {
		if got := string(EncodeEvent(c.ev)); got != c.want {
			t.Errorf("EncodeEvent(%+v) = %s, want %s", c.ev, got, c.want)
		}
	}
}

// Every frame EncodeEvent writes, DecodeEvent reads back.
func TestEventRoundTrip(t *testing.T) {
	msg := MessageEvent{Type: TypeMessage, ID: 2, From: "bob", Text: "héllo 🎉", Time: "2026-01-02T03:05:00Z"}
	for _, c := range []struct {
		ev   ServerEvent
		want Event
	}{
		{WelcomeEvent{Type: TypeWelcome, Room: "go & co", You: "ann-2", Members: []string{"ann", "ann-2"}, History: []MessageEvent{msg}},
			Event{Type: TypeWelcome, Room: "go & co", You: "ann-2", Members: []string{"ann", "ann-2"}, History: []MessageEvent{msg}}},
		{PresenceEvent{Type: TypeJoin, From: "bob"},
			Event{Type: TypeJoin, From: "bob"}},
		{msg, Event{Type: TypeMessage, ID: 2, From: "bob", Text: "héllo 🎉", Time: "2026-01-02T03:05:00Z"}},
		{ErrorEvent{Type: TypeError, Text: "message too long: 5000 bytes, at most 4096"},
			Event{Type: TypeError, Text: "message too long: 5000 bytes, at most 4096"}},
	} {
		got, err := DecodeEvent(EncodeEvent(c.ev))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeEvent(EncodeEvent(%+v)) = %+v, %v; want %+v", c.ev, got, err, c.want)
		}
	}
}

func TestDecodeEvent(t *testing.T) {
	cases := []struct {
		in      string
		typ     string
		err     error
		errText string
	}{
		{`{"type":"leave","from":"x","members":[]}`, TypeLeave, nil, ""},
		{`{"type":"welcome","room":"r","you":"n","members":["n"],"history":[]}`, TypeWelcome, nil, ""},
		// History entries are read without their "type", and unknown fields are ignored.
		{`{"type":"welcome","history":[{"id":1,"from":"a","text":"t","time":"x"}],"motd":"hi"}`, TypeWelcome, nil, ""},
		{`{"type":"error","text":"empty message"}`, TypeError, nil, ""},
		// The server never sends invalid UTF-8; encoding/json would replace it.
		{"{\"type\":\"message\",\"text\":\"\xff\"}", TypeMessage, nil, ""},
		{`not json`, "", ErrUnreadableEvent, "unreadable frame from the server: "},
		{`{"type":"message","id":"7"}`, "", ErrUnreadableEvent, "unreadable frame from the server: "},
		{`{"type":"message"} {}`, "", ErrUnreadableEvent, "unreadable frame from the server: "},
		{`[]`, "", ErrUnreadableEvent, "unreadable frame from the server: "},
		{`{"type":"surprise"}`, "", ErrUnknownEvent, `unknown frame type "surprise" from the server`},
		{`{"type":"` + strings.Repeat("x", 1000) + `"}`, "", ErrUnknownEvent, `unknown frame type "xxxx`},
		{`{"text":"hi"}`, "", ErrUnknownEvent, `unknown frame type "" from the server`},
		{`null`, "", ErrUnknownEvent, `unknown frame type "" from the server`},
	}
	for _, c := range cases {
		e, err := DecodeEvent([]byte(c.in))
		if c.err == nil {
			if err != nil || e.Type != c.typ {
				t.Errorf("DecodeEvent(%q) = %+v, %v; want type %q", c.in, e, err, c.typ)
			}
			continue
		}
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.errText) || len(err.Error()) > 200 {
			t.Errorf("DecodeEvent(%q) error = %v, want %v containing %q", c.in, err, c.err, c.errText)
		}
	}
}

func TestEncodeClientMessage(t *testing.T) {
	if got := string(EncodeClientMessage(`say "hi" <b>`)); got != `{"type":"message","text":"say \"hi\" \u003cb\u003e"}` {
		t.Errorf("EncodeClientMessage = %s", got)
	}
	m, err := DecodeClientMessage(EncodeClientMessage("  padded  "), DefaultMaxTextBytes)
	if err != nil || m.Text != "  padded  " {
		t.Errorf("round trip = %+v, %v", m, err)
	}
}

func TestLimits(t *testing.T) {
	if got := JoinPath(" a b ", "ann&bob"); got != "/chat?name=ann%26bob&room=a+b" {
		t.Errorf("JoinPath = %q", got)
	}
	if got := JoinPath("", ""); got != "/chat?name=&room=" {
		t.Errorf("JoinPath of empty values = %q", got)
	}
	// A text of the largest size, every byte escaped, still fits in a frame.
	frame := EncodeClientMessage(strings.Repeat("\x01", DefaultMaxTextBytes))
	if n := int64(len(frame)); n > MaxFrameBytes(DefaultMaxTextBytes) {
		t.Errorf("a frame of %d bytes exceeds MaxFrameBytes = %d", n, MaxFrameBytes(DefaultMaxTextBytes))
	}
}

// FuzzDecodeClientMessage checks that decoding never panics, that whatever
// it accepts satisfies the protocol's rules, and that re-encoding an
// accepted message decodes to the same message. The same bytes read as a
// server frame must not panic DecodeEvent either. `go test` runs the seeds
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
		if _, err := DecodeEvent(data); err != nil && !errors.Is(err, ErrUnreadableEvent) && !errors.Is(err, ErrUnknownEvent) {
			t.Fatalf("%q: unexpected DecodeEvent error %v", data, err)
		}
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
		m2, err := DecodeClientMessage(EncodeClientMessage(m.Text), max)
		if err != nil || m2 != m {
			t.Fatalf("round trip of %+v: %+v, %v", m, m2, err)
		}
	})
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		in   string
		text string
		err  error
	}{
		{"hi", "hi", nil},
		{"hi\n", "hi", nil},
		{"hi\r\n", "hi", nil},
		{"two\nlines", "two\nlines", nil},
		{"  padded  ", "  padded  ", nil},
		{"", "", ErrEmptyText},
		{" \n", "", ErrEmptyText},
		{"\n", "", ErrEmptyText},
		{"0123456789abcdef\n", "0123456789abcdef", nil},
		{"0123456789abcdefg", "", ErrTextTooLong},
		{"\xff", "", ErrInvalidUTF8},
	} {
		got, err := DecodeTextMessage([]byte(c.in), 16)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("DecodeTextMessage(%q) error = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.text {
			t.Errorf("DecodeTextMessage(%q) = %q, %v; want %q", c.in, got, err, c.text)
		}
	}

	var many []string
	for i := range TextWelcomeNames + 3 {
		many = append(many, "m"+strings.Repeat("x", i%3))
	}
	for _, c := range []struct {
		ev   ServerEvent
		want string
	}{
		{WelcomeEvent{Type: TypeWelcome, Room: "r", You: "ann", Members: []string{"ann"}}, "* you joined r as ann; 1 member: ann"},
		{WelcomeEvent{Type: TypeWelcome, Room: "r", You: "m", Members: many},
			"* you joined r as m; 23 members: " + strings.Join(many[:TextWelcomeNames], ", ") + " and 3 more"},
		{MessageEvent{Type: TypeMessage, From: "ann", Text: "a: b"}, "ann: a: b"},
		{PresenceEvent{Type: TypeJoin, From: "ann"}, "* ann joined"},
		{PresenceEvent{Type: TypeLeave, From: "ann"}, "* ann left"},
		{ErrorEvent{Type: TypeError, Text: "message too long: 5 bytes, at most 4"}, "! message too long: 5 bytes, at most 4"},
	} {
		if got := string(EncodeText(c.ev)); got != c.want {
			t.Errorf("EncodeText(%+v) = %q, want %q", c.ev, got, c.want)
		}
	}
	if got := TextJoinPath(" r ", "ann"); got != "/chat?format=text&name=ann&room=r" {
		t.Errorf("TextJoinPath = %q", got)
	}
}

// The client id is optional both ways, and comes back from the decoder
// with the errors the server answers with an ErrorEvent.
func TestClientID(t *testing.T) {
	if got := string(EncodeClientMessageCID("hi", "k1")); got != `{"type":"message","text":"hi","cid":"k1"}` {
		t.Errorf("EncodeClientMessageCID = %s", got)
	}
	if got := string(EncodeClientMessageCID("hi", "")); got != string(EncodeClientMessage("hi")) {
		t.Errorf("an empty cid is written: %s", got)
	}
	m, err := DecodeClientMessage([]byte(`{"type":"message","text":"hi","cid":"k1"}`), 10)
	if err != nil || m.CID != "k1" || m.Text != "hi" {
		t.Errorf("decoded %+v, %v", m, err)
	}
	for _, frame := range []string{
		`{"type":"message","text":" ","cid":"k2"}`,
		`{"type":"message","text":"far too long","cid":"k2"}`,
		`{"type":"other","text":"hi","cid":"k2"}`,
	} {
		if m, err := DecodeClientMessage([]byte(frame), 10); err == nil || m.CID != "k2" || m.Text != "" {
			t.Errorf("%s: %+v, %v; want an error and the cid alone", frame, m, err)
		}
	}
	long := `{"type":"message","text":"hi","cid":"` + strings.Repeat("k", MaxCIDBytes+1) + `"}`
	if m, err := DecodeClientMessage([]byte(long), 10); !errors.Is(err, ErrCIDTooLong) || m.CID != "" {
		t.Errorf("a long cid: %+v, %v", m, err)
	}
	// Events carry it back, and the welcome the text limit; a server
	// without them sends neither field.
	for _, tc := range []struct {
		ev   ServerEvent
		want string
	}{
		{MessageEvent{Type: TypeMessage, ID: 1, From: "a", Text: "t", Time: "x", CID: "k1"}, `{"type":"message","id":1,"from":"a","text":"t","time":"x","cid":"k1"}`},
		{ErrorEvent{Type: TypeError, Text: "empty message", CID: "k1"}, `{"type":"error","text":"empty message","cid":"k1"}`},
		{ErrorEvent{Type: TypeError, Text: "e"}, `{"type":"error","text":"e"}`},
		{WelcomeEvent{Type: TypeWelcome, Room: "r", You: "n", Members: []string{}, History: []MessageEvent{}, MaxText: 100},
			`{"type":"welcome","room":"r","you":"n","members":[],"history":[],"maxText":100}`},
	} {
		b := EncodeEvent(tc.ev)
		if string(b) != tc.want {
			t.Errorf("EncodeEvent = %s, want %s", b, tc.want)
		}
		if e, err := DecodeEvent(b); err != nil || (tc.ev != nil && e.CID == "" && strings.Contains(tc.want, "cid")) {
			t.Errorf("DecodeEvent(%s) = %+v, %v", b, e, err)
		}
	}
	if e, _ := DecodeEvent([]byte(`{"type":"welcome","room":"r","you":"n","maxText":100}`)); e.MaxText != 100 {
		t.Errorf("maxText decoded as %d", e.MaxText)
	}
}

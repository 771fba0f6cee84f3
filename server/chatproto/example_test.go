package chatproto_test

import (
	"errors"
	"fmt"
	"slices"

	"github.com/duplexgo/duplex/server/chatproto"
)

// A client posts a message by sending this frame as a text message.
func ExampleEncodeClientMessage() {
	frame := chatproto.EncodeClientMessage(`hello, "world"`)
	fmt.Println(string(frame))
	// Output: {"type":"message","text":"hello, \"world\""}
}

// A client reads every text message the server sends with DecodeEvent and
// looks at its Type.
func ExampleDecodeEvent() {
	var members []string
	for _, frame := range []string{
		`{"type":"welcome","room":"lobby","you":"ann","members":["bob","ann"],"history":[{"type":"message","id":1,"from":"bob","text":"anyone?","time":"2026-01-02T03:04:05Z"}]}`,
		`{"type":"message","id":2,"from":"ann","text":"hi bob","time":"2026-01-02T03:04:09Z"}`,
		`{"type":"join","from":"cy"}`,
		`{"type":"leave","from":"bob"}`,
		`{"type":"error","text":"empty message"}`,
		`{"type":"surprise"}`,
	} {
		ev, err := chatproto.DecodeEvent([]byte(frame))
		switch {
		case err != nil:
			fmt.Println("error:", err, errors.Is(err, chatproto.ErrUnknownEvent))
		case ev.Type == chatproto.TypeWelcome:
			members = ev.Members // the list, once
			fmt.Printf("in %s as %s with %q, %d earlier messages\n", ev.Room, ev.You, members, len(ev.History))
		case ev.Type == chatproto.TypeMessage:
			fmt.Printf("#%d %s: %s\n", ev.ID, ev.From, ev.Text)
		case ev.Type == chatproto.TypeJoin: // a change to apply to the list
			members = append(members, ev.From)
			fmt.Printf("%s joined, now %q\n", ev.From, members)
		case ev.Type == chatproto.TypeLeave:
			members = slices.DeleteFunc(members, func(m string) bool { return m == ev.From })
			fmt.Printf("%s left, now %q\n", ev.From, members)
		case ev.Type == chatproto.TypeError:
			fmt.Println("rejected:", ev.Text)
		}
	}
	// Output:
	// in lobby as ann with ["bob" "ann"], 1 earlier messages
	// #2 ann: hi bob
	// cy joined, now ["bob" "ann" "cy"]
	// bob left, now ["ann" "cy"]
	// rejected: empty message
	// error: unknown frame type "surprise" from the server true
}

// The server decodes what a client sends and answers a rejected frame with
// an error event.
func ExampleDecodeClientMessage() {
	for _, frame := range []string{
		`{"type":"message","text":"hi"}`,
		`{"type":"message","text":"   "}`,
		`{"type":"shout","text":"HI"}`,
	} {
		m, err := chatproto.DecodeClientMessage([]byte(frame), chatproto.DefaultMaxTextBytes)
		if err != nil {
			fmt.Println(string(chatproto.EncodeEvent(chatproto.ErrorEvent{Type: chatproto.TypeError, Text: err.Error()})))
			continue
		}
		fmt.Printf("post %q\n", m.Text)
	}
	// Output:
	// post "hi"
	// {"type":"error","text":"empty message"}
	// {"type":"error","text":"unknown message type \"shout\""}
}

// JoinPath is resolved against the server's URL.
func ExampleJoinPath() {
	fmt.Println("ws://localhost:8000" + chatproto.JoinPath("go & co", "ann"))
	// Output: ws://localhost:8000/chat?name=ann&room=go+%26+co
}

// A plain-text client (subprotocol chat.text, or ?format=text) sends raw
// text and gets one line per event.
func ExampleEncodeText() {
	for _, ev := range []chatproto.ServerEvent{
		chatproto.WelcomeEvent{Type: chatproto.TypeWelcome, Room: "lobby", You: "ann", Members: []string{"bob", "ann"}},
		chatproto.MessageEvent{Type: chatproto.TypeMessage, ID: 2, From: "ann", Text: "hi bob"},
		chatproto.PresenceEvent{Type: chatproto.TypeJoin, From: "cy"},
		chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: "bob"},
		chatproto.ErrorEvent{Type: chatproto.TypeError, Text: "empty message"},
	} {
		fmt.Println(string(chatproto.EncodeText(ev)))
	}
	text, err := chatproto.DecodeTextMessage([]byte("hello\n"), chatproto.DefaultMaxTextBytes)
	fmt.Printf("%q %v\n", text, err)
	// Output:
	// * you joined lobby as ann; 2 members: bob, ann
	// ann: hi bob
	// * cy joined
	// * bob left
	// ! empty message
	// "hello" <nil>
}

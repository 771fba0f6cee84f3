package chatproto_test

import (
	"errors"
	"fmt"

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
	for _, frame := range []string{
		`{"type":"welcome","room":"lobby","you":"ann","members":["bob","ann"],"history":[{"type":"message","id":1,"from":"bob","text":"anyone?","time":"2026-01-02T03:04:05Z"}]}`,
		`{"type":"message","id":2,"from":"ann","text":"hi bob","time":"2026-01-02T03:04:09Z"}`,
		`{"type":"leave","from":"bob","members":["ann"]}`,
		`{"type":"error","text":"empty message"}`,
		`{"type":"surprise"}`,
	} {
		ev, err := chatproto.DecodeEvent([]byte(frame))
		switch {
		case err != nil:
			fmt.Println("error:", err, errors.Is(err, chatproto.ErrUnknownEvent))
		case ev.Type == chatproto.TypeWelcome:
			fmt.Printf("in %s as %s with %q, %d earlier messages\n", ev.Room, ev.You, ev.Members, len(ev.History))
		case ev.Type == chatproto.TypeMessage:
			fmt.Printf("#%d %s: %s\n", ev.ID, ev.From, ev.Text)
		case ev.Type == chatproto.TypeJoin, ev.Type == chatproto.TypeLeave:
			fmt.Printf("%s: %s, now %q\n", ev.Type, ev.From, ev.Members)
		case ev.Type == chatproto.TypeError:
			fmt.Println("rejected:", ev.Text)
		}
	}
	// Output:
	// in lobby as ann with ["bob" "ann"], 1 earlier messages
	// #2 ann: hi bob
	// leave: bob, now ["ann"]
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

package ui

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// maxChatPending bounds the events a chat session holds between two
// snapshots; the server's rate limits keep real rooms far below it.
const maxChatPending = 2000

// chatBackoff is the chat's reconnect schedule: a chat may wait longer
// between tries than the console.
var chatBackoff = wsclient.Backoff{Min: 500 * time.Millisecond, Max: 10 * time.Second}

// chatSession is one reconnecting client of the chat page: a feed, whose
// events (frames, the client's phase changes, undelivered messages) reach
// the page in the order they happened, and the room and name every attempt
// asks for.
type chatSession struct {
	feed *live.Feed // set once dialed

	mu   sync.Mutex
	room string // the room to join on every attempt
	name string // the name to ask for: ours, once the server gave us one
}

func newChatSession(room, name string) *chatSession {
	return &chatSession{room: room, name: name}
}

// clientOptions returns the options of the session's client. Every attempt
// asks for the name the server gave us last, so that a reconnect keeps it
// (and keeps our messages marked as ours).
func (s *chatSession) clientOptions() *wsclient.ClientOptions {
	return &wsclient.ClientOptions{
		Endpoint: func() (string, []string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return chatproto.JoinPath(s.room, s.name), nil, nil
		},
		Backoff: chatBackoff,
	}
}

// setName records the name the server gave us, for the next attempts.
func (s *chatSession) setName(name string) {
	s.mu.Lock()
	s.name = name
	s.mu.Unlock()
}

// ended reports whether the client has ended.
func (s *chatSession) ended() bool {
	select {
	case <-s.feed.Done():
		return true
	default:
		return false
	}
}

// sentText returns the text of a frame that chatproto.EncodeClientMessage
// made, or the frame itself if it is not one. It only reads the text back:
// chatproto.DecodeClientMessage would validate it too, for about 3 KB more
// of app.wasm.
func sentText(frame []byte) string {
	var m chatproto.ClientMessage
	if json.Unmarshal(frame, &m) != nil || m.Type != chatproto.TypeMessage {
		return string(frame)
	}
	return m.Text
}

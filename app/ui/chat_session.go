package ui

import (
	"encoding/json"
	"sync"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// maxChatPending bounds the events a chat session holds between two
// flushes; the server's rate limits keep real rooms far below it.
const maxChatPending = 2000

// chatItem is one thing that happened to a chat client.
type chatItem struct {
	event       chatproto.Event
	err         string                // a frame the page could not read
	state       *wsclient.ClientState // the client's phase changed
	undelivered string                // the text of a message that was not delivered
	why         error                 // and why
}

// chatFlush is what one flush hands to the chat page.
type chatFlush struct {
	items   []chatItem
	skipped int
}

// chatSession is one reconnecting client of the chat page; see
// consoleSession for how it reaches the UI. Events, including the client's
// phase changes, reach the page in the order they happened.
type chatSession struct {
	gate   frameGate
	client ClientSocket // set before the loop starts

	mu      sync.Mutex
	room    string // the room to join on every attempt
	name    string // the name to ask for: ours, once the server gave us one
	items   []chatItem
	skipped int
	closed  bool
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
		OnStateChange: func(st wsclient.ClientState) {
			if st.Phase == wsclient.PhaseClosed {
				s.mu.Lock()
				s.closed = true
				s.mu.Unlock()
			}
			s.add(chatItem{state: &st})
		},
		OnMessage: s.onMessage,
		OnUndelivered: func(m wsclient.Message, err error) {
			s.add(chatItem{undelivered: sentText(m.Data), why: err})
		},
	}
}

// setName records the name the server gave us, for the next attempts.
func (s *chatSession) setName(name string) {
	s.mu.Lock()
	s.name = name
	s.mu.Unlock()
}

func (s *chatSession) add(it chatItem) {
	s.mu.Lock()
	if len(s.items) == maxChatPending {
		// Keep the end, the close in particular.
		copy(s.items, s.items[1:])
		s.items = s.items[:maxChatPending-1]
		s.skipped++
	}
	s.items = append(s.items, it)
	s.mu.Unlock()
	s.gate.markDirty()
}

func (s *chatSession) onMessage(m wsclient.Message) {
	if m.Type != wsclient.Text {
		s.add(chatItem{err: "the server sent a binary frame"})
		return
	}
	ev, err := chatproto.DecodeEvent(m.Data)
	if err != nil {
		s.add(chatItem{err: err.Error()})
		return
	}
	s.add(chatItem{event: ev})
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

// ending reports whether the client has ended.
func (s *chatSession) ending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// tick flushes if the gate allows; it reports whether the client is alive.
func (s *chatSession) tick(flush func()) bool {
	s.mu.Lock()
	alive := !s.closed
	s.mu.Unlock()
	if s.gate.begin() {
		flush()
	}
	return alive
}

// take hands everything new to the page, on the UI goroutine.
func (s *chatSession) take() chatFlush {
	var f chatFlush
	s.mu.Lock()
	f.items, s.items = s.items, nil
	f.skipped, s.skipped = s.skipped, 0
	s.mu.Unlock()
	return f
}

package ui

import (
	"sync"

	"github.com/duplexgo/duplex/wsclient"
)

// maxChatPending bounds the events a chat session holds between two
// flushes; the server's rate limits keep real rooms far below it.
const maxChatPending = 2000

// chatItem is one thing that happened to a chat connection.
type chatItem struct {
	event chatEvent
	err   string               // a frame the page could not read
	close *wsclient.CloseError // the connection ended
	open  bool                 // the connection opened
}

// chatFlush is what one flush hands to the chat page.
type chatFlush struct {
	state    wsclient.State
	hasState bool
	items    []chatItem
	skipped  int
}

// chatSession is one connection of the chat page; see consoleSession for
// how it reaches the UI.
type chatSession struct {
	gate frameGate
	sock Socket

	mu      sync.Mutex
	items   []chatItem
	skipped int
	closed  bool
}

func (s *chatSession) options() *wsclient.Options {
	return &wsclient.Options{
		OnStateChange: s.gate.pushState,
		OnOpen:        func() { s.add(chatItem{open: true}) },
		OnMessage:     s.onMessage,
		OnClose: func(ce *wsclient.CloseError) {
			s.mu.Lock()
			s.closed = true
			s.mu.Unlock()
			s.add(chatItem{close: ce})
		},
	}
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
	ev, err := decodeChatEvent(m.Data)
	if err != nil {
		s.add(chatItem{err: err.Error()})
		return
	}
	s.add(chatItem{event: ev})
}

// tick polls readyState and flushes if the gate allows; it reports whether
// the connection is alive.
func (s *chatSession) tick(flush func()) bool {
	s.gate.pushState(s.sock.ReadyState())
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
	f.state, f.hasState = s.gate.nextState()
	s.mu.Lock()
	f.items, s.items = s.items, nil
	f.skipped, s.skipped = s.skipped, 0
	s.mu.Unlock()
	return f
}

package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The chat protocol of the server's /chat endpoint (see package server). The
// app keeps its own copy of the frames: it must not import server code,
// which would end up in app.wasm.

// chatEvent is any frame the server sends; Type says which fields are set.
type chatEvent struct {
	Type    string        `json:"type"` // welcome, join, leave, message, error
	Room    string        `json:"room,omitempty"`
	You     string        `json:"you,omitempty"`
	Members []string      `json:"members,omitempty"`
	History []chatMessage `json:"history,omitempty"`
	From    string        `json:"from,omitempty"`
	ID      uint64        `json:"id,omitempty"`
	Text    string        `json:"text,omitempty"`
	Time    string        `json:"time,omitempty"`
}

// chatMessage is a message of the room, as the server sends it.
type chatMessage struct {
	ID   uint64 `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
	Time string `json:"time"` // RFC 3339
}

// chatOutgoing is the one frame the client sends.
type chatOutgoing struct {
	Type string `json:"type"` // "message"
	Text string `json:"text"`
}

// decodeChatEvent parses a frame from the server.
func decodeChatEvent(p []byte) (chatEvent, error) {
	var e chatEvent
	if err := json.Unmarshal(p, &e); err != nil {
		return chatEvent{}, fmt.Errorf("unreadable frame from the server: %v", err)
	}
	switch e.Type {
	case "welcome", "join", "leave", "message", "error":
		return e, nil
	}
	return chatEvent{}, fmt.Errorf("unknown frame type %q from the server", e.Type)
}

// sentText returns the text of a frame encodeChatMessage made, or the frame
// itself if it is not one.
func sentText(frame []byte) string {
	var m chatOutgoing
	if json.Unmarshal(frame, &m) != nil || m.Type != "message" {
		return string(frame)
	}
	return m.Text
}

// encodeChatMessage returns the frame that posts text.
func encodeChatMessage(text string) string {
	b, _ := json.Marshal(chatOutgoing{Type: "message", Text: text})
	return string(b)
}

// chatURL returns the relative URL that joins room as name; the browser
// resolves it against the page, so the connection is same-origin.
func chatURL(room, name string) string {
	q := url.Values{}
	q.Set("room", strings.TrimSpace(room))
	q.Set("name", strings.TrimSpace(name))
	return "/chat?" + q.Encode()
}

// messageTime renders a message's RFC 3339 time as local hours and minutes;
// an unreadable time is shown as it came.
func messageTime(s string) (short, full string) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s, s
	}
	t = t.Local()
	return t.Format("15:04"), t.Format("2006-01-02 15:04:05 MST")
}

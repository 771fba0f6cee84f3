package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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
//
// A message counts as delivered only once the server answered it: its
// echo or its error carries the cid it was sent with (frameCID is the
// client's Key). Until then it is kept, and sent again on the next
// connection if one ended before the answer came; the server does not post
// a retry twice. What the client gives up (on Leave, or a close it does not
// retry) is reported to the page, which shows it as failed.
func (s *chatSession) clientOptions() *wsclient.ClientOptions {
	return &wsclient.ClientOptions{
		Endpoint: func() (string, []string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return chatproto.JoinPath(s.room, s.name), nil, nil
		},
		// The chat is this server's: it speaks the HTTP fallback.
		Options:   wsclient.Options{Fallback: &wsclient.FallbackOptions{}},
		Backoff:   chatBackoff,
		Key:       func(m wsclient.Message) string { return frameCID(m.Data) },
		Redeliver: true,
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

// cidField is how a frame with a cid spells it; frames without it are not
// decoded again.
var cidField = []byte(`"cid"`)

// frameCID returns the top-level "cid" of a frame, sent or received, or "".
func frameCID(frame []byte) string {
	if !bytes.Contains(frame, cidField) {
		return ""
	}
	var m struct {
		CID string `json:"cid"`
	}
	if json.Unmarshal(frame, &m) != nil {
		return ""
	}
	return m.CID
}

// cidMaker makes the ids of the messages a page sends: a random prefix per
// page, so that they are not confused with another tab's or an earlier
// page's, and a counter.
type cidMaker struct {
	prefix string
	n      uint64
}

func (m *cidMaker) next() string {
	if m.prefix == "" {
		m.prefix = strconv.FormatUint(rand.Uint64()>>16, 36)
	}
	m.n++
	return m.prefix + "-" + strconv.FormatUint(m.n, 36)
}

// renameReason explains why the server gave us the name given rather than
// the one asked for (see chatproto's package documentation: non-printable
// characters are removed, the name is cut to chatproto.MaxNameRunes and a
// taken name gets a suffix); "" when it did not change it.
func renameReason(asked, given string) string {
	asked = strings.TrimSpace(asked)
	if asked == given {
		return ""
	}
	if asked == "" {
		return "you are " + given + ": you did not pick a name, so the server chose one"
	}
	var why []string
	clean := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, asked))
	if clean != asked {
		why = append(why, "characters that cannot be shown were removed")
	}
	if utf8.RuneCountInString(clean) > chatproto.MaxNameRunes {
		why = append(why, fmt.Sprintf("it was cut to %d characters", chatproto.MaxNameRunes))
		clean = strings.TrimSpace(string([]rune(clean)[:chatproto.MaxNameRunes]))
	}
	if clean != "" && given != clean && strings.HasPrefix(given, clean+"-") {
		why = append(why, fmt.Sprintf("%q is taken in this room, so a number was added", clean))
	}
	if len(why) == 0 {
		why = append(why, "the server changed it")
	}
	return "you are " + given + ": " + strings.Join(why, "; ")
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

package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

var (
	errTooManyRooms = errors.New("too many chat rooms")
	errRoomName     = errors.New("invalid room name: at most " + strconv.Itoa(chatproto.MaxRoomRunes) + " printable characters")
)

// hub is the set of chat rooms. Rooms are created on first join. An empty
// room keeps its history until the room limit forces its eviction, least
// recently active first. Lock order: hub.mu, then room.mu.
type hub struct {
	mu       sync.Mutex
	rooms    map[string]*room
	maxRooms int
	history  int
	guests   atomic.Uint64
	now      func() time.Time
}

func newHub(maxRooms, history int) *hub {
	return &hub{rooms: map[string]*room{}, maxRooms: maxRooms, history: history, now: time.Now}
}

// admit reports whether a client could join room name now. It is checked
// before the WebSocket handshake so that a full server answers 503.
func (h *hub) admit(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.rooms[name]; ok || len(h.rooms) < h.maxRooms {
		return true
	}
	return h.evictableLocked() != nil
}

// join adds cl to room name, creating the room if needed, and returns it.
// cl.name is set to nick, or to a unique variant of it.
func (h *hub) join(name, nick string, cl *chatClient) (*room, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[name]
	if r == nil {
		if len(h.rooms) >= h.maxRooms {
			old := h.evictableLocked()
			if old == nil {
				return nil, errTooManyRooms
			}
			delete(h.rooms, old.name)
		}
		r = &room{hub: h, name: name}
		h.rooms[name] = r
	}
	r.join(cl, nick)
	return r, nil
}

// evictableLocked returns the empty room that was active least recently, or
// nil if every room has members.
func (h *hub) evictableLocked() *room {
	var oldest *room
	var oldestTime time.Time
	for _, r := range h.rooms {
		r.mu.Lock()
		empty, t := len(r.members) == 0, r.lastActive
		r.mu.Unlock()
		if empty && (oldest == nil || t.Before(oldestTime)) {
			oldest, oldestTime = r, t
		}
	}
	return oldest
}

// count returns the number of rooms.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms)
}

// room is one chat room: members in join order, the last messages, and the
// next message ID. Every event is queued to the members while the room's
// lock is held, so all members see events in the same order.
type room struct {
	hub        *hub
	name       string
	mu         sync.Mutex
	members    []*chatClient
	history    []chatproto.MessageEvent
	nextID     uint64
	lastActive time.Time
}

// join adds cl, sends it the welcome event and tells the others.
func (r *room) join(cl *chatClient, nick string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cl.name = r.uniqueNameLocked(nick)
	r.members = append(r.members, cl)
	r.lastActive = r.hub.now()
	names := r.namesLocked()
	welcome := chatproto.EncodeEvent(chatproto.WelcomeEvent{
		Type:    chatproto.TypeWelcome,
		Room:    r.name,
		You:     cl.name,
		Members: names,
		History: append([]chatproto.MessageEvent{}, r.history...),
	})
	if !cl.enqueue(welcome) {
		r.dropLocked(cl, "too slow")
		return
	}
	r.broadcastLocked(chatproto.EncodeEvent(chatproto.PresenceEvent{Type: chatproto.TypeJoin, From: cl.name, Members: names}), cl)
}

// leave removes cl and tells the others; it is a no-op if cl is not a member.
func (r *room) leave(cl *chatClient) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.removeLocked(cl) {
		r.broadcastLocked(chatproto.EncodeEvent(chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: cl.name, Members: r.namesLocked()}), nil)
	}
}

// post sends a message from cl to every member, cl included, and records it
// in the history. It reports false if cl is no longer a member.
func (r *room) post(cl *chatClient, text string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.members, cl) {
		return false
	}
	now := r.hub.now()
	r.nextID++
	ev := chatproto.MessageEvent{
		Type: chatproto.TypeMessage,
		ID:   r.nextID,
		From: cl.name,
		Text: text,
		Time: now.UTC().Format(time.RFC3339),
	}
	r.lastActive = now
	if n := r.hub.history; n > 0 {
		if len(r.history) >= n {
			copy(r.history, r.history[len(r.history)-n+1:])
			r.history = r.history[:n-1]
		}
		r.history = append(r.history, ev)
	}
	r.broadcastLocked(chatproto.EncodeEvent(ev), nil)
	return true
}

// sendTo queues b for cl alone, dropping cl if its queue is full.
func (r *room) sendTo(cl *chatClient, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !cl.enqueue(b) {
		r.dropLocked(cl, "too slow")
	}
}

// broadcastLocked queues b for every member except skip (which may be nil).
// A member whose queue is full is dropped rather than waited for.
func (r *room) broadcastLocked(b []byte, skip *chatClient) {
	var slow []*chatClient
	for _, m := range r.members {
		if m != skip && !m.enqueue(b) {
			slow = append(slow, m)
		}
	}
	for _, m := range slow {
		r.dropLocked(m, "too slow")
	}
}

// dropLocked removes cl, closes it with 1008 and tells the others it left.
// Telling them can drop more slow members; each round removes one, so the
// recursion is bounded by the number of members.
func (r *room) dropLocked(cl *chatClient, reason string) {
	if !r.removeLocked(cl) {
		return
	}
	cl.kick(websocket.StatusPolicyViolation, reason)
	r.broadcastLocked(chatproto.EncodeEvent(chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: cl.name, Members: r.namesLocked()}), nil)
}

// removeLocked removes cl from the members, reporting whether it was one.
func (r *room) removeLocked(cl *chatClient) bool {
	i := slices.Index(r.members, cl)
	if i < 0 {
		return false
	}
	r.members = slices.Delete(r.members, i, i+1)
	r.lastActive = r.hub.now()
	return true
}

// namesLocked returns the members' names in join order.
func (r *room) namesLocked() []string {
	names := make([]string, len(r.members))
	for i, m := range r.members {
		names[i] = m.name
	}
	return names
}

// uniqueNameLocked returns nick if no member uses it; otherwise nick with
// the smallest free suffix "-2", "-3", ... An empty nick becomes "guest-N".
func (r *room) uniqueNameLocked(nick string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(r.members, func(m *chatClient) bool { return m.name == n })
	}
	if nick == "" {
		for {
			n := "guest-" + strconv.FormatUint(r.hub.guests.Add(1), 10)
			if !taken(n) {
				return n
			}
		}
	}
	if !taken(nick) {
		return nick
	}
	for i := 2; ; i++ {
		suffix := "-" + strconv.Itoa(i)
		n := truncateRunes(nick, chatproto.MaxNameRunes-len(suffix)) + suffix
		if !taken(n) {
			return n
		}
	}
}

// parseRoomName validates the room query parameter: empty means "lobby";
// otherwise at most chatproto.MaxRoomRunes printable characters, surrounding
// spaces removed.
func parseRoomName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return chatproto.DefaultRoom, nil
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > chatproto.MaxRoomRunes {
		return "", errRoomName
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", errRoomName
		}
	}
	return s, nil
}

// sanitizeNick turns the name query parameter into a nickname: non-printable
// characters and invalid UTF-8 are dropped, surrounding spaces trimmed, and
// the result cut to chatproto.MaxNameRunes characters. It may be empty.
func sanitizeNick(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(truncateRunes(strings.TrimSpace(s), chatproto.MaxNameRunes))
}

// truncateRunes returns s cut to at most n runes.
func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// chatClient is a room member: its name and bounded outbound queue.
type chatClient struct {
	name     string // set by room.join
	out      chan []byte
	kicked   chan struct{}
	kickOnce sync.Once
	onKick   func(code websocket.StatusCode, reason string) // must not block
}

func newChatClient(queue int, onKick func(websocket.StatusCode, string)) *chatClient {
	return &chatClient{out: make(chan []byte, queue), kicked: make(chan struct{}), onKick: onKick}
}

// enqueue queues b without blocking, reporting false if the queue is full.
// Events for a kicked client are discarded.
func (cl *chatClient) enqueue(b []byte) bool {
	select {
	case <-cl.kicked:
		return true
	default:
	}
	select {
	case cl.out <- b:
		return true
	default:
		return false
	}
}

// retire discards the client's further events without kicking it.
func (cl *chatClient) retire() {
	cl.kickOnce.Do(func() { close(cl.kicked) })
}

// kick marks the client as dropped and calls onKick once.
func (cl *chatClient) kick(code websocket.StatusCode, reason string) {
	cl.kickOnce.Do(func() {
		close(cl.kicked)
		if cl.onKick != nil {
			cl.onKick(code, reason)
		}
	})
}

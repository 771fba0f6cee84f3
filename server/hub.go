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
	errRoomFull     = errors.New("room is full")
	errIPRooms      = errors.New("too many chat rooms from your address")
	errRoomName     = errors.New("invalid room name: at most " + strconv.Itoa(chatproto.MaxRoomRunes) + " printable characters")
)

// Reasons of the closes the hub decides.
const (
	reasonTooSlow  = "too slow"
	reasonRoomIdle = "room closed: idle"
)

// hubConfig holds the hub's limits, from Config.
type hubConfig struct {
	maxRooms   int           // rooms kept in memory
	history    int           // messages a room keeps
	maxText    int           // longest text, told in the welcome
	maxMembers int           // members per room
	roomsPerIP int           // rooms one address may be in; negative: no limit
	idleAfter  time.Duration // a room without a message for that long may be evicted
}

// hubStats are the hub's counters, for /metrics.
type hubStats struct {
	slowDrops    atomic.Uint64 // members closed with 1008 "too slow"
	idleEvicted  atomic.Uint64 // rooms with members evicted as idle
	emptyEvicted atomic.Uint64 // empty rooms evicted
}

// hub is the set of chat rooms. Rooms are created on first join. An empty
// room keeps its history until the room limit forces its eviction, least
// recently active first; at the limit, a room whose members have posted
// nothing for cfg.idleAfter is evicted too, its members closed. Lock order:
// hub.mu, then room.mu, then ips.mu.
type hub struct {
	mu     sync.Mutex
	rooms  map[string]*room
	cfg    hubConfig
	ips    ipRooms
	stats  hubStats
	guests atomic.Uint64
	now    func() time.Time
}

func newHub(cfg hubConfig) *hub {
	return &hub{rooms: map[string]*room{}, cfg: cfg, ips: ipRooms{rooms: map[string]map[*room]int{}}, now: time.Now}
}

// admit reports why a client from address ip could not join room name now,
// or nil. It is checked before the WebSocket handshake so that the client
// gets an HTTP status.
func (h *hub) admit(name, ip string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.checkLocked(name, ip)
	return err
}

// checkLocked returns room name (nil if it does not exist yet) if a client
// from ip may join it, else why not.
func (h *hub) checkLocked(name, ip string) (*room, error) {
	r := h.rooms[name]
	if r != nil {
		r.mu.Lock()
		full := len(r.members) >= h.cfg.maxMembers
		r.mu.Unlock()
		if full {
			return nil, errRoomFull
		}
	}
	if !h.ips.mayEnter(ip, r, h.cfg.roomsPerIP) {
		return nil, errIPRooms
	}
	if r == nil && len(h.rooms) >= h.cfg.maxRooms && h.evictableLocked() == nil {
		return nil, errTooManyRooms
	}
	return r, nil
}

// join adds cl to room name, creating the room if needed (and evicting
// another if the room limit requires), and returns it. cl.name is set to
// nick, or to a unique variant of it.
func (h *hub) join(name, nick string, cl *chatClient) (*room, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, err := h.checkLocked(name, cl.ip)
	if err != nil {
		return nil, err
	}
	if r == nil {
		if len(h.rooms) >= h.cfg.maxRooms {
			h.evictLocked(h.evictableLocked())
		}
		now := h.now()
		r = &room{hub: h, name: name, names: map[string]*chatClient{}, lastActive: now, lastMessage: now}
		h.rooms[name] = r
	}
	r.join(cl, nick)
	return r, nil
}

// leave removes cl from r and tells the others; it is a no-op if cl is not
// a member.
func (h *hub) leave(r *room, cl *chatClient) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.removeLocked(cl) {
		r.broadcastLocked(chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: cl.name}, nil)
	}
}

// evictableLocked returns the room to evict for a new one, or nil: the
// empty room that was active least recently, or else the room whose last
// message is the oldest, if that is older than cfg.idleAfter.
func (h *hub) evictableLocked() *room {
	var empty, idle *room
	var emptyTime, idleTime time.Time
	cutoff := h.now().Add(-h.cfg.idleAfter)
	for _, r := range h.rooms {
		r.mu.Lock()
		n, active, msg := len(r.members), r.lastActive, r.lastMessage
		r.mu.Unlock()
		switch {
		case n == 0:
			if empty == nil || active.Before(emptyTime) {
				empty, emptyTime = r, active
			}
		case h.cfg.idleAfter > 0 && msg.Before(cutoff):
			if idle == nil || msg.Before(idleTime) {
				idle, idleTime = r, msg
			}
		}
	}
	if empty != nil {
		return empty
	}
	return idle
}

// evictLocked removes room r, closing its members with 1000.
func (h *hub) evictLocked(r *room) {
	delete(h.rooms, r.name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.members) == 0 {
		h.stats.emptyEvicted.Add(1)
		return
	}
	h.stats.idleEvicted.Add(1)
	for _, m := range slices.Clone(r.members) {
		r.removeLocked(m)
		m.kick(websocket.StatusNormalClosure, reasonRoomIdle)
	}
}

// count returns the number of rooms.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms)
}

// ipRooms counts, for each client address, its members in each room: the
// rooms an address is in are what cfg.roomsPerIP limits.
type ipRooms struct {
	mu    sync.Mutex
	rooms map[string]map[*room]int
}

// mayEnter reports whether address ip may have a member in r (nil: a room
// about to be created): it already has one there, or is in fewer than max
// rooms.
func (p *ipRooms) mayEnter(ip string, r *room, max int) bool {
	if max < 0 {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	in := p.rooms[ip]
	if r != nil && in[r] > 0 {
		return true
	}
	return len(in) < max
}

// add counts a member from ip in r.
func (p *ipRooms) add(ip string, r *room) {
	p.mu.Lock()
	defer p.mu.Unlock()
	in := p.rooms[ip]
	if in == nil {
		in = map[*room]int{}
		p.rooms[ip] = in
	}
	in[r]++
}

// remove uncounts a member from ip in r.
func (p *ipRooms) remove(ip string, r *room) {
	p.mu.Lock()
	defer p.mu.Unlock()
	in := p.rooms[ip]
	if in[r]--; in[r] <= 0 {
		delete(in, r)
	}
	if len(in) == 0 {
		delete(p.rooms, ip)
	}
}

// room is one chat room: members in join order, the last messages, and the
// next message ID. Every event is queued to the members while the room's
// lock is held, so all members see events in the same order.
type room struct {
	hub         *hub
	name        string
	mu          sync.Mutex
	members     []*chatClient          // in join order
	names       map[string]*chatClient // members by name
	textMembers int                    // members in the plain-text mode
	history     []chatproto.MessageEvent
	nextID      uint64
	lastActive  time.Time // last join, leave or message
	lastMessage time.Time // last message, or the room's creation
}

// join adds cl, sends it the welcome event and tells the others.
func (r *room) join(cl *chatClient, nick string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.hub.now()
	cl.name = r.uniqueNameLocked(nick)
	cl.room = r
	r.members = append(r.members, cl)
	r.names[cl.name] = cl
	if cl.text {
		r.textMembers++
	}
	r.hub.ips.add(cl.ip, r)
	r.lastActive = now
	welcome := chatproto.WelcomeEvent{
		Type:    chatproto.TypeWelcome,
		Room:    r.name,
		You:     cl.name,
		Members: r.namesLocked(),
		History: append([]chatproto.MessageEvent{}, r.history...),
		MaxText: r.hub.cfg.maxText,
	}
	cl.enqueueWelcome(welcome, now)
	r.broadcastLocked(chatproto.PresenceEvent{Type: chatproto.TypeJoin, From: cl.name}, cl)
}

// post sends a message from cl to every member, cl included, and records it
// in the history. cid is the client's id for it (may be empty): a message
// with the cid of one of cl's messages still in the history is a retry,
// and only cl gets that message again. It reports false if cl is no longer
// a member.
func (r *room) post(cl *chatClient, text, cid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cl.room != r {
		return false
	}
	if cid != "" {
		for i := len(r.history) - 1; i >= 0; i-- {
			if m := r.history[i]; m.CID == cid && m.From == cl.name {
				if !cl.enqueue(newChatEvent(m, r.hub.now(), cl.text, !cl.text)) {
					r.dropLocked(cl, reasonTooSlow)
				}
				return true
			}
		}
	}
	now := r.hub.now()
	r.nextID++
	ev := chatproto.MessageEvent{
		Type: chatproto.TypeMessage,
		ID:   r.nextID,
		From: cl.name,
		Text: text,
		Time: now.UTC().Format(time.RFC3339),
		CID:  cid,
	}
	r.lastActive, r.lastMessage = now, now
	if n := r.hub.cfg.history; n > 0 {
		if len(r.history) >= n {
			copy(r.history, r.history[len(r.history)-n+1:])
			r.history = r.history[:n-1]
		}
		r.history = append(r.history, ev)
	}
	r.broadcastLocked(ev, nil)
	return true
}

// sendTo queues ev for cl alone, dropping cl if it is too far behind.
func (r *room) sendTo(cl *chatClient, ev chatproto.ServerEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cl.room != r {
		return
	}
	if !cl.enqueue(newChatEvent(ev, r.hub.now(), cl.text, !cl.text)) {
		r.dropLocked(cl, reasonTooSlow)
	}
}

// broadcastLocked queues ev for every member except skip (which may be
// nil), encoded once in each mode the members use. A member too far behind
// is dropped rather than waited for.
func (r *room) broadcastLocked(ev chatproto.ServerEvent, skip *chatClient) {
	e := newChatEvent(ev, r.hub.now(), r.textMembers > 0, r.textMembers < len(r.members))
	var slow []*chatClient
	for _, m := range r.members {
		if m != skip && !m.enqueue(e) {
			slow = append(slow, m)
		}
	}
	for _, m := range slow {
		r.dropLocked(m, reasonTooSlow)
	}
}

// dropLocked removes cl, closes it with 1008 and tells the others it left.
// Telling them can drop more slow members; each round removes one, so the
// recursion is bounded by the number of members.
func (r *room) dropLocked(cl *chatClient, reason string) {
	if !r.removeLocked(cl) {
		return
	}
	r.hub.stats.slowDrops.Add(1)
	cl.kick(websocket.StatusPolicyViolation, reason)
	r.broadcastLocked(chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: cl.name}, nil)
}

// removeLocked removes cl from the members, reporting whether it was one.
func (r *room) removeLocked(cl *chatClient) bool {
	if cl.room != r {
		return false
	}
	cl.room = nil
	if i := slices.Index(r.members, cl); i >= 0 {
		r.members = slices.Delete(r.members, i, i+1)
	}
	delete(r.names, cl.name)
	if cl.text {
		r.textMembers--
	}
	r.hub.ips.remove(cl.ip, r)
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
		_, ok := r.names[n]
		return ok
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

package server

import (
	"context"
	"errors"
	"math/rand/v2"
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
	reasonLost     = "chat service lost your membership: rejoin"
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

// brokerTimeout bounds each wait on the broker: subscribing to a room,
// claiming a name and getting the join through, publishing a message.
const brokerTimeout = 10 * time.Second

// hub is the set of chat rooms this process has members in (or had:
// rooms are created on first join). What a room shares with other
// processes (its members, its messages and their ids) comes from the
// broker; the hub keeps the room's members of this process, their queues
// and limits, and its view of the room as the broker delivered it. An empty
// room stays subscribed, its history at hand, until the room limit forces
// its eviction, least recently active first; at the limit, a room whose
// members have posted nothing for cfg.idleAfter is evicted too, its members
// closed. Lock order: hub.mu, then room.mu, then ips.mu; the broker is
// never called with room.mu held.
type hub struct {
	mu     sync.Mutex
	rooms  map[string]*room
	cfg    hubConfig
	ips    ipRooms
	stats  hubStats
	broker broker
	prefix string        // of this hub's member tokens
	tokens atomic.Uint64 // members so far, for their tokens
	now    func() time.Time
}

// newHub returns a hub on a memoryBroker.
func newHub(cfg hubConfig) *hub {
	h := newHubWith(cfg, nil)
	h.broker = newMemoryBroker(cfg.history, func() time.Time { return h.now() })
	return h
}

// newHubWith returns a hub on broker b.
func newHubWith(cfg hubConfig, b broker) *hub {
	return &hub{
		rooms:  map[string]*room{},
		cfg:    cfg,
		ips:    ipRooms{rooms: map[string]map[*room]int{}},
		broker: b,
		prefix: strconv.FormatUint(rand.Uint64(), 36) + ".",
		now:    time.Now,
	}
}

// admit reports why a client from address ip could not join room name now,
// or nil. It is checked before the WebSocket handshake so that the client
// gets an HTTP status.
func (h *hub) admit(name, ip string) error {
	if h.broker.Health() != nil {
		return errBrokerDown
	}
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
		full := len(r.names)+len(r.pending) >= h.cfg.maxMembers
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
// another if the room limit requires), and returns it once cl has its
// welcome. cl.name is set to nick, or to a unique variant of it.
func (h *hub) join(name, nick string, cl *chatClient) (*room, error) {
	h.mu.Lock()
	r, err := h.checkLocked(name, cl.ip)
	if err != nil {
		h.mu.Unlock()
		return nil, err
	}
	created := r == nil
	if created {
		if len(h.rooms) >= h.cfg.maxRooms {
			h.evictLocked(h.evictableLocked())
		}
		r = newRoom(h, name)
		h.rooms[name] = r
	}
	cl.token = h.prefix + strconv.FormatUint(h.tokens.Add(1), 36)
	r.mu.Lock()
	r.pending[cl.token] = cl
	r.mu.Unlock()
	h.ips.add(cl.ip, r)
	h.mu.Unlock()

	if created {
		r.subscribe()
	}
	ctx, cancel := context.WithTimeout(context.Background(), brokerTimeout)
	defer cancel()
	select {
	case <-r.ready:
	case <-ctx.Done():
	}
	if ctx.Err() != nil || r.subErr != nil {
		h.abandon(r, cl, true)
		return nil, errBrokerDown
	}
	nick, err = h.broker.Claim(ctx, r.name, nick, cl.token)
	if err != nil {
		h.abandon(r, cl, false)
		return nil, errBrokerDown
	}
	select {
	case <-cl.welcomed:
	case <-cl.kicked:
	case <-ctx.Done():
		h.abandon(r, cl, false)
		h.broker.Release(r.name, nick, cl.token)
		return nil, errBrokerDown
	}
	return r, nil
}

// abandon withdraws cl, which did not get through to the room; if forget,
// the room, which could not subscribe, goes too.
func (h *hub) abandon(r *room, cl *chatClient, forget bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.mu.Lock()
	if _, ok := r.pending[cl.token]; ok {
		delete(r.pending, cl.token)
		h.ips.remove(cl.ip, r)
	}
	if forget && h.rooms[r.name] == r && len(r.members) == 0 && len(r.pending) == 0 {
		delete(h.rooms, r.name)
		r.closed = true
	}
	r.mu.Unlock()
}

// leave removes cl from r and gives its name back, which tells the others;
// it is a no-op if cl is not a member.
func (h *hub) leave(r *room, cl *chatClient) {
	r.mu.Lock()
	defer r.unlock()
	if r.removeLocked(cl) {
		r.releaseLocked(cl)
	}
}

// evictableLocked returns the room to evict for a new one, or nil: the
// empty room that was active least recently, or else the room whose last
// message is the oldest, if that is older than cfg.idleAfter. A room is
// empty when it has no member of this process.
func (h *hub) evictableLocked() *room {
	var empty, idle *room
	var emptyTime, idleTime time.Time
	cutoff := h.now().Add(-h.cfg.idleAfter)
	for _, r := range h.rooms {
		r.mu.Lock()
		n, active, msg := len(r.members)+len(r.pending), r.lastActive, r.lastMessage
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

// evictLocked removes room r, closing its members with 1000, and ends
// its subscription (after r.mu is released: a broker may hold its own lock
// while it delivers to r).
func (h *hub) evictLocked(r *room) {
	delete(h.rooms, r.name)
	r.mu.Lock()
	r.closed = true
	stop := r.cancel
	r.evictMembersLocked()
	r.unlock()
	if stop != nil {
		stop()
	}
}

// evictMembersLocked closes the members of r, which is evicted, with 1000.
func (r *room) evictMembersLocked() {
	h := r.hub
	if len(r.members)+len(r.pending) == 0 {
		h.stats.emptyEvicted.Add(1)
		return
	}
	h.stats.idleEvicted.Add(1)
	for _, m := range slices.Clone(r.members) {
		r.removeLocked(m)
		r.releaseLocked(m)
		m.kick(websocket.StatusNormalClosure, reasonRoomIdle)
	}
	for tok, m := range r.pending {
		delete(r.pending, tok)
		h.ips.remove(m.ip, r)
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

// room is one chat room as this process sees it: its members here, in
// join order, and its view of the room as the broker delivers it (every
// member's name, the last messages). Every event is queued to the members
// while the room's lock is held, in the broker's order, so all members see
// events in the same order.
type room struct {
	hub    *hub
	name   string
	ready  chan struct{} // closed once subscribed (or failed to)
	subErr error         // why the subscription failed; set before ready is closed

	mu          sync.Mutex
	cancel      func()                 // ends the subscription
	closed      bool                   // evicted: events are ignored
	members     []*chatClient          // this process's members, in join order
	local       map[string]*chatClient // the same, by token
	pending     map[string]*chatClient // joining, by token: awaiting their join event
	names       []string               // every member of the room, in join order
	tokens      map[string]string      // their tokens, by name
	textMembers int                    // members in the plain-text mode
	history     []chatproto.MessageEvent
	lastID      uint64
	lastActive  time.Time   // last join, leave or message
	lastMessage time.Time   // last message, or the room's creation
	releases    []claimedAs // names to give back once the lock is released
}

// claimedAs is a member's name and claim token.
type claimedAs struct{ name, token string }

func newRoom(h *hub, name string) *room {
	now := h.now()
	return &room{
		hub: h, name: name, ready: make(chan struct{}),
		local: map[string]*chatClient{}, pending: map[string]*chatClient{}, tokens: map[string]string{},
		lastActive: now, lastMessage: now,
	}
}

// subscribe subscribes r to its events, then closes r.ready.
func (r *room) subscribe() {
	ctx, cancel := context.WithTimeout(context.Background(), brokerTimeout)
	defer cancel()
	stop, err := r.hub.broker.Subscribe(ctx, r.name, r.apply)
	r.mu.Lock()
	r.cancel = stop
	closed := r.closed
	r.mu.Unlock()
	if closed && stop != nil { // evicted meanwhile
		stop()
	}
	r.subErr = err
	close(r.ready)
}

// unlock unlocks r.mu, then gives back the names of the members removed
// meanwhile.
func (r *room) unlock() {
	rel := r.releases
	r.releases = nil
	r.mu.Unlock()
	for _, c := range rel {
		r.hub.broker.Release(r.name, c.name, c.token)
	}
}

// releaseLocked queues cl's name to be given back by unlock.
func (r *room) releaseLocked(cl *chatClient) {
	r.releases = append(r.releases, claimedAs{cl.name, cl.token})
}

// apply applies an event of the broker to the room and tells the members.
func (r *room) apply(ev roomEvent) {
	r.mu.Lock()
	defer r.unlock()
	if r.closed {
		return
	}
	now := r.hub.now()
	switch ev.kind {
	case eventJoin:
		if old, ok := r.tokens[ev.name]; ok {
			if old == ev.token {
				return
			}
			// The name changed hands: taken over from a process that died.
			r.leftLocked(ev.name, old)
		}
		r.names = append(r.names, ev.name)
		r.tokens[ev.name] = ev.token
		r.lastActive = now
		cl := r.pending[ev.token]
		if cl != nil {
			delete(r.pending, ev.token)
			r.admitLocked(cl, ev.name, now)
		}
		r.broadcastLocked(chatproto.PresenceEvent{Type: chatproto.TypeJoin, From: ev.name}, cl)
	case eventLeave:
		if tok, ok := r.tokens[ev.name]; ok && tok == ev.token {
			r.leftLocked(ev.name, ev.token)
		}
	case eventMessage:
		if ev.msg.ID <= r.lastID {
			return
		}
		r.lastID = ev.msg.ID
		r.lastActive, r.lastMessage = now, now
		if n := r.hub.cfg.history; n > 0 {
			if len(r.history) >= n {
				copy(r.history, r.history[len(r.history)-n+1:])
				r.history = r.history[:n-1]
			}
			r.history = append(r.history, ev.msg)
		}
		r.broadcastLocked(ev.msg, nil)
	}
}

// admitLocked makes cl, whose join event came, a member named name and
// sends it the welcome.
func (r *room) admitLocked(cl *chatClient, name string, now time.Time) {
	cl.name = name
	cl.room = r
	r.members = append(r.members, cl)
	r.local[cl.token] = cl
	if cl.text {
		r.textMembers++
	}
	cl.enqueueWelcome(chatproto.WelcomeEvent{
		Type:    chatproto.TypeWelcome,
		Room:    r.name,
		You:     name,
		Members: slices.Clone(r.names),
		History: append([]chatproto.MessageEvent{}, r.history...),
		MaxText: r.hub.cfg.maxText,
	}, now)
	close(cl.welcomed)
}

// leftLocked removes name from the room and tells the members. A member
// of this process still holding it lost it without leaving (its process
// lost the broker long enough to be taken for dead): it is closed with
// 1012 so that it rejoins.
func (r *room) leftLocked(name, token string) {
	delete(r.tokens, name)
	if i := slices.Index(r.names, name); i >= 0 {
		r.names = slices.Delete(r.names, i, i+1)
	}
	r.lastActive = r.hub.now()
	if cl := r.local[token]; cl != nil && r.removeLocked(cl) {
		cl.kick(websocket.StatusServiceRestart, reasonLost)
	}
	r.broadcastLocked(chatproto.PresenceEvent{Type: chatproto.TypeLeave, From: name}, nil)
}

// post publishes a message from cl to every member, cl included, and to
// the history. cid is the client's id for it (may be empty): a message
// with the cid of one of cl's messages still in the history is a retry,
// and only cl gets that message again. A message the broker cannot take
// is answered with an error event carrying cid. It reports false if cl is
// no longer a member.
func (r *room) post(cl *chatClient, text, cid string) bool {
	r.mu.Lock()
	if cl.room != r {
		r.unlock()
		return false
	}
	if cid != "" {
		for i := len(r.history) - 1; i >= 0; i-- {
			if m := r.history[i]; m.CID == cid && m.From == cl.name {
				if !cl.enqueue(newChatEvent(m, r.hub.now(), cl.text, !cl.text)) {
					r.dropLocked(cl, reasonTooSlow)
				}
				r.unlock()
				return true
			}
		}
	}
	from := cl.name
	r.unlock()
	ctx, cancel := context.WithTimeout(context.Background(), brokerTimeout)
	defer cancel()
	m, dup, err := r.hub.broker.Publish(ctx, r.name, chatproto.MessageEvent{Type: chatproto.TypeMessage, From: from, Text: text, CID: cid})
	switch {
	case err != nil:
		r.sendTo(cl, chatproto.ErrorEvent{Type: chatproto.TypeError, Text: "message not sent: " + errBrokerDown.Error() + ", try again", CID: cid})
	case dup:
		r.sendTo(cl, m)
	}
	return true
}

// sendTo queues ev for cl alone, dropping cl if it is too far behind.
func (r *room) sendTo(cl *chatClient, ev chatproto.ServerEvent) {
	r.mu.Lock()
	defer r.unlock()
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
	if len(r.members) == 0 {
		return
	}
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

// dropLocked removes cl, closes it with 1008 and gives its name back,
// which tells the others it left.
func (r *room) dropLocked(cl *chatClient, reason string) {
	if !r.removeLocked(cl) {
		return
	}
	r.hub.stats.slowDrops.Add(1)
	cl.kick(websocket.StatusPolicyViolation, reason)
	r.releaseLocked(cl)
}

// removeLocked removes cl from this process's members, reporting whether
// it was one.
func (r *room) removeLocked(cl *chatClient) bool {
	if cl.room != r {
		return false
	}
	cl.room = nil
	if i := slices.Index(r.members, cl); i >= 0 {
		r.members = slices.Delete(r.members, i, i+1)
	}
	delete(r.local, cl.token)
	if cl.text {
		r.textMembers--
	}
	r.hub.ips.remove(cl.ip, r)
	r.lastActive = r.hub.now()
	return true
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

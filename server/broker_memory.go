package server

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/duplexgo/duplex/server/chatproto"
)

// memoryBroker is the broker of a single process: rooms live in its
// memory and are gone when it exits. A room's state is kept while it has
// subscribers (the hub keeps a subscription until it evicts the room), and
// created by whichever call names it first.
//
// Events are delivered by the goroutine whose call produced them, after
// the state changed and outside the broker's lock; a call made while
// another goroutine delivers (or from inside a subscriber, as the hub does
// when a delivery drops a slow member) queues its events behind the
// current ones. So every subscriber gets every event once, in the order
// the state changed, and a caller that is alone sees its events delivered
// before its call returns.
type memoryBroker struct {
	now     func() time.Time
	history int // messages a room keeps

	mu       sync.Mutex
	rooms    map[string]*memoryRoom
	guests   uint64
	queue    []memoryDelivery
	draining bool
}

// memoryRoom is the state of one room of a memoryBroker.
type memoryRoom struct {
	names   []string          // in join order
	tokens  map[string]string // name -> token
	history []chatproto.MessageEvent
	nextID  uint64
	subs    []*memorySub
}

type memorySub struct{ fn func(roomEvent) }

// memoryDelivery is an event queued for some subscribers.
type memoryDelivery struct {
	subs []*memorySub
	ev   roomEvent
}

func newMemoryBroker(history int, now func() time.Time) *memoryBroker {
	return &memoryBroker{now: now, history: history, rooms: map[string]*memoryRoom{}}
}

// roomLocked returns room name, creating it.
func (b *memoryBroker) roomLocked(name string) *memoryRoom {
	r := b.rooms[name]
	if r == nil {
		r = &memoryRoom{tokens: map[string]string{}}
		b.rooms[name] = r
	}
	return r
}

// emitLocked queues ev for subs.
func (b *memoryBroker) emitLocked(subs []*memorySub, ev roomEvent) {
	if len(subs) > 0 {
		b.queue = append(b.queue, memoryDelivery{subs: slices.Clone(subs), ev: ev})
	}
}

// unlockAndDeliver unlocks b and, unless another goroutine is at it,
// delivers the queued events until none is left.
func (b *memoryBroker) unlockAndDeliver() {
	if b.draining {
		b.mu.Unlock()
		return
	}
	b.draining = true
	for len(b.queue) > 0 {
		d := b.queue[0]
		b.queue[0] = memoryDelivery{}
		b.queue = b.queue[1:]
		b.mu.Unlock()
		for _, s := range d.subs {
			s.fn(d.ev)
		}
		b.mu.Lock()
	}
	b.queue = nil
	b.draining = false
	b.mu.Unlock()
}

// Subscribe implements broker.
func (b *memoryBroker) Subscribe(_ context.Context, room string, fn func(roomEvent)) (func(), error) {
	b.mu.Lock()
	r := b.roomLocked(room)
	s := &memorySub{fn: fn}
	r.subs = append(r.subs, s)
	one := []*memorySub{s}
	for _, n := range r.names {
		b.emitLocked(one, roomEvent{kind: eventJoin, name: n, token: r.tokens[n]})
	}
	for _, m := range r.history {
		b.emitLocked(one, roomEvent{kind: eventMessage, msg: m})
	}
	b.unlockAndDeliver()
	cancel := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.rooms[room] != r {
			return
		}
		r.subs = slices.DeleteFunc(r.subs, func(x *memorySub) bool { return x == s })
		if len(r.subs) == 0 {
			delete(b.rooms, room)
		}
	}
	return cancel, nil
}

// Claim implements broker.
func (b *memoryBroker) Claim(_ context.Context, room, nick, token string) (string, error) {
	b.mu.Lock()
	r := b.roomLocked(room)
	taken := func(n string) bool {
		_, ok := r.tokens[n]
		return ok
	}
	name := ""
	if nick == "" {
		for name == "" || taken(name) {
			b.guests++
			name = guestName(b.guests)
		}
	} else {
		for i := 1; ; i++ {
			if name = memberName(nick, i); !taken(name) {
				break
			}
		}
	}
	r.names = append(r.names, name)
	r.tokens[name] = token
	b.emitLocked(r.subs, roomEvent{kind: eventJoin, name: name, token: token})
	b.unlockAndDeliver()
	return name, nil
}

// Release implements broker.
func (b *memoryBroker) Release(room, name, token string) {
	b.mu.Lock()
	if r := b.rooms[room]; r != nil && r.tokens[name] == token {
		delete(r.tokens, name)
		if i := slices.Index(r.names, name); i >= 0 {
			r.names = slices.Delete(r.names, i, i+1)
		}
		b.emitLocked(r.subs, roomEvent{kind: eventLeave, name: name, token: token})
	}
	b.unlockAndDeliver()
}

// Publish implements broker. It never reports a duplicate: the hub finds
// retries in the history it keeps.
func (b *memoryBroker) Publish(_ context.Context, room string, m chatproto.MessageEvent) (chatproto.MessageEvent, bool, error) {
	b.mu.Lock()
	r := b.roomLocked(room)
	r.nextID++
	m.Type, m.ID, m.Time = chatproto.TypeMessage, r.nextID, formatTime(b.now())
	if n := b.history; n > 0 {
		if len(r.history) >= n {
			copy(r.history, r.history[len(r.history)-n+1:])
			r.history = r.history[:n-1]
		}
		r.history = append(r.history, m)
	}
	b.emitLocked(r.subs, roomEvent{kind: eventMessage, msg: m})
	b.unlockAndDeliver()
	return m, false, nil
}

// History implements broker.
func (b *memoryBroker) History(_ context.Context, room string, n int) ([]chatproto.MessageEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.rooms[room]
	if r == nil {
		return []chatproto.MessageEvent{}, nil
	}
	h := r.history
	return slices.Clone(h[max(0, len(h)-n):]), nil
}

// Members implements broker.
func (b *memoryBroker) Members(_ context.Context, room string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.rooms[room]; r != nil {
		return slices.Clone(r.names), nil
	}
	return []string{}, nil
}

// Health implements broker: a memory broker is always up.
func (b *memoryBroker) Health() error { return nil }

// Stats implements broker.
func (b *memoryBroker) Stats() brokerStats { return brokerStats{connected: true} }

// Close implements broker.
func (b *memoryBroker) Close() error { return nil }

// formatTime formats a message's time: RFC 3339 in UTC, to the second.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

package server

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/server/chattest"
	"github.com/duplexgo/duplex/server/natstest"
)

// The broker contract: every broker passes these tests. Each gets two
// brokers of one deployment, as two processes would have them (the
// memory broker: the same one twice).

func TestMemoryBrokerContract(t *testing.T) {
	testBrokerContract(t, func(t *testing.T) (broker, broker) {
		b := newMemoryBroker(5, time.Now)
		return b, b
	})
}

func TestNATSBrokerContract(t *testing.T) {
	ns := natstest.Start(t)
	testBrokerContract(t, func(t *testing.T) (broker, broker) {
		return startNatsBroker(t, ns.URL, 5), startNatsBroker(t, ns.URL, 5)
	})
}

// startNatsBroker returns a broker on the NATS at url, set up, closed when
// the test ends.
func startNatsBroker(t testing.TB, url string, history int) *natsBroker {
	t.Helper()
	b := newNatsBroker(natsOptions{url: url, history: history, log: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { b.Close() })
	waitUntil(t, "the NATS broker is up", func() bool { return b.Health() == nil })
	return b
}

// waitUntil polls cond for at most a minute.
var waitUntil = chattest.WaitUntil

// recorder is a subscriber that records what it gets.
type recorder struct {
	mu  sync.Mutex
	evs []roomEvent
}

func (r *recorder) add(ev roomEvent) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

// strings returns the events as "join:ann", "leave:ann", "message:ID:ann:text".
func (r *recorder) strings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.evs {
		switch ev.kind {
		case eventJoin:
			out = append(out, "join:"+ev.name)
		case eventLeave:
			out = append(out, "leave:"+ev.name)
		case eventMessage:
			out = append(out, fmt.Sprintf("message:%d:%s:%s", ev.msg.ID, ev.msg.From, ev.msg.Text))
		}
	}
	return out
}

func testBrokerContract(t *testing.T, deploy func(t *testing.T) (broker, broker)) {
	ctx := t.Context()
	sub := func(t *testing.T, b broker, room string) *recorder {
		t.Helper()
		rec := &recorder{}
		cancel, err := b.Subscribe(ctx, room, rec.add)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
		return rec
	}
	claim := func(t *testing.T, b broker, room, nick, token string) string {
		t.Helper()
		name, err := b.Claim(ctx, room, nick, token)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	publish := func(t *testing.T, b broker, room, from, text, cid string) chatproto.MessageEvent {
		t.Helper()
		m, _, err := b.Publish(ctx, room, chatproto.MessageEvent{From: from, Text: text, CID: cid})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	t.Run("NamesAreUniqueAcrossNodes", func(t *testing.T) {
		a, b := deploy(t)
		room := t.Name()
		ra, rb := sub(t, a, room), sub(t, b, room)
		names := []string{claim(t, a, room, "alice", "t1"), claim(t, b, room, "alice", "t2"), claim(t, a, room, "alice", "t3")}
		if !slices.Equal(names, []string{"alice", "alice-2", "alice-3"}) {
			t.Fatalf("names %q", names)
		}
		g1, g2 := claim(t, a, room, "", "t4"), claim(t, b, room, "", "t5")
		if g1 == g2 {
			t.Fatalf("two guests named %q", g1)
		}
		want := []string{"join:alice", "join:alice-2", "join:alice-3", "join:" + g1, "join:" + g2}
		for _, rec := range []*recorder{ra, rb} {
			waitUntil(t, "both nodes see the joins", func() bool { return len(rec.strings()) >= len(want) })
			if got := rec.strings(); !slices.Equal(got, want) {
				t.Fatalf("events %q, want %q", got, want)
			}
		}
		// Another room is another namespace.
		if n := claim(t, b, room+"-other", "alice", "t6"); n != "alice" {
			t.Fatalf("alice in another room: %q", n)
		}
	})

	t.Run("ReleaseLeavesEverywhere", func(t *testing.T) {
		a, b := deploy(t)
		room := t.Name()
		rb := sub(t, b, room)
		claim(t, a, room, "ann", "t1")
		claim(t, b, room, "bob", "t2")
		a.Release(room, "ann", "wrong token") // not ann's: nothing happens
		a.Release(room, "ann", "t1")
		waitUntil(t, "the leave arrives", func() bool { return slices.Contains(rb.strings(), "leave:ann") })
		for _, x := range []broker{a, b} {
			waitUntil(t, "the members converge", func() bool {
				m, err := x.Members(ctx, room)
				return err == nil && slices.Equal(m, []string{"bob"})
			})
		}
		if got, want := rb.strings(), []string{"join:ann", "join:bob", "leave:ann"}; !slices.Equal(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
		if n := claim(t, b, room, "ann", "t3"); n != "ann" {
			t.Fatalf("a released name is taken again as %q", n)
		}
	})

	t.Run("MessagesInOneOrderWithIncreasingIDs", func(t *testing.T) {
		a, b := deploy(t)
		room := t.Name()
		ra, rb := sub(t, a, room), sub(t, b, room)
		var wg sync.WaitGroup
		for i, x := range []broker{a, b} {
			wg.Go(func() {
				for j := range 20 {
					if _, _, err := x.Publish(ctx, room, chatproto.MessageEvent{From: fmt.Sprint("n", i), Text: fmt.Sprint(j)}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		for _, rec := range []*recorder{ra, rb} {
			waitUntil(t, "40 messages arrive", func() bool { return len(rec.strings()) >= 40 })
		}
		if !slices.Equal(ra.strings(), rb.strings()) {
			t.Fatalf("the nodes disagree:\n%q\n%q", ra.strings(), rb.strings())
		}
		var last uint64
		ra.mu.Lock()
		for _, ev := range ra.evs {
			if ev.msg.ID <= last || ev.msg.Time == "" {
				t.Errorf("message %+v after id %d", ev.msg, last)
			}
			last = ev.msg.ID
		}
		ra.mu.Unlock()
	})

	t.Run("SubscribeStartsWithTheRoomAsItStands", func(t *testing.T) {
		a, b := deploy(t)
		room := t.Name()
		keep := sub(t, a, room) // keeps the memory broker's room alive
		claim(t, a, room, "ann", "t1")
		claim(t, a, room, "bob", "t2")
		var ids []uint64
		for i := range 7 {
			ids = append(ids, publish(t, a, room, "ann", fmt.Sprint(i), "").ID)
		}
		waitUntil(t, "the first subscriber has it all", func() bool { return len(keep.strings()) == 9 })
		waitUntil(t, "the other node knows the members", func() bool {
			m, err := b.Members(ctx, room)
			return err == nil && len(m) == 2
		})
		rec := sub(t, b, room) // returns with the room delivered
		want := []string{"join:ann", "join:bob"}
		for i := 2; i < 7; i++ { // history 5
			want = append(want, fmt.Sprintf("message:%d:ann:%d", ids[i], i))
		}
		if got := rec.strings(); !slices.Equal(got, want) {
			t.Fatalf("first events %q, want %q", got, want)
		}
		h, err := b.History(ctx, room, 3)
		if err != nil || len(h) != 3 || h[0].ID != ids[4] || h[2].Text != "6" {
			t.Fatalf("History(3) = %+v, %v", h, err)
		}
		if h, err := b.History(ctx, room+"-empty", 3); err != nil || len(h) != 0 {
			t.Fatalf("History of an empty room = %+v, %v", h, err)
		}
		if !slices.Equal(ids, slices.Sorted(slices.Values(ids))) {
			t.Fatalf("ids %v", ids)
		}
	})

	t.Run("HealthAndStats", func(t *testing.T) {
		a, _ := deploy(t)
		if err := a.Health(); err != nil {
			t.Fatal(err)
		}
		if st := a.Stats(); !st.connected {
			t.Fatalf("stats %+v", st)
		}
	})
}

package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/server/internal/natstest"
	"github.com/duplexgo/duplex/wsclient"
)

// Chat rooms across several nodes: servers sharing one nats-server, and
// clients (the native wsclient) on each. Nothing here asserts a duration:
// every wait is bounded generously and only fails a test that is stuck.

// clusterConfig is the Config of a node on the NATS at url.
func clusterConfig(url string, history int) Config {
	return Config{NATS: url, ChatRate: -1, ChatHistory: history, MaxConnsPerIP: -1, ChatRoomsPerIP: -1}
}

// startNode starts a node on the NATS at url and waits until it is healthy.
func startNode(t *testing.T, url string, history int) *testServer {
	t.Helper()
	ts := startServer(t, clusterConfig(url, history))
	waitUntil(t, "the node is healthy", func() bool {
		resp, err := http.Get(ts.url("/healthz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return ts
}

// chatUser is a chat client that reconnects (through the URLs it was
// given, in turn), sends messages with cids, resends what a connection
// that ended had not answered, resends a message whose cid
// came back in an error event (as the app's Retry does), and records
// what it gets.
type chatUser struct {
	t    *testing.T
	name string
	c    *wsclient.Client

	mu       sync.Mutex
	you      string
	welcomes int
	members  []string
	msgs     []chatproto.MessageEvent // in arrival order, each id once
	ids      map[uint64]bool
	texts    map[string]string // text of each cid sent
	acked    map[string]uint64 // cids the server echoed, with their id
	errors   int
	history  []chatproto.MessageEvent // of the last welcome
}

func newChatUser(t *testing.T, room, name string, bases ...string) *chatUser {
	t.Helper()
	u := &chatUser{t: t, name: name, ids: map[uint64]bool{}, texts: map[string]string{}, acked: map[string]uint64{}}
	next := 0
	c, err := wsclient.NewClient("", &wsclient.ClientOptions{
		Endpoint: func() (string, []string, error) {
			base := bases[next%len(bases)]
			next++
			return base + chatproto.JoinPath(room, name), nil, nil
		},
		Backoff: wsclient.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond},
		Key:     u.key,
		// What was written and not answered when a connection ended is
		// sent again on the next: the server knows it by its cid.
		Redeliver: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	u.c = c
	t.Cleanup(func() { c.Close(wsclient.StatusNormalClosure, "") })
	go u.read()
	return u
}

// key names a message by its cid: a sent one, and the echo or the error
// that settles it.
func (u *chatUser) key(m wsclient.Message) string {
	ev, err := chatproto.DecodeEvent(m.Data)
	if err != nil {
		return ""
	}
	return ev.CID
}

func (u *chatUser) read() {
	for {
		_, data, err := u.c.Read(context.Background())
		if err != nil {
			return
		}
		ev, err := chatproto.DecodeEvent(data)
		if err != nil {
			u.t.Errorf("%s: %v", u.name, err)
			return
		}

		u.mu.Lock()
		switch ev.Type {
		case chatproto.TypeWelcome:
			u.you, u.members, u.history = ev.You, slices.Clone(ev.Members), ev.History
			u.welcomes++
			for _, m := range ev.History {
				u.addLocked(m)
			}
		case chatproto.TypeJoin:
			if !slices.Contains(u.members, ev.From) {
				u.members = append(u.members, ev.From)
			}
		case chatproto.TypeLeave:
			u.members = slices.DeleteFunc(u.members, func(n string) bool { return n == ev.From })
		case chatproto.TypeMessage:
			u.addLocked(chatproto.MessageEvent{Type: ev.Type, ID: ev.ID, From: ev.From, Text: ev.Text, Time: ev.Time, CID: ev.CID})
		case chatproto.TypeError:
			u.errors++
			if text, ok := u.texts[ev.CID]; ok {
				go func() { // the app keeps the draft; Retry sends it again
					time.Sleep(200 * time.Millisecond)
					u.c.Send(wsclient.Text, chatproto.EncodeClientMessageCID(text, ev.CID))
				}()
			}
		}
		u.mu.Unlock()
	}
}

func (u *chatUser) addLocked(m chatproto.MessageEvent) {
	if u.ids[m.ID] {
		return
	}
	u.ids[m.ID] = true
	u.msgs = append(u.msgs, m)
	if m.From == u.you && m.CID != "" {
		if _, ok := u.texts[m.CID]; ok {
			u.acked[m.CID] = m.ID
		}
	}
}

// send sends text with a new cid.
func (u *chatUser) send(text string) {
	u.mu.Lock()
	cid := fmt.Sprintf("%s-%d", u.name, len(u.texts))
	u.texts[cid] = text
	u.mu.Unlock()
	if err := u.c.Send(wsclient.Text, chatproto.EncodeClientMessageCID(text, cid)); err != nil {
		u.t.Errorf("%s: send: %v", u.name, err)
	}
}

// state returns a copy of what u knows.
func (u *chatUser) state() (you string, members []string, msgs []chatproto.MessageEvent, unacked int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.you, slices.Clone(u.members), slices.Clone(u.msgs), len(u.texts) - len(u.acked)
}

// unacked lists the cids sent and not acknowledged.
func (u *chatUser) unacked() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for cid := range u.texts {
		if _, ok := u.acked[cid]; !ok {
			out = append(out, cid)
		}
	}
	slices.Sort(out)
	return out
}

func (u *chatUser) waitWelcome(t *testing.T, n int) {
	t.Helper()
	waitUntil(t, u.name+" is welcomed", func() bool {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.welcomes >= n
	})
}

// talk has each user send n messages, one every 10 ms, and returns once
// listener has got under way messages; the WaitGroup tells when all are sent.
func talk(t *testing.T, users []*chatUser, n int, listener *chatUser, underWay int) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for j := range n {
				u.send(fmt.Sprintf("%s says %d", u.name, j))
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	waitUntil(t, "the conversation is under way", func() bool {
		_, _, msgs, _ := listener.state()
		return len(msgs) >= underWay
	})
	return &wg
}

// wsBase returns the ws:// base URL of a test server.
func wsBase(ts *testServer) string { return "ws://" + ts.addr }

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func TestClusterThousandMessagesInOneOrder(t *testing.T) {
	ns := natstest.Start(t)
	nodes := []*testServer{startNode(t, ns.URL, 50), startNode(t, ns.URL, 50)}
	const perNode, perUser = 4, 125 // 8 users, 1,000 messages
	var users []*chatUser
	var names []string
	for i := range 2 * perNode {
		name := fmt.Sprintf("u%d", i)
		names = append(names, name)
		users = append(users, newChatUser(t, "busy", name, wsBase(nodes[i%2])))
	}
	for _, u := range users {
		u.waitWelcome(t, 1)
		waitUntil(t, u.name+" sees everyone", func() bool {
			_, m, _, _ := u.state()
			return sameSet(m, names)
		})
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for j := range perUser {
				u.send(fmt.Sprintf("%s says %d", u.name, j))
			}
		})
	}
	wg.Wait()
	total := len(users) * perUser
	for _, u := range users {
		waitUntil(t, u.name+" has every message", func() bool {
			_, _, msgs, _ := u.state()
			return len(msgs) >= total
		})
	}
	_, _, first, _ := users[0].state()
	for i := 1; i < len(first); i++ {
		if first[i].ID <= first[i-1].ID {
			t.Fatalf("ids do not increase: %d after %d", first[i].ID, first[i-1].ID)
		}
	}
	for _, u := range users[1:] {
		_, _, msgs, unacked := u.state()
		if len(msgs) != total || unacked != 0 {
			t.Fatalf("%s: %d messages, %d unacknowledged", u.name, len(msgs), unacked)
		}
		for i := range msgs {
			if msgs[i] != first[i] {
				t.Fatalf("%s's message %d is %+v, %s's %+v", u.name, i, msgs[i], users[0].name, first[i])
			}
		}
	}
}

func TestClusterNodeDies(t *testing.T) {
	ns := natstest.Start(t)
	a := startNode(t, ns.URL, 500)
	b := startNode(t, ns.URL, 500)
	both, reverse := []string{wsBase(a), wsBase(b)}, []string{wsBase(b), wsBase(a)}
	a1, a2 := newChatUser(t, "r", "a1", both...), newChatUser(t, "r", "a2", both...)
	ghost := newChatUser(t, "r", "ghost", wsBase(a)) // does not come back
	b1 := newChatUser(t, "r", "b1", reverse...)
	talkers := []*chatUser{a1, a2, b1}
	for _, u := range append(talkers, ghost) {
		u.waitWelcome(t, 1)
	}
	waitUntil(t, "b1 sees everyone", func() bool {
		_, m, _, _ := b1.state()
		return sameSet(m, []string{"a1", "a2", "ghost", "b1"})
	})
	const perUser = 40
	wg := talk(t, talkers, perUser, b1, perUser)
	// a dies: nothing it held is given back.
	killed := time.Now()
	a.srv.hub.broker.(*natsBroker).abandon()
	a.cancel()
	wg.Wait()

	a1.waitWelcome(t, 2)
	a2.waitWelcome(t, 2)
	for _, u := range []*chatUser{a1, a2} {
		if you, _, _, _ := u.state(); you != u.name {
			t.Errorf("%s rejoined as %q", u.name, you)
		}
	}
	want := []string{"a1", "a2", "b1"}
	waitUntil(t, "presence converges", func() bool {
		for _, u := range talkers {
			if _, m, _, _ := u.state(); !sameSet(m, want) {
				return false
			}
		}
		return true
	})
	t.Logf("the ghost left every list %v after its node died (bound: 10s)", time.Since(killed).Round(100*time.Millisecond))
	for _, u := range talkers {
		waitUntil(t, u.name+"'s messages are all acknowledged", func() bool {
			if un := u.unacked(); len(un) > 0 {
				t.Logf("%s: unacked %v, errors %d, you %s", u.name, un, u.errors, u.you)
				return false
			}
			return true
		})
	}
	checkHistoryHasAcked(t, wsBase(b), talkers)
}

// checkHistoryHasAcked joins the room through base and checks that its
// history holds every message the users were told was accepted, once.
func checkHistoryHasAcked(t *testing.T, base string, users []*chatUser) {
	t.Helper()
	late := newChatUser(t, "r", "late", base)
	late.waitWelcome(t, 1)
	late.mu.Lock()
	history := late.history
	late.mu.Unlock()
	seen := map[string]int{}
	for _, m := range history {
		seen[m.From+"/"+m.CID]++
	}
	for _, u := range users {
		u.mu.Lock()
		for cid := range u.acked {
			if n := seen[u.name+"/"+cid]; n != 1 {
				t.Errorf("%s's acknowledged message %s is %d times in the history", u.name, cid, n)
			}
		}
		u.mu.Unlock()
	}
}

func TestClusterNATSRestarts(t *testing.T) {
	ns := natstest.Start(t)
	a := startNode(t, ns.URL, 500)
	b := startNode(t, ns.URL, 500)
	a1 := newChatUser(t, "r", "a1", wsBase(a), wsBase(b))
	b1 := newChatUser(t, "r", "b1", wsBase(b), wsBase(a))
	users := []*chatUser{a1, b1}
	for _, u := range users {
		u.waitWelcome(t, 1)
	}
	health := func(ts *testServer) (int, string) {
		resp, err := http.Get(ts.url("/healthz"))
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		sb.Write(buf[:n])
		return resp.StatusCode, sb.String()
	}
	const perUser = 60
	wg := talk(t, users, perUser, b1, 20)
	start := time.Now()
	ns.Stop()
	for _, ts := range []*testServer{a, b} {
		waitUntil(t, "the nodes report the outage", func() bool {
			code, body := health(ts)
			return code == http.StatusServiceUnavailable && strings.Contains(body, "NATS")
		})
		if got := ts.metric(t, "duplex_broker_connected"); got != 0 {
			t.Errorf("duplex_broker_connected %v during the outage", got)
		}
	}
	waitUntil(t, "a message is refused", func() bool {
		a1.mu.Lock()
		defer a1.mu.Unlock()
		b1.mu.Lock()
		defer b1.mu.Unlock()
		return a1.errors+b1.errors > 0
	})
	t.Logf("outage reported, a message refused at %v", time.Since(start).Round(time.Millisecond))
	ns.Restart()
	for _, ts := range []*testServer{a, b} {
		waitUntil(t, "the nodes recover", func() bool {
			code, _ := health(ts)
			return code == http.StatusOK
		})
		if ts.metric(t, "duplex_broker_reconnects_total") < 1 || ts.metric(t, "duplex_broker_publish_errors_total") < 0 {
			t.Errorf("broker metrics after the outage: reconnects %v", ts.metric(t, "duplex_broker_reconnects_total"))
		}
	}
	t.Logf("the nodes recovered at %v", time.Since(start).Round(time.Millisecond))
	wg.Wait()
	for _, u := range users {
		waitUntil(t, u.name+"'s messages are all acknowledged", func() bool {
			_, _, _, unacked := u.state()
			return unacked == 0
		})
	}
	t.Logf("every message acknowledged at %v", time.Since(start).Round(time.Millisecond))
	if a.metric(t, "duplex_broker_publish_errors_total")+b.metric(t, "duplex_broker_publish_errors_total") == 0 {
		t.Error("no publish error counted during the outage")
	}
	// Both users see the same messages in the same order.
	for _, u := range users {
		waitUntil(t, u.name+" has every message", func() bool {
			_, _, msgs, _ := u.state()
			return len(msgs) >= len(users)*perUser
		})
	}
	_, _, ma, _ := a1.state()
	_, _, mb, _ := b1.state()
	if !slices.Equal(ma, mb) {
		t.Errorf("a1 and b1 disagree: %d and %d messages", len(ma), len(mb))
	}
	checkHistoryHasAcked(t, wsBase(b), users)
}

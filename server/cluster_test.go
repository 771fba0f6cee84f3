package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/chattest"
	"github.com/duplexgo/duplex/server/natstest"
)

// Chat rooms across several nodes: servers sharing one nats-server, and
// clients (chattest's, on the native wsclient) on each. Nothing here
// asserts a duration: every wait is bounded generously and only fails a
// test that is stuck.

// startNode starts a node on the NATS at url and waits until it is healthy.
func startNode(t *testing.T, url string, history int) *testServer {
	t.Helper()
	ts := startServer(t, Config{NATS: url, ChatRate: -1, ChatHistory: history, MaxConnsPerIP: -1, ChatRoomsPerIP: -1})
	waitUntil(t, "the node is healthy", func() bool { code, _ := health(ts); return code == http.StatusOK })
	return ts
}

// health returns the status and body of a node's /healthz.
func health(ts *testServer) (int, string) {
	resp, err := http.Get(ts.url("/healthz"))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	return resp.StatusCode, string(buf[:n])
}

// wsBase returns the ws:// base URL of a test server.
func wsBase(ts *testServer) string { return "ws://" + ts.addr }

// checkHistoryHasAcked joins the room through base and checks that its
// history holds every message the users were told was accepted, once.
func checkHistoryHasAcked(t *testing.T, base string, users []*chattest.User) {
	t.Helper()
	late := chattest.NewUser(t, "r", "late", base)
	late.WaitWelcome(t, 1)
	chattest.CheckHistory(t, late.State().History, users...)
}

func TestClusterThousandMessagesInOneOrder(t *testing.T) {
	ns := natstest.Start(t)
	nodes := []*testServer{startNode(t, ns.URL, 50), startNode(t, ns.URL, 50)}
	const perNode, perUser = 4, 125 // 8 users, 1,000 messages
	var users []*chattest.User
	var names []string
	for i := range 2 * perNode {
		name := fmt.Sprintf("u%d", i)
		names = append(names, name)
		users = append(users, chattest.NewUser(t, "busy", name, wsBase(nodes[i%2])))
	}
	for _, u := range users {
		u.WaitWelcome(t, 1)
		waitUntil(t, u.Name+" sees everyone", func() bool { return chattest.SameSet(u.State().Members, names) })
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for j := range perUser {
				u.Send(fmt.Sprintf("%s says %d", u.Name, j))
			}
		})
	}
	wg.Wait()
	total := len(users) * perUser
	for _, u := range users {
		waitUntil(t, u.Name+" has every message", func() bool { return len(u.State().Messages) >= total })
	}
	first := users[0].State().Messages
	for i := 1; i < len(first); i++ {
		if first[i].ID <= first[i-1].ID {
			t.Fatalf("ids do not increase: %d after %d", first[i].ID, first[i-1].ID)
		}
	}
	for _, u := range users[1:] {
		st := u.State()
		if len(st.Messages) != total || len(st.Unacked) != 0 {
			t.Fatalf("%s: %d messages, %d unacknowledged", u.Name, len(st.Messages), len(st.Unacked))
		}
		for i, m := range st.Messages {
			if m != first[i] {
				t.Fatalf("%s's message %d is %+v, %s's %+v", u.Name, i, m, users[0].Name, first[i])
			}
		}
	}
}

func TestClusterNodeDies(t *testing.T) {
	ns := natstest.Start(t)
	a, b := startNode(t, ns.URL, 500), startNode(t, ns.URL, 500)
	both, reverse := []string{wsBase(a), wsBase(b)}, []string{wsBase(b), wsBase(a)}
	a1, a2 := chattest.NewUser(t, "r", "a1", both...), chattest.NewUser(t, "r", "a2", both...)
	ghost := chattest.NewUser(t, "r", "ghost", wsBase(a)) // does not come back
	b1 := chattest.NewUser(t, "r", "b1", reverse...)
	talkers := []*chattest.User{a1, a2, b1}
	for _, u := range append(talkers, ghost) {
		u.WaitWelcome(t, 1)
	}
	waitUntil(t, "b1 sees everyone", func() bool {
		return chattest.SameSet(b1.State().Members, []string{"a1", "a2", "ghost", "b1"})
	})
	const perUser = 40
	wg := chattest.Talk(t, talkers, perUser, b1, perUser)
	// a dies: nothing it held is given back.
	killed := time.Now()
	a.srv.hub.broker.(*natsBroker).abandon()
	a.cancel()
	wg.Wait()

	for _, u := range []*chattest.User{a1, a2} {
		u.WaitWelcome(t, 2)
		if you := u.State().You; you != u.Name {
			t.Errorf("%s rejoined as %q", u.Name, you)
		}
	}
	want := []string{"a1", "a2", "b1"}
	waitUntil(t, "presence converges", func() bool {
		for _, u := range talkers {
			if !chattest.SameSet(u.State().Members, want) {
				return false
			}
		}
		return true
	})
	t.Logf("the ghost left every list %v after its node died (documented bound: 10s)", time.Since(killed).Round(100*time.Millisecond))
	for _, u := range talkers {
		u.WaitAcked(t)
	}
	checkHistoryHasAcked(t, wsBase(b), talkers)
}

func TestClusterNATSRestarts(t *testing.T) {
	ns := natstest.Start(t)
	a, b := startNode(t, ns.URL, 500), startNode(t, ns.URL, 500)
	a1 := chattest.NewUser(t, "r", "a1", wsBase(a), wsBase(b))
	b1 := chattest.NewUser(t, "r", "b1", wsBase(b), wsBase(a))
	users := []*chattest.User{a1, b1}
	for _, u := range users {
		u.WaitWelcome(t, 1)
	}
	const perUser = 60
	wg := chattest.Talk(t, users, perUser, b1, 20)
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
	waitUntil(t, "a message is refused", func() bool { return a1.State().Errors+b1.State().Errors > 0 })
	if err := ns.Restart(); err != nil {
		t.Fatal(err)
	}
	for _, ts := range []*testServer{a, b} {
		waitUntil(t, "the nodes recover", func() bool { code, _ := health(ts); return code == http.StatusOK })
		// The reconnection is counted by a callback that may run a little
		// after the connection is up.
		waitUntil(t, "the reconnection is counted", func() bool { return ts.metric(t, "duplex_broker_reconnects_total") >= 1 })
	}
	wg.Wait()
	for _, u := range users {
		u.WaitAcked(t)
	}
	if a.metric(t, "duplex_broker_publish_errors_total")+b.metric(t, "duplex_broker_publish_errors_total") == 0 {
		t.Error("no publish error counted during the outage")
	}
	// Both users see the same messages in the same order.
	for _, u := range users {
		waitUntil(t, u.Name+" has every message", func() bool { return len(u.State().Messages) >= len(users)*perUser })
	}
	if ma, mb := a1.State().Messages, b1.State().Messages; !slices.Equal(ma, mb) {
		t.Errorf("a1 and b1 disagree: %d and %d messages", len(ma), len(mb))
	}
	checkHistoryHasAcked(t, wsBase(b), users)
}

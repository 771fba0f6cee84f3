// Package chattest is a chat client for tests and benchmarks of duplexd's
// chat, on one node or several: a User joins a room through the native
// wsclient, reconnects through the base URLs it was given in turn (as
// wsclient's ClientOptions.Endpoint allows), sends messages with cids,
// sends again what a connection that ended had not answered and what the
// server refused with an error event (as the app's Retry does), and
// records everything it gets. Nothing here asserts a duration: WaitUntil
// bounds its waits generously and fails only a test that is stuck.
//
// It is a public package, not an internal one, so that the end-to-end tests
// and the benchmarks (outside server/) can use it too; no program links it.
package chattest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/chatproto"
	"github.com/duplexgo/duplex/wsclient"
)

// Wait is the bound of WaitUntil.
const Wait = time.Minute

// WaitUntil polls cond until it holds, failing t after Wait.
func WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(Wait); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// SameSet reports whether a and b hold the same names, in any order.
func SameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// User is a member of a chat room. Its methods are safe for concurrent use.
type User struct {
	// Name is the name it asks for.
	Name string

	t testing.TB
	c *wsclient.Client

	mu       sync.Mutex
	you      string
	welcomes int
	members  []string
	msgs     []chatproto.MessageEvent
	ids      map[uint64]bool
	texts    map[string]string // of each cid sent
	acked    map[string]uint64 // cids the server echoed, with their ids
	errors   int
	history  []chatproto.MessageEvent
}

// NewUser starts a User joining room as name through the base URLs
// (ws://host:port) in turn, one per connection attempt. It is closed when
// the test ends.
func NewUser(t testing.TB, room, name string, bases ...string) *User {
	t.Helper()
	u := &User{Name: name, t: t, ids: map[uint64]bool{}, texts: map[string]string{}, acked: map[string]uint64{}}
	next := 0
	c, err := wsclient.NewClient("", &wsclient.ClientOptions{
		Endpoint: func() (string, []string, error) {
			base := bases[next%len(bases)]
			next++
			return base + chatproto.JoinPath(room, name), nil, nil
		},
		Backoff: wsclient.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond},
		// A message is settled by the echo or the error carrying its cid;
		// what a connection that ended had not settled is sent again on
		// the next, and the server knows it by its cid.
		Key: func(m wsclient.Message) string {
			ev, err := chatproto.DecodeEvent(m.Data)
			if err != nil {
				return ""
			}
			return ev.CID
		},
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

func (u *User) read() {
	for {
		_, data, err := u.c.Read(context.Background())
		if err != nil {
			return
		}
		ev, err := chatproto.DecodeEvent(data)
		if err != nil {
			u.t.Errorf("%s: %v", u.Name, err)
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
				go func() {
					time.Sleep(200 * time.Millisecond)
					u.c.Send(wsclient.Text, chatproto.EncodeClientMessageCID(text, ev.CID))
				}()
			}
		}
		u.mu.Unlock()
	}
}

// addLocked records m unless its id was seen (a welcome after a
// reconnection replays the history).
func (u *User) addLocked(m chatproto.MessageEvent) {
	if u.ids[m.ID] {
		return
	}
	u.ids[m.ID] = true
	u.msgs = append(u.msgs, m)
	if _, mine := u.texts[m.CID]; mine && m.From == u.you && m.CID != "" {
		u.acked[m.CID] = m.ID
	}
}

// Send sends text with a new cid, which it returns.
func (u *User) Send(text string) string {
	u.mu.Lock()
	cid := fmt.Sprintf("%s-%d", u.Name, len(u.texts))
	u.texts[cid] = text
	u.mu.Unlock()
	if err := u.c.Send(wsclient.Text, chatproto.EncodeClientMessageCID(text, cid)); err != nil {
		u.t.Errorf("%s: send: %v", u.Name, err)
	}
	return cid
}

// State is what a User knows.
type State struct {
	You      string                   // the name of its last welcome
	Welcomes int                      // welcomes so far: 1 + reconnections
	Members  []string                 // the member list, kept up to date by joins and leaves
	Messages []chatproto.MessageEvent // in arrival order, each id once
	History  []chatproto.MessageEvent // of the last welcome
	Acked    map[string]uint64        // its cids the server echoed, with their ids
	Unacked  []string                 // its cids sent and not echoed yet, sorted
	Errors   int                      // error events
}

// State returns a copy of what u knows.
func (u *User) State() State {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := State{
		You: u.you, Welcomes: u.welcomes, Members: slices.Clone(u.members), Messages: slices.Clone(u.msgs),
		History: slices.Clone(u.history), Acked: map[string]uint64{}, Errors: u.errors,
	}
	for cid := range u.texts {
		if id, ok := u.acked[cid]; ok {
			s.Acked[cid] = id
		} else {
			s.Unacked = append(s.Unacked, cid)
		}
	}
	slices.Sort(s.Unacked)
	return s
}

// WaitWelcome waits until u has had n welcomes.
func (u *User) WaitWelcome(t testing.TB, n int) {
	t.Helper()
	WaitUntil(t, fmt.Sprintf("%s has %d welcomes", u.Name, n), func() bool { return u.State().Welcomes >= n })
}

// WaitAcked waits until every message u sent is acknowledged.
func (u *User) WaitAcked(t testing.TB) {
	t.Helper()
	WaitUntil(t, u.Name+"'s messages are all acknowledged", func() bool { return len(u.State().Unacked) == 0 })
}

// CheckHistory checks that history holds every message the users were
// told was accepted, once each.
func CheckHistory(t testing.TB, history []chatproto.MessageEvent, users ...*User) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range history {
		seen[m.From+"/"+m.CID]++
	}
	for _, u := range users {
		for cid := range u.State().Acked {
			if n := seen[u.Name+"/"+cid]; n != 1 {
				t.Errorf("%s's acknowledged message %s is %d times in the history", u.Name, cid, n)
			}
		}
	}
}

// Talk has each user send n messages, one every 10 ms, and returns once
// listener has got underWay messages; the WaitGroup tells when all are
// sent.
func Talk(t testing.TB, users []*User, n int, listener *User, underWay int) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for j := range n {
				u.Send(fmt.Sprintf("%s says %d", u.Name, j))
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	WaitUntil(t, "the conversation is under way", func() bool { return len(listener.State().Messages) >= underWay })
	return &wg
}

package server

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

// stubClient is a chat client without a connection: its queue is read
// directly, and kicks are recorded.
type stubClient struct {
	*chatClient
	kicks []string
	codes []websocket.StatusCode
}

func newStub(queue int) *stubClient {
	s := &stubClient{}
	s.chatClient = newChatClient(queue, time.Hour, func(code websocket.StatusCode, reason string) {
		s.kicks = append(s.kicks, reason)
		s.codes = append(s.codes, code)
	})
	s.ip = "192.0.2.1"
	return s
}

// events drains the queued events, as the writer would.
func (s *stubClient) events(t *testing.T) []chatproto.Event {
	t.Helper()
	var out []chatproto.Event
	batch := s.take()
	for _, e := range batch {
		ev, err := chatproto.DecodeEvent(e.json)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	s.done(batch)
	return out
}

// testHub returns a hub with the given room limit and history, and
// defaults for the rest.
func testHub(maxRooms, history int) *hub {
	cfg := Config{ChatMaxRooms: maxRooms, ChatHistory: history}.withDefaults()
	return newHub(cfg.hubConfig())
}

func types(evs []chatproto.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type+":"+ev.From+ev.You)
	}
	return out
}

func TestRoomEvents(t *testing.T) {
	h := testHub(10, 3)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	h.now = func() time.Time { return now }
	a, b := newStub(10), newStub(10)
	r, err := h.join("r", "a", a.chatClient)
	if err != nil {
		t.Fatal(err)
	}
	h.join("r", "b", b.chatClient)
	if got := types(a.events(t)); !slices.Equal(got, []string{"welcome:a", "join:b"}) {
		t.Fatalf("a's events %v", got)
	}
	if got := types(b.events(t)); !slices.Equal(got, []string{"welcome:b"}) {
		t.Fatalf("b's events %v", got)
	}
	for _, text := range []string{"1", "2", "3", "4"} {
		r.post(a.chatClient, text, "")
	}
	evs := b.events(t)
	if len(evs) != 4 || evs[3].ID != 4 || evs[3].Time != "2030-01-02T02:04:05Z" {
		t.Fatalf("messages %+v", evs)
	}
	a.events(t)
	c := newStub(10)
	h.join("r", "", c.chatClient)
	w := c.events(t)[0]
	if len(w.History) != 3 || w.History[0].Text != "2" || w.History[2].ID != 4 {
		t.Fatalf("history %+v", w.History)
	}
	h.leave(r, b.chatClient)
	h.leave(r, b.chatClient) // no-op
	if got := types(a.events(t)); !slices.Equal(got, []string{"join:" + w.You, "leave:b"}) {
		t.Fatalf("a's events %v", got)
	}
	if r.post(b.chatClient, "ghost", "") {
		t.Fatal("a client that left could post")
	}
}

func TestRoomDropsSlowClient(t *testing.T) {
	h := testHub(10, 50)
	fast, slow := newStub(100), newStub(2)
	r, _ := h.join("r", "fast", fast.chatClient)
	h.join("r", "slow", slow.chatClient) // slow's queue: welcome
	r.post(fast.chatClient, "one", "")   // slow's queue: welcome, one
	if len(slow.kicks) != 0 {
		t.Fatal("kicked too early")
	}
	r.post(fast.chatClient, "two", "") // does not fit
	if !slices.Equal(slow.kicks, []string{"too slow"}) {
		t.Fatalf("kicks %v", slow.kicks)
	}
	got := types(fast.events(t))
	if want := []string{"welcome:fast", "join:slow", "message:fast", "message:fast", "leave:slow"}; !slices.Equal(got, want) {
		t.Fatalf("fast's events %v, want %v", got, want)
	}
	// The kicked client gets nothing more, and its own post is ignored.
	r.post(fast.chatClient, "three", "")
	if len(slow.events(t)) != 2 || r.post(slow.chatClient, "late", "") {
		t.Fatal("kicked client still in the room")
	}
}

func TestRoomDropCascade(t *testing.T) {
	// Two clients with full queues: dropping the first sends a leave that
	// the second cannot take either.
	h := testHub(10, 50)
	ok := newStub(100)
	r, _ := h.join("r", "ok", ok.chatClient)
	var slow []*stubClient
	for range 2 {
		s := newStub(1)
		h.join("r", "s", s.chatClient) // the welcome fills the queue
		slow = append(slow, s)
	}
	r.post(ok.chatClient, "boom", "")
	for i, s := range slow {
		if len(s.kicks) != 1 {
			t.Errorf("slow client %d kicks %v", i, s.kicks)
		}
	}
	r.mu.Lock()
	n := len(r.members)
	r.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d members left, want 1", n)
	}
}

func TestUniqueNames(t *testing.T) {
	h := testHub(10, 50)
	names := []string{}
	for _, nick := range []string{"ann", "ann", "ann", "", "", strings.Repeat("x", chatproto.MaxNameRunes), strings.Repeat("x", chatproto.MaxNameRunes)} {
		c := newStub(10)
		h.join("r", nick, c.chatClient)
		names = append(names, c.name)
	}
	want := []string{"ann", "ann-2", "ann-3", "guest-1", "guest-2", strings.Repeat("x", chatproto.MaxNameRunes), strings.Repeat("x", chatproto.MaxNameRunes-2) + "-2"}
	if !slices.Equal(names, want) {
		t.Fatalf("names %q, want %q", names, want)
	}
	// A freed name can be taken again; the same nick in another room is fine.
	r, _ := h.join("other", "ann", newStub(10).chatClient)
	if r.members[0].name != "ann" {
		t.Fatalf("ann in another room: %q", r.members[0].name)
	}
}

func TestRoomEviction(t *testing.T) {
	h := testHub(2, 50)
	t0 := time.Unix(1000, 0)
	now := t0
	h.now = func() time.Time { return now }
	a, b := newStub(10), newStub(10)
	ra, _ := h.join("a", "x", a.chatClient)
	now = now.Add(time.Second)
	rb, _ := h.join("b", "x", b.chatClient)
	if h.admit("c", "192.0.2.1") == nil {
		t.Fatal("a third room admitted while both are in use")
	}
	if _, err := h.join("c", "x", newStub(10).chatClient); err != errTooManyRooms {
		t.Fatalf("join of a third room: %v", err)
	}
	if h.admit("a", "192.0.2.1") != nil {
		t.Fatal("an existing room not admitted")
	}
	now = now.Add(time.Second)
	h.leave(rb, b.chatClient)
	now = now.Add(time.Second)
	h.leave(ra, a.chatClient)
	// Both empty: b was left first, so it goes.
	if h.admit("c", "192.0.2.1") != nil {
		t.Fatal("a third room not admitted with empty rooms")
	}
	if _, err := h.join("c", "x", newStub(10).chatClient); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	_, hasA := h.rooms["a"]
	_, hasB := h.rooms["b"]
	h.mu.Unlock()
	if !hasA || hasB || h.count() != 2 {
		t.Fatalf("after eviction: a=%v b=%v count=%d", hasA, hasB, h.count())
	}
}

func TestParseRoomName(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "lobby",
		"  ":                       "lobby",
		" general ":                "general",
		"café 🎉":                   "café 🎉",
		strings.Repeat("é", 64):    strings.Repeat("é", 64),
		strings.Repeat("r", 65):    "",
		"tab\there":                "",
		"nul\x00":                  "",
		"bad\xff":                  "",
		"zero\u200bwidth":          "",
		"new\nline":                "",
		"with space and-dash_ok.1": "with space and-dash_ok.1",
	} {
		got, err := parseRoomName(in)
		if want == "" {
			if err == nil {
				t.Errorf("parseRoomName(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("parseRoomName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSanitizeNick(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "",
		"  ann  ":                           "ann",
		"a\x00n\tn\n":                       "ann",
		"bad\xffbyte":                       "badbyte",
		"zoë 🎉":                             "zoë 🎉",
		strings.Repeat("é", 40):             strings.Repeat("é", chatproto.MaxNameRunes),
		" \x01 ":                            "",
		"x" + strings.Repeat(" ", 40) + "y": "x",
	} {
		if got := sanitizeNick(in); got != want {
			t.Errorf("sanitizeNick(%q) = %q, want %q", in, got, want)
		}
	}
}

// A member whose name the broker gives back without its leaving (another
// process took its process for dead and purged it) is closed with 1012,
// so that it rejoins; the others see it leave.
func TestRoomMemberLostByTheBroker(t *testing.T) {
	h := testHub(10, 50)
	a, b := newStub(10), newStub(10)
	h.join("r", "a", a.chatClient)
	r, _ := h.join("r", "b", b.chatClient)
	a.events(t)
	h.broker.Release("r", "b", b.token)
	if len(b.codes) != 1 || b.codes[0] != websocket.StatusServiceRestart || b.kicks[0] != reasonLost {
		t.Fatalf("b's kicks: %v %v", b.codes, b.kicks)
	}
	if got := types(a.events(t)); !slices.Equal(got, []string{"leave:b"}) {
		t.Fatalf("a's events %v", got)
	}
	if r.post(b.chatClient, "late", "") {
		t.Fatal("the lost member could still post")
	}
	// Its rejoin gets its name back.
	c := newStub(10)
	h.join("r", "b", c.chatClient)
	if c.name != "b" {
		t.Fatalf("rejoined as %q", c.name)
	}
}

package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/duplexgo/duplex/server/chatproto"
)

func readEvent(t *testing.T, ctx context.Context, c *websocket.Conn) chatproto.Event {
	t.Helper()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading a chat event: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("chat event of type %v", typ)
	}
	ev, err := chatproto.DecodeEvent(b)
	if err != nil {
		t.Fatalf("chat event %q: %v", b, err)
	}
	return ev
}

func sendChat(t *testing.T, ctx context.Context, c *websocket.Conn, text string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, chatproto.EncodeClientMessage(text)); err != nil {
		t.Fatalf("sending %q: %v", text, err)
	}
}

func chatURL(ts *testServer, room, name string) string {
	q := url.Values{}
	if room != "" {
		q.Set("room", room)
	}
	if name != "" {
		q.Set("name", name)
	}
	u := ts.ws("/chat")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// join connects to a room and returns the connection and its welcome.
func join(t *testing.T, ctx context.Context, ts *testServer, room, name string) (*websocket.Conn, chatproto.Event) {
	t.Helper()
	c := dial(t, ctx, chatURL(ts, room, name), nil)
	c.SetReadLimit(1 << 20)
	ev := readEvent(t, ctx, c)
	if ev.Type != chatproto.TypeWelcome {
		t.Fatalf("first event %+v, want welcome", ev)
	}
	return c, ev
}

// expectEvent reads one event and checks its type, sender and text.
func expectEvent(t *testing.T, ctx context.Context, c *websocket.Conn, typ, from, text string) chatproto.Event {
	t.Helper()
	ev := readEvent(t, ctx, c)
	if ev.Type != typ || ev.From != from || (text != "" && ev.Text != text) {
		t.Fatalf("got event %+v, want %s from %q text %q", ev, typ, from, text)
	}
	return ev
}

func TestChatThreeClients(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)

	ann, w := join(t, ctx, ts, "r1", "ann")
	if w.Room != "r1" || w.You != "ann" || !slices.Equal(w.Members, []string{"ann"}) || w.History == nil || len(w.History) != 0 {
		t.Fatalf("ann's welcome: %+v", w)
	}
	bob, w := join(t, ctx, ts, "r1", "bob")
	if w.You != "bob" || !slices.Equal(w.Members, []string{"ann", "bob"}) {
		t.Fatalf("bob's welcome: %+v", w)
	}
	// A join says who, not the whole list.
	if ev := expectEvent(t, ctx, ann, chatproto.TypeJoin, "bob", ""); ev.Members != nil {
		t.Fatalf("join event: %+v", ev)
	}

	sendChat(t, ctx, ann, "hello")
	for _, c := range []*websocket.Conn{ann, bob} { // sender included
		ev := expectEvent(t, ctx, c, chatproto.TypeMessage, "ann", "hello")
		if ev.ID != 1 {
			t.Fatalf("first message id %d", ev.ID)
		}
		ts, err := time.Parse(time.RFC3339, ev.Time)
		if err != nil || !strings.HasSuffix(ev.Time, "Z") || time.Since(ts) > time.Hour || time.Since(ts) < -time.Hour {
			t.Fatalf("message time %q: %v", ev.Time, err)
		}
	}
	sendChat(t, ctx, bob, "hi ann")
	for _, c := range []*websocket.Conn{ann, bob} {
		if ev := expectEvent(t, ctx, c, chatproto.TypeMessage, "bob", "hi ann"); ev.ID != 2 {
			t.Fatalf("second message id %d", ev.ID)
		}
	}

	// A third client asking for a taken name gets a unique one, and the history.
	cat, w := join(t, ctx, ts, "r1", "ann")
	if w.You != "ann-2" || !slices.Equal(w.Members, []string{"ann", "bob", "ann-2"}) {
		t.Fatalf("third welcome: %+v", w)
	}
	if len(w.History) != 2 || w.History[0].Text != "hello" || w.History[1].ID != 2 || w.History[1].From != "bob" {
		t.Fatalf("history: %+v", w.History)
	}
	expectEvent(t, ctx, ann, chatproto.TypeJoin, "ann-2", "")
	expectEvent(t, ctx, bob, chatproto.TypeJoin, "ann-2", "")

	// Bob leaves.
	bob.Close(websocket.StatusNormalClosure, "bye")
	for _, c := range []*websocket.Conn{ann, cat} {
		if ev := expectEvent(t, ctx, c, chatproto.TypeLeave, "bob", ""); ev.Members != nil {
			t.Fatalf("leave event: %+v", ev)
		}
	}
	sendChat(t, ctx, cat, "just us")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann-2", "just us")
	expectEvent(t, ctx, cat, chatproto.TypeMessage, "ann-2", "just us")

	// Another room hears nothing of r1.
	other, w := join(t, ctx, ts, "r2", "ann")
	if w.You != "ann" || len(w.History) != 0 {
		t.Fatalf("other room's welcome: %+v", w)
	}
	sendChat(t, ctx, other, "elsewhere")
	expectEvent(t, ctx, other, chatproto.TypeMessage, "ann", "elsewhere")
	sendChat(t, ctx, ann, "r1 only")
	expectEvent(t, ctx, cat, chatproto.TypeMessage, "ann", "r1 only")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "r1 only")

	ts.logs.waitFor(t, "chat close log", func(r map[string]any) bool {
		return r["msg"] == "websocket close" && r["path"] == "/chat" && r["name"] == "bob" && r["room"] == "r1" && r["code"] == 1000.0
	})
}

func TestChatDefaults(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	_, w1 := join(t, ctx, ts, "", "")
	_, w2 := join(t, ctx, ts, "  ", "  \x01 ")
	if w1.Room != "lobby" || w2.Room != "lobby" {
		t.Fatalf("rooms %q, %q; want lobby", w1.Room, w2.Room)
	}
	if !strings.HasPrefix(w1.You, "guest-") || !strings.HasPrefix(w2.You, "guest-") || w1.You == w2.You {
		t.Fatalf("guest names %q, %q", w1.You, w2.You)
	}
	_, w3 := join(t, ctx, ts, "lobby", strings.Repeat("é", 40))
	if got := []rune(w3.You); len(got) != chatproto.MaxNameRunes {
		t.Fatalf("long name became %q", w3.You)
	}

	// An invalid room name is refused before the upgrade.
	status, body := dialStatus(t, ctx, chatURL(ts, strings.Repeat("r", 65), "x"), nil)
	if status != http.StatusBadRequest || !strings.Contains(body, "room name") {
		t.Fatalf("long room name: %d %q", status, body)
	}
}

func TestChatHistoryLimit(t *testing.T) {
	ts := startServer(t, Config{ChatRate: -1})
	ctx := testCtx(t)
	ann, _ := join(t, ctx, ts, "busy", "ann")
	for i := range 60 {
		sendChat(t, ctx, ann, "m"+string(rune('a'+i%26)))
		expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "")
	}
	_, w := join(t, ctx, ts, "busy", "bob")
	if len(w.History) != DefaultChatHistory {
		t.Fatalf("history of %d messages, want %d", len(w.History), DefaultChatHistory)
	}
	for i, ev := range w.History {
		if ev.ID != uint64(11+i) {
			t.Fatalf("history[%d].id = %d, want %d", i, ev.ID, 11+i)
		}
	}
}

// An empty room keeps its history for the next visitor.
func TestChatHistorySurvivesEmptyRoom(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	ann, _ := join(t, ctx, ts, "quiet", "ann")
	sendChat(t, ctx, ann, "anyone?")
	expectEvent(t, ctx, ann, chatproto.TypeMessage, "ann", "anyone?")
	ann.Close(websocket.StatusNormalClosure, "")
	ts.waitMetric(t, `duplex_connections_open{path="/chat"}`, 0)
	_, w := join(t, ctx, ts, "quiet", "bob")
	if len(w.History) != 1 || w.History[0].Text != "anyone?" || !slices.Equal(w.Members, []string{"bob"}) {
		t.Fatalf("welcome after the room emptied: %+v", w)
	}
}

func TestChatOrigin(t *testing.T) {
	ts := startServer(t, Config{AllowedOrigins: []string{"friend.example", "https://*.partner.example"}})
	ctx := testCtx(t)
	origin := func(o string) *websocket.DialOptions {
		return &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {o}}}
	}
	for _, o := range []string{"null", "http://evil.example", "https://evil.example", "http://friend.example.evil", "http://x.partner.example", "file://"} {
		status, _ := dialStatus(t, ctx, chatURL(ts, "", ""), origin(o))
		if status != http.StatusForbidden {
			t.Errorf("Origin %q: status %d, want 403", o, status)
		}
		ts.logs.waitFor(t, "origin refusal of "+o, func(r map[string]any) bool {
			return r["msg"] == "websocket origin refused" && r["origin"] == o && r["path"] == "/chat" && r["level"] == "WARN"
		})
	}
	for _, o := range []string{"", "http://" + ts.addr, "http://friend.example", "https://friend.example", "https://a.partner.example"} {
		opts := origin(o)
		if o == "" {
			opts = nil
		}
		c := dial(t, ctx, chatURL(ts, "", ""), opts)
		if ev := readEvent(t, ctx, c); ev.Type != chatproto.TypeWelcome {
			t.Errorf("Origin %q: first event %+v", o, ev)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
	if got := ts.metric(t, `duplex_handshakes_rejected_total{reason="origin"}`); got != 6 {
		t.Errorf("origin rejections = %v, want 6", got)
	}
}

// Malformed, empty, over-long or mistyped messages get an error event, and
// none of them reaches the other members.
func TestChatBadInput(t *testing.T) {
	ts := startServer(t, Config{ChatMaxTextBytes: 100})
	ctx := testCtx(t)
	obs, _ := join(t, ctx, ts, "r", "obs")
	bad, _ := join(t, ctx, ts, "r", "bad")
	expectEvent(t, ctx, obs, chatproto.TypeJoin, "bad", "")

	for _, tc := range []struct{ frame, errText string }{
		{`not json`, "malformed"},
		{`{"type":"message","text":""}`, "empty"},
		{`{"type":"message","text":"   "}`, "empty"},
		{`{"type":"message","text":"` + strings.Repeat("x", 101) + `"}`, "too long"},
		{`{"type":"shout","text":"hi"}`, "unknown message type"},
		{`{"type":"message","text":42}`, "malformed"},
		{`["message","hi"]`, "malformed"},
	} {
		if err := bad.Write(ctx, websocket.MessageText, []byte(tc.frame)); err != nil {
			t.Fatal(err)
		}
		if ev := readEvent(t, ctx, bad); ev.Type != chatproto.TypeError || !strings.Contains(ev.Text, tc.errText) {
			t.Fatalf("frame %q: event %+v, want an error about %q", tc.frame, ev, tc.errText)
		}
	}
	// The connection still works, and the observer's next event is the
	// sentinel: none of the bad frames reached it.
	sendChat(t, ctx, bad, strings.Repeat("y", 100))
	expectEvent(t, ctx, bad, chatproto.TypeMessage, "bad", "")
	if ev := readEvent(t, ctx, obs); ev.Type != chatproto.TypeMessage || ev.From != "bad" || ev.ID != 1 {
		t.Fatalf("observer saw %+v before the sentinel", ev)
	}
}

func TestChatInvalidUTF8(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	obs, _ := join(t, ctx, ts, "r", "obs")
	bad, _ := join(t, ctx, ts, "r", "bad")
	expectEvent(t, ctx, obs, chatproto.TypeJoin, "bad", "")
	if err := bad.Write(ctx, websocket.MessageText, []byte("{\"type\":\"message\",\"text\":\"\xff\xfe\"}")); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, bad, websocket.StatusInvalidFramePayloadData)
	// The observer only learns that bad left.
	expectEvent(t, ctx, obs, chatproto.TypeLeave, "bad", "")
	sendChat(t, ctx, obs, "fine")
	expectEvent(t, ctx, obs, chatproto.TypeMessage, "obs", "fine")
}

func TestChatBinaryFrame(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	c, _ := join(t, ctx, ts, "", "")
	if err := c.Write(ctx, websocket.MessageBinary, []byte(`{"type":"message","text":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, c, websocket.StatusUnsupportedData)
}

func TestChatFrameTooBig(t *testing.T) {
	ts := startServer(t, Config{ChatMaxTextBytes: 100})
	ctx := testCtx(t)
	c, _ := join(t, ctx, ts, "", "")
	if err := c.Write(ctx, websocket.MessageText, []byte(strings.Repeat(" ", 2000))); err != nil {
		t.Fatal(err)
	}
	expectClose(t, ctx, c, websocket.StatusMessageTooBig)
}

func TestChatFlood(t *testing.T) {
	ts := startServer(t, Config{}) // 20/s, burst 40, 80 rejections
	ctx := testCtx(t)
	obs, _ := join(t, ctx, ts, "r", "obs")
	flood, _ := join(t, ctx, ts, "r", "flood")
	expectEvent(t, ctx, obs, chatproto.TypeJoin, "flood", "")

	go func() {
		b := chatproto.EncodeClientMessage("spam")
		for range 500 {
			if flood.Write(ctx, websocket.MessageText, b) != nil {
				return
			}
		}
	}()
	var messages, errs int
	for {
		_, b, err := flood.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
				t.Fatalf("flooder's connection ended with %v, want 1008", err)
			}
			break
		}
		ev, _ := chatproto.DecodeEvent(b)
		switch ev.Type {
		case chatproto.TypeMessage:
			messages++
		case chatproto.TypeError:
			errs++
			if !strings.Contains(ev.Text, "rate limit") {
				t.Fatalf("error event %q", ev.Text)
			}
		}
	}
	// The burst went through; then errors, then the close. Tokens refill
	// while the flood is processed, the more so on a loaded machine.
	if messages < DefaultChatBurst || messages > 4*DefaultChatBurst || errs < 1 {
		t.Fatalf("flooder got %d messages and %d errors", messages, errs)
	}
	// The observer got the accepted messages, no errors, then the leave.
	var seen int
	for {
		ev := readEvent(t, ctx, obs)
		if ev.Type == chatproto.TypeLeave && ev.From == "flood" {
			break
		}
		if ev.Type != chatproto.TypeMessage || ev.From != "flood" {
			t.Fatalf("observer got %+v", ev)
		}
		seen++
	}
	if seen != messages {
		t.Fatalf("observer saw %d messages, the flooder %d", seen, messages)
	}
	sendChat(t, ctx, obs, "calm again")
	expectEvent(t, ctx, obs, chatproto.TypeMessage, "obs", "calm again")
	ts.waitMetric(t, `duplex_closes_total{code="1008"}`, 1)
}

// A client that stops reading is dropped with 1008 once its queue fills,
// while the room goes on at full speed.
func TestChatSlowReader(t *testing.T) {
	ts := startServer(t, Config{ChatRate: -1, ChatQueueSize: 16, ChatMaxTextBytes: 64 << 10, PingInterval: time.Hour})
	ctx := testCtx(t)
	slow, _ := join(t, ctx, ts, "r", "slow")
	obs, _ := join(t, ctx, ts, "r", "obs")
	talker, _ := join(t, ctx, ts, "r", "talker")
	expectEvent(t, ctx, obs, chatproto.TypeJoin, "talker", "")

	// The observer reads everything and reports when slow leaves.
	var mu sync.Mutex
	var obsEvents []chatproto.Event
	slowLeft := make(chan struct{})
	obsDone := make(chan struct{})
	go func() {
		defer close(obsDone)
		for {
			_, b, err := obs.Read(ctx)
			if err != nil {
				return
			}
			ev, _ := chatproto.DecodeEvent(b)
			mu.Lock()
			obsEvents = append(obsEvents, ev)
			mu.Unlock()
			if ev.Type == chatproto.TypeLeave && ev.From == "slow" {
				close(slowLeft)
			}
		}
	}()

	// The talker sends big messages in lockstep with its own copy, so that
	// it and the observer never fall behind; slow never reads, so its TCP
	// buffers fill, then its queue.
	text := strings.Repeat("z", 16<<10)
	sent := 0
talk:
	for ; sent < 5000; sent++ {
		select {
		case <-slowLeft:
			break talk
		default:
		}
		sendChat(t, ctx, talker, text)
		for {
			ev := readEvent(t, ctx, talker)
			if ev.Type == chatproto.TypeMessage && ev.From == "talker" {
				break
			}
		}
	}
	select {
	case <-slowLeft:
	case <-time.After(30 * time.Second):
		t.Fatalf("slow reader not dropped after %d messages", sent)
	}

	t.Logf("slow reader dropped after %d messages of %d bytes", sent, len(text))

	// Now slow reads: its buffered events, then the close frame.
	expectClose(t, ctx, slow, websocket.StatusPolicyViolation)

	// The others are fine.
	sendChat(t, ctx, talker, "still talking")
	for {
		// The talker may first see slow's leave.
		if ev := readEvent(t, ctx, talker); ev.Type == chatproto.TypeMessage && ev.Text == "still talking" {
			break
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		last := obsEvents[len(obsEvents)-1]
		mu.Unlock()
		if last.Text == "still talking" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("observer's last event: %s from %s, id %d", last.Type, last.From, last.ID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	obs.Close(websocket.StatusNormalClosure, "")
	<-obsDone
	ts.logs.waitFor(t, "slow close log", func(r map[string]any) bool {
		return r["msg"] == "websocket close" && r["name"] == "slow" && r["code"] == 1008.0 && r["reason"] == "too slow"
	})
}

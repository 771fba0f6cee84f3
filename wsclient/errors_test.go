package wsclient

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCloseErrorMatchesErrClosedAndCarriesTheCode(t *testing.T) {
	err := fmt.Errorf("wsclient: read: %w", &CloseError{Code: 4001, Reason: "bye", WasClean: true})
	if !errors.Is(err, ErrClosed) {
		t.Fatal("a wrapped *CloseError does not match ErrClosed")
	}
	if got := CloseStatus(err); got != 4001 {
		t.Fatalf("CloseStatus = %v", got)
	}
	if got := CloseStatus(errors.New("other")); got != -1 {
		t.Fatalf("CloseStatus(other) = %v, want -1", got)
	}
	if got := CloseStatus(nil); got != -1 {
		t.Fatalf("CloseStatus(nil) = %v, want -1", got)
	}
	want := `wsclient: read: wsclient: closed with 4001 "bye" (clean)`
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestJSErrorMatchesTheSentinelOfItsName(t *testing.T) {
	for name, target := range map[string]error{
		"SyntaxError":        ErrSyntax,
		"InvalidAccessError": ErrInvalidAccess,
		"InvalidStateError":  ErrInvalidState,
	} {
		err := opError("send", &JSError{Name: name, Message: "m"})
		if !errors.Is(err, target) {
			t.Errorf("JSError %s does not match its sentinel", name)
		}
	}
	if errors.Is(&JSError{Name: "TypeError"}, ErrSyntax) {
		t.Error("TypeError matches ErrSyntax")
	}
}

func TestStringers(t *testing.T) {
	for s, want := range map[fmt.Stringer]string{
		Connecting:                    "CONNECTING",
		Open:                          "OPEN",
		Closing:                       "CLOSING",
		Closed:                        "CLOSED",
		State(7):                      "State(7)",
		Text:                          "text",
		Binary:                        "binary",
		MessageType(5):                "MessageType(5)",
		StatusNormalClosure:           "1000 (normal closure)",
		StatusGoingAway:               "1001 (going away)",
		StatusCode(4321):              "4321",
		StatusReceiveOverflow:         "4008 (receive overflow)",
		StatusAbnormalClosure:         "1006 (abnormal closure)",
		StatusMessageTooBig:           "1009 (message too big)",
		StatusPolicyViolation:         "1008 (policy violation)",
		StatusInternalError:           "1011 (internal error)",
		StatusNoStatusRcvd:            "1005 (no status received)",
		StatusServiceRestart:          "1012 (service restart)",
		StatusTryAgainLater:           "1013 (try again later)",
		StatusProtocolError:           "1002 (protocol error)",
		StatusUnsupportedData:         "1003 (unsupported data)",
		StatusTLSHandshake:            "1015 (TLS handshake)",
		StatusBadGateway:              "1014 (bad gateway)",
		StatusMandatoryExtension:      "1010 (mandatory extension)",
		StatusInvalidFramePayloadData: "1007 (invalid frame payload data)",
	} {
		if got := s.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// The js/wasm build formats its errors without fmt (see deps_test.go): the
// messages stay what fmt.Errorf made of them, and every error they wrap
// still matches errors.Is, errors.As and CloseStatus.
func TestErrorMessagesAndWrapping(t *testing.T) {
	check := func(name string, err error, want string, wraps ...error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: nil error, want %q", name, want)
			return
		}
		if err.Error() != want {
			t.Errorf("%s:\n got %q\nwant %q", name, err.Error(), want)
		}
		for _, w := range wraps {
			if !errors.Is(err, w) {
				t.Errorf("%s: %v does not match %v", name, err, w)
			}
		}
	}
	const overflow = "wsclient: receive queue overflow: 1 messages (3 bytes) were waiting to be read; 1 more (5 bytes) were refused"
	c := newCore(Options{MaxPendingMessages: 1, MaxPendingBytes: 100})
	c.deliverMessage(Message{Type: Text, Data: []byte("abc")})
	if c.deliverMessage(Message{Type: Text, Data: []byte("abcde")}) {
		t.Fatal("the message past the bound was accepted")
	}
	check("overflow", c.overflowErrLocked(), overflow, ErrReceiveOverflow)
	check("overflow, before the close", c.endErr("send"), "wsclient: send: "+overflow, ErrReceiveOverflow)
	c.deliverClose(&CloseError{Code: StatusReceiveOverflow, Reason: "receive queue overflow", WasClean: true})
	err := c.endErr("read")
	check("overflow, then the close", err,
		"wsclient: read: "+overflow+` (wsclient: closed with 4008 (receive overflow) "receive queue overflow" (clean))`,
		ErrReceiveOverflow, ErrClosed)
	if CloseStatus(err) != StatusReceiveOverflow {
		t.Errorf("CloseStatus(%v) = %v, want 4008", err, CloseStatus(err))
	}
	local := newCore(Options{})
	local.closing(4000, "bye")
	check("our close", local.endErr("send"), `wsclient: send: wsclient: connection closed: closing with 4000 "bye"`, ErrClosed)
	check("peer's close", newCore(Options{}).endErr("write"),
		"wsclient: write: wsclient: connection closed: the peer started the closing handshake", ErrClosed)

	check("token", validateProtocols([]string{"a b"}), `wsclient: new: SyntaxError: subprotocol "a b" is not a valid token`, ErrSyntax)
	check("twice", validateProtocols([]string{"a", "a"}), `wsclient: new: SyntaxError: subprotocol "a" is listed twice`, ErrSyntax)
	check("close code", validateClose(StatusGoingAway, ""),
		"wsclient: close: InvalidAccessError: close code 1001 (going away) cannot be sent by a client; use 1000 or 3000–4999", ErrInvalidAccess)
	check("reason length", validateClose(StatusNormalClosure, strings.Repeat("a", 124)),
		"wsclient: close: SyntaxError: close reason is 124 bytes; at most 123 are allowed", ErrSyntax)
	check("reason not UTF-8", validateClose(StatusNormalClosure, "\xff"),
		"wsclient: close: SyntaxError: close reason is not valid UTF-8", ErrSyntax, ErrInvalidUTF8)
	check("message type", validateMessage("send", 7, nil),
		"wsclient: send: SyntaxError: message type MessageType(7) is neither Text nor Binary", ErrSyntax)
	check("text", validateMessage("send", Text, []byte{0xff}), "wsclient: send: wsclient: text is not valid UTF-8", ErrInvalidUTF8)

	cl, err := newClient(wsURL("/ws/echo"), &ClientOptions{MaxQueueMessages: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Send(Text, []byte("a")); err != nil {
		t.Fatal(err)
	}
	check("queue full", cl.Send(Text, []byte("bb")),
		"wsclient: send: wsclient: send queue full (1 messages, 1 bytes waiting; limits 1 and 16777216)", ErrQueueFull)
	check("client's reason not UTF-8", cl.Close(4000, "\xc3"),
		"wsclient: close: SyntaxError: close reason is not valid UTF-8", ErrSyntax, ErrInvalidUTF8)
	cl.Close(4000, "bye")
	check("client closed", cl.Send(Text, []byte("a")),
		`wsclient: send: wsclient: connection closed: the client was closed with 4000 "bye"`, ErrClosed)
	boom := errors.New("boom")
	cl, _ = newClient("", &ClientOptions{Endpoint: func() (string, []string, error) { return "", nil, boom }})
	_, _, err = cl.endpoint()
	check("endpoint", err, "wsclient: endpoint: boom", boom)
	if got := Phase(9).String(); got != "Phase(9)" {
		t.Errorf("Phase(9).String() = %q", got)
	}
}

func TestClientGaveUpCarriesTheLastError(t *testing.T) {
	cl, err := NewClient(wsURL("/ws/reject"), &ClientOptions{
		Backoff: Backoff{Min: time.Millisecond, Max: time.Millisecond, MaxAttempts: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-cl.Done():
	case <-testCtx(t).Done():
		t.Fatal("the Client did not give up")
	}
	err = cl.Err()
	want := "wsclient: gave up after 1 attempts: wsclient: dial " + wsURL("/ws/reject") +
		`: wsclient: closed with 1006 (abnormal closure) "" (not clean)`
	if err == nil || err.Error() != want || CloseStatus(err) != StatusAbnormalClosure {
		t.Fatalf("Err() = %v (status %v), want %q", err, CloseStatus(err), want)
	}
}

// quote is strconv.Quote in less code: both agree on every rune, on every
// byte that is not valid UTF-8 alone, and on mixed strings.
func TestQuoteIsStrconvQuote(t *testing.T) {
	check := func(s string) {
		if got, want := quote(s), strconv.Quote(s); got != want {
			t.Fatalf("quote(%q) = %s, want %s", s, got, want)
		}
	}
	step := rune(1)
	if inBrowser {
		step = 101 // the same pure Go code, and every rune takes 9 s there
	}
	for r := rune(0); r <= utf8.MaxRune; r += step {
		check(string(r))
	}
	for b := 0; b < 256; b++ {
		check(string([]byte{byte(b)}))
	}
	for _, s := range []string{"", `say "hi"\n`, "a\x00b\x7f\u00ad\u200b\U0001F600\xc3(\xed\xa0\x80", "ws://example.com/é?x=\t"} {
		check(s)
	}
}

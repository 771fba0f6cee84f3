package wsclient

import (
	"errors"
	"strings"
	"testing"
)

// Invalid input is refused with the standard's error, before any request
// reaches the network.
func TestInvalidInputNeverReachesTheNetwork(t *testing.T) {
	before := handshakes(t)
	for _, tc := range []struct {
		url       string
		protocols []string
		want      error
	}{
		{"", nil, ErrSyntax}, // natively only: in the browser "" is the page (TestEmptyURLIsThePage)
		{"ws://[::1", nil, ErrSyntax},
		{"ftp://" + strings.TrimPrefix(wsURL("/ws/echo"), "ws://"), nil, ErrSyntax},
		{"file:///etc/passwd", nil, ErrSyntax},
		{wsURL("/ws/echo#frag"), nil, ErrSyntax},
		{wsURL("/ws/echo#"), nil, ErrSyntax},
		{wsURL("/ws/echo"), []string{"echo", "echo"}, ErrSyntax},
		{wsURL("/ws/echo"), []string{""}, ErrSyntax},
		{wsURL("/ws/echo"), []string{"two words"}, ErrSyntax},
		{wsURL("/ws/echo"), []string{"a,b"}, ErrSyntax},
		{wsURL("/ws/echo"), []string{"é"}, ErrSyntax},
	} {
		if tc.url == "" && inBrowser {
			continue
		}
		c, err := New(tc.url, &Options{Protocols: tc.protocols})
		if !errors.Is(err, tc.want) || c != nil {
			t.Errorf("New(%q, %q) = %v, %v; want %v", tc.url, tc.protocols, c, err, tc.want)
		}
	}
	// One valid connection, to show the counter works.
	c := dial(t, "/ws/echo", nil)
	c.Close(StatusNormalClosure, "")
	if got := handshakes(t) - before; got != 1 {
		t.Fatalf("%d handshakes reached the server, want only the valid one", got)
	}
}

func TestSendWhileConnectingIsInvalidState(t *testing.T) {
	c, err := New(wsURL("/ws/hang"), nil) // a handshake that never completes
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(StatusNormalClosure, "")
	if err := c.SendText("early"); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("SendText while CONNECTING = %v, want ErrInvalidState", err)
	}
	if err := c.SendBinary([]byte{1}); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("SendBinary while CONNECTING = %v, want ErrInvalidState", err)
	}
}

func TestInvalidUTF8TextIsRefused(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	if err := c.SendText("bad \xff"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("SendText(invalid UTF-8) = %v, want ErrInvalidUTF8", err)
	}
	if err := c.Write(testCtx(t), Text, []byte{0xc3}); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("Write(Text, invalid UTF-8) = %v, want ErrInvalidUTF8", err)
	}
	if err := c.Write(testCtx(t), MessageType(9), nil); err == nil {
		t.Fatal("Write with an unknown message type succeeded")
	}
	// Nothing was sent: the next message echoed is the valid one.
	c.SendText("ok")
	if _, p, err := c.Read(testCtx(t)); err != nil || string(p) != "ok" {
		t.Fatalf("Read = %q, %v; want the valid message only", p, err)
	}
}

func TestInvalidCloseIsRefusedAndKeepsTheConnection(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	for _, tc := range []struct {
		code   StatusCode
		reason string
		want   error
	}{
		{StatusGoingAway, "", ErrInvalidAccess},
		{StatusPolicyViolation, "", ErrInvalidAccess},
		{StatusInternalError, "", ErrInvalidAccess},
		{StatusNoStatusRcvd, "", ErrInvalidAccess},
		{StatusAbnormalClosure, "", ErrInvalidAccess},
		{999, "", ErrInvalidAccess},
		{2999, "", ErrInvalidAccess},
		{5000, "", ErrInvalidAccess},
		{StatusNormalClosure, strings.Repeat("x", 124), ErrSyntax},
		{4000, strings.Repeat("é", 62), ErrSyntax}, // 124 bytes
		{4000, "\xff", ErrSyntax},
	} {
		if err := c.Close(tc.code, tc.reason); !errors.Is(err, tc.want) {
			t.Errorf("Close(%d, %d bytes) = %v, want %v", tc.code, len(tc.reason), err, tc.want)
		}
	}
	// A reason that is not UTF-8 is the reason rule's ErrSyntax, and
	// ErrInvalidUTF8 as for text (the browser would replace the bytes).
	if err := c.Close(4000, "\xff"); !errors.Is(err, ErrSyntax) || !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("Close(4000, invalid UTF-8) = %v, want ErrSyntax and ErrInvalidUTF8", err)
	}
	if got := c.ReadyState(); got != Open {
		t.Fatalf("after refused Close calls ReadyState = %v, want OPEN", got)
	}
	c.SendText("still here")
	if _, p, err := c.Read(testCtx(t)); err != nil || string(p) != "still here" {
		t.Fatalf("Read = %q, %v", p, err)
	}
	// The longest reason allowed goes through.
	reason := strings.Repeat("é", 61) + "x" // 123 bytes
	if err := c.Close(4999, reason); err != nil {
		t.Fatalf("Close(4999, 123 bytes) = %v", err)
	}
	if ce := waitDone(t, c); ce.Code != 4999 || ce.Reason != reason || !ce.WasClean {
		t.Fatalf("close = %+v, want the code and reason echoed cleanly", ce)
	}
}

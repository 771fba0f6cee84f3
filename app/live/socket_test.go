package live

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

// A Feed of a real wsclient.Client: Conn is a nil Socket, not a Socket
// holding a nil *wsclient.Conn, between connections, and the live
// connection otherwise.
func TestDialClientConn(t *testing.T) {
	// Nothing listens on port 1: never connected.
	f, err := DialClient("ws://127.0.0.1:1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if conn := f.Conn(); conn != nil {
		t.Errorf("Conn before any connection = %#v, want nil", conn)
	}
	f.Close(wsclient.StatusNormalClosure, "")

	opened := make(chan struct{}, 1)
	url := "ws" + strings.TrimPrefix(os.Getenv("WSTEST_ORIGIN"), "http") + "/ws/echo"
	f, err = DialClient(url, &wsclient.ClientOptions{
		Options: wsclient.Options{Protocols: []string{"echo"}},
		OnStateChange: func(s wsclient.ClientState) {
			if s.Phase == wsclient.PhaseOpen {
				opened <- struct{}{}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(wsclient.StatusNormalClosure, "")
	select {
	case <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("the client did not open")
	}
	conn := f.Conn()
	if conn == nil || conn.ReadyState() != wsclient.Open || conn.Protocol() != "echo" {
		t.Fatalf("Conn while open = %v", conn)
	}
}

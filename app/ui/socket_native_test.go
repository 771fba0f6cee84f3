//go:build !js

package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient"
	"github.com/duplexgo/duplex/wsclient/wstest"
)

// wsClient hands the pages a nil Socket, not a Socket holding a nil
// *wsclient.Conn, between connections, and the live connection otherwise.
func TestWSClientConn(t *testing.T) {
	mux := http.NewServeMux()
	wstest.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	// Nothing listens on the closed server's port: never connected.
	down := httptest.NewServer(mux)
	down.Close()
	c, err := wsclient.NewClient("ws"+strings.TrimPrefix(down.URL, "http")+"/ws/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if conn := (wsClient{c}).Conn(); conn != nil {
		t.Errorf("Conn before any connection = %#v, want nil", conn)
	}
	c.Close(wsclient.StatusNormalClosure, "")

	opened := make(chan struct{}, 1)
	c, err = wsclient.NewClient(url+"/ws/echo", &wsclient.ClientOptions{
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
	defer c.Close(wsclient.StatusNormalClosure, "")
	select {
	case <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("the client did not open")
	}
	var cs ClientSocket = wsClient{c}
	conn := cs.Conn()
	if conn == nil || conn.ReadyState() != wsclient.Open || conn.Protocol() != "echo" {
		t.Fatalf("Conn while open = %v", conn)
	}
}

//go:build !js

package wsclient

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient/wstest"
)

// inBrowser tells shared tests which build runs them.
const inBrowser = false

// endpoints serves the wstest endpoints on 127.0.0.1 for the native run, as
// the wasmexec runner does for the browser run. It starts in init so that
// WSTEST_ORIGIN is set before the examples' package initializes.
var endpoints *httptest.Server

func init() {
	mux := http.NewServeMux()
	wstest.Register(mux)
	endpoints = httptest.NewServer(mux)
	os.Setenv("WSTEST_ORIGIN", endpoints.URL)
}

func TestMain(m *testing.M) {
	code := m.Run()
	endpoints.Close()
	os.Exit(code)
}

// handshakes returns how many WebSocket handshakes the endpoints have seen.
func handshakes(t *testing.T) int {
	t.Helper()
	return int(wstest.Handshakes())
}

// peerClose returns the close code the /ws/badtext?id= endpoint received
// (see wstest.PeerClose).
func peerClose(t *testing.T, id string) int {
	t.Helper()
	return wstest.PeerClose(id, 30*time.Second)
}

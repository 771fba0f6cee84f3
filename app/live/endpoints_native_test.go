//go:build !js

package live_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/duplexgo/duplex/wsclient/wstest"
)

// endpoints serves wsclient's test endpoints on 127.0.0.1 for the native
// run, as the wasmexec runner does for the browser run.
var endpoints *httptest.Server

func TestMain(m *testing.M) {
	mux := http.NewServeMux()
	wstest.Register(mux)
	endpoints = httptest.NewServer(mux)
	os.Setenv("WSTEST_ORIGIN", endpoints.URL)
	code := m.Run()
	endpoints.Close()
	os.Exit(code)
}

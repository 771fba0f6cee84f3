//go:build js && wasm

package wsclient

import (
	"os"
	"syscall/js"
	"testing"
)

// hostileURL returns the URL of an endpoint through one of the runner's
// hostile proxies (see wstest.HostileProxy and e2e/wasmexec):
// "WSTEST_HOSTILE_STRIP" (WebSocket handshakes get 403),
// "WSTEST_HOSTILE_BUFFER" (responses arrive whole, once ended),
// "WSTEST_HOSTILE_CUT" (requests cut after 3s) or "WSTEST_HOSTILE" (the
// mode hostileMode sets).
func hostileURL(t *testing.T, env, path string) string {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		t.Fatalf("$%s is not set: the runner has no such proxy", env)
	}
	return "ws://" + addr + path
}

// hostileMode sets the mode of the switchable proxy ($WSTEST_HOSTILE) with
// a query such as "strip=502&buffer=1&cut=2s" ("" forwards faithfully);
// the proxy goes back to faithful when the test ends.
func hostileMode(t *testing.T, query string) {
	t.Helper()
	setHostileMode(t, query)
	t.Cleanup(func() { setHostileMode(t, "") })
}

func setHostileMode(t *testing.T, query string) {
	t.Helper()
	resp, err := await(testCtx(t), js.Global().Call("fetch", "/hostile/mode?"+query, map[string]any{"method": "POST"}))
	if err != nil || !resp.Get("ok").Bool() {
		t.Fatalf("hostile proxy mode %q: %v", query, err)
	}
}

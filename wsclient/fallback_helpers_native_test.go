//go:build !js

package wsclient

import (
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient/wstest"
)

// hostileProxies are the native run's hostile proxies in front of the
// endpoints, by the variable the browser run finds each one in (the same
// modes as e2e/wasmexec's).
var hostileProxies struct {
	sync.Mutex
	byEnv map[string]*wstest.HostileProxy
}

// hostile returns the proxy of env, starting it on first use.
func hostile(t *testing.T, env string) *wstest.HostileProxy {
	t.Helper()
	hostileProxies.Lock()
	defer hostileProxies.Unlock()
	if p := hostileProxies.byEnv[env]; p != nil {
		return p
	}
	modes := map[string]wstest.HostileMode{
		"WSTEST_HOSTILE":        {},
		"WSTEST_HOSTILE_STRIP":  {StripUpgrade: 403},
		"WSTEST_HOSTILE_BUFFER": {Buffer: true},
		"WSTEST_HOSTILE_CUT":    {CutAfter: 3 * time.Second},
	}
	mode, ok := modes[env]
	if !ok {
		t.Fatalf("no hostile proxy %s", env)
	}
	p, err := wstest.NewHostileProxy(endpoints.URL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if hostileProxies.byEnv == nil {
		hostileProxies.byEnv = map[string]*wstest.HostileProxy{}
	}
	hostileProxies.byEnv[env] = p
	return p
}

// hostileURL returns the URL of an endpoint through the hostile proxy of
// env (as in the browser run: hostile_js_test.go).
func hostileURL(t *testing.T, env, path string) string {
	t.Helper()
	return "ws://" + hostile(t, env).Addr() + path
}

// hostileMode sets the mode of the switchable proxy with a query such as
// "strip=502&buffer=1&cut=2s", until the test ends.
func hostileMode(t *testing.T, query string) {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	var m wstest.HostileMode
	m.StripUpgrade, _ = strconv.Atoi(q.Get("strip"))
	m.CutAfter, _ = time.ParseDuration(q.Get("cut"))
	m.Buffer = q.Get("buffer") == "1"
	p := hostile(t, "WSTEST_HOSTILE")
	p.SetMode(m)
	t.Cleanup(func() { p.SetMode(wstest.HostileMode{}) })
}

// hostileCuts returns how many requests the switchable proxy has cut.
func hostileCuts(t *testing.T) int { return hostile(t, "WSTEST_HOSTILE").Cuts() }

// fallbackOpens returns how many fallback sessions the endpoints opened.
func fallbackOpens(t *testing.T) int { return int(wstest.FallbackOpens()) }

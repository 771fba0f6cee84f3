//go:build !js

package wsclient

import (
	"net/url"
	"sync"
	"testing"

	"github.com/duplexgo/duplex/wsclient/wstest"
)

var (
	proxyOnce sync.Once
	proxy     *wstest.Proxy
)

// testProxy is a fault-injecting proxy in front of the test endpoints,
// shared by the tests (each resets it when done).
func testProxy(t *testing.T) *wstest.Proxy {
	t.Helper()
	proxyOnce.Do(func() {
		u, _ := url.Parse(endpoints.URL)
		p, err := wstest.NewProxy(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		proxy = p
	})
	t.Cleanup(func() {
		proxy.SetBlackhole(false)
		proxy.SetDown(false)
		proxy.Cut()
	})
	return proxy
}

// proxied returns the URL of an endpoint through the proxy.
func proxied(t *testing.T, path string) string {
	return "ws://" + testProxy(t).Addr() + path
}

func proxyCut(t *testing.T) int            { return testProxy(t).Cut() }
func proxyBlackhole(t *testing.T, on bool) { testProxy(t).SetBlackhole(on) }
func proxyDown(t *testing.T, on bool)      { testProxy(t).SetDown(on) }

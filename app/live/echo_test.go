package live_test

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/wsclient"
)

// mountedEcho runs the example's Echo in the test engine in both builds:
// natively the engine prerenders, as a server does, and calls OnPreRender
// instead of OnMount.
type mountedEcho struct {
	Echo
	ctx app.Context
}

func (c *mountedEcho) OnPreRender(ctx app.Context) { c.OnMount(ctx) }

func (c *mountedEcho) OnMount(ctx app.Context) {
	c.ctx = ctx
	c.Echo.OnMount(ctx)
}

// The example's component on a real connection: CONNECTING, then OPEN, the
// echo of its message, and on dismount the connection closed and no
// goroutine left.
func TestEchoExample(t *testing.T) {
	base, watching := settledGoroutines(), watches()
	e := engine(t)
	c := &mountedEcho{Echo: Echo{URL: echoURL()}}
	mount(t, e, c)
	if c.feed == nil {
		t.Fatalf("not connected: %s", c.last)
	}
	if !strings.Contains(app.HTMLString(c), "CONNECTING") {
		t.Errorf("the first render does not show CONNECTING:\n%s", app.HTMLString(c))
	}
	waitFor(t, e, "OPEN", func() bool { return c.snap.ReadyState == wsclient.Open })
	c.ctx.Dispatch(func(app.Context) { c.feed.Send(wsclient.Text, []byte("hello")) })
	waitFor(t, e, "the echo", func() bool { return c.last == "hello" })
	if html := app.HTMLString(c); !strings.Contains(html, `OPEN · bufferedAmount 0 · last &#34;hello&#34;`) {
		t.Errorf("render:\n%s", html)
	}
	if c.snap.MessagesOut != 1 || c.snap.MessagesIn != 1 || c.snap.BytesIn != 5 {
		t.Errorf("counters: %+v", c.snap)
	}

	feed := c.feed
	mount(t, e, &other{})
	select {
	case <-feed.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the connection did not close on dismount")
	}
	waitWatches(t, watching)
	waitGoroutines(t, base)
}

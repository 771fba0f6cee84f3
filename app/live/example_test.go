package live_test

import (
	"cmp"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// Echo connects to /echo when it is mounted, shows readyState,
// bufferedAmount and the last message received, and sends "hello" when its
// button is clicked.
type Echo struct {
	app.Compo
	URL  string // "/echo" when empty
	feed *live.Feed
	stop func()
	snap live.Snapshot
	last string
}

func (c *Echo) OnMount(ctx app.Context) {
	feed, err := live.Dial(cmp.Or(c.URL, "/echo"), nil)
	if err != nil {
		c.last = err.Error()
		return
	}
	c.feed, c.stop = feed, live.Watch(ctx, feed, func(_ app.Context, s live.Snapshot) {
		c.snap = s
		for _, e := range s.Events {
			if e.Kind == live.EventMessage {
				c.last = string(e.Message.Data)
			}
		}
	})
}

func (c *Echo) OnDismount() {
	if c.feed != nil {
		c.stop()
		c.feed.Close(wsclient.StatusNormalClosure, "")
	}
}

func (c *Echo) Render() app.UI {
	return app.Div().Body(
		app.P().Textf("%v · bufferedAmount %d · last %q", c.snap.ReadyState, c.snap.BufferedAmount, c.last),
		app.Button().Text("Send").Disabled(c.snap.ReadyState != wsclient.Open).
			OnClick(func(app.Context, app.Event) { c.feed.Send(wsclient.Text, []byte("hello")) }),
	)
}

// A component that shows a live connection: Echo, routed and run as any
// go-app component. The connection is opened in the browser only (go-app
// calls OnMount there; the server's prerendering does not), and closed when
// the page goes.
func Example() {
	app.Route("/", func() app.Composer { return &Echo{} })
	app.RunWhenOnBrowser()
}

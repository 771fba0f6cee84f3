package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/duplexgo/duplex/app/live"
	"github.com/duplexgo/duplex/wsclient"
)

// Echo shows a live connection to /echo: readyState, bufferedAmount and the
// last message received, with a button that sends "hello".
type Echo struct {
	app.Compo
	feed *live.Feed
	stop func()
	snap live.Snapshot
	last string
}

func (c *Echo) OnMount(ctx app.Context) {
	feed, err := live.Dial("/echo", nil)
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
		app.P().ID("state").Textf("%v · bufferedAmount %d · last %q", c.snap.ReadyState, c.snap.BufferedAmount, c.last),
		app.Button().ID("send").Text("Send").Disabled(c.snap.ReadyState != wsclient.Open).
			OnClick(func(app.Context, app.Event) { c.feed.Send(wsclient.Text, []byte("hello")) }),
	)
}

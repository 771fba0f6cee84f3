package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// announceEvery is the least time between two things a page says to screen
// readers through its polite live region: what comes meanwhile is summed up
// in the next one.
const announceEvery = time.Second

// throttle runs a page's announcements at most once per announceEvery: at
// once when the last one is old enough, otherwise once, when it is.
type throttle struct {
	last time.Time // when the last announcement was made
	due  bool      // one is scheduled
}

// run calls flush now, or schedules it (once) for when announceEvery has
// passed since the last call; now is the page's clock.
func (t *throttle) run(ctx app.Context, now func() time.Time, flush func()) {
	if t.due {
		return
	}
	wait := announceEvery - now().Sub(t.last)
	if wait <= 0 {
		t.last = now()
		flush()
		return
	}
	t.due = true
	ctx.After(wait, func(app.Context) {
		t.due = false
		t.last = now()
		flush()
	})
}

// consoleNews is what the console has not yet said to screen readers: the
// latest readyState (or client phase) and the count of new log entries.
type consoleNews struct {
	state  string
	events int
	text   string // what the live region says now
}

// announce queues news and lets the throttle say it.
func (c *Console) announce(ctx app.Context, state string, events int) {
	if state != "" {
		c.news.state = state
	}
	c.news.events += events
	c.newsThrottle.run(ctx, c.now, func() {
		n := &c.news
		switch {
		case n.state != "" && n.events > 0:
			n.text = fmt.Sprintf("%s; %d new events in the log", n.state, n.events)
		case n.state != "":
			n.text = n.state
		case n.events == 1:
			n.text = "1 new event in the log"
		case n.events > 1:
			n.text = fmt.Sprintf("%d new events in the log", n.events)
		default:
			return
		}
		n.state, n.events = "", 0
	})
}

// Package live binds a WebSocket connection of package wsclient to a go-app
// v10 component: the component shows the connection's live state and the
// messages it receives, and stays responsive however fast they arrive.
//
// A Feed follows one connection: a plain *wsclient.Conn (Dial) or a
// reconnecting *wsclient.Client (DialClient). It owns the connection's
// callbacks, counts messages and bytes in and out, keeps the events since
// the last update (messages, open, error, close, the Client's state
// changes, undelivered messages) and, while watched, polls what the browser
// exposes without events: bufferedAmount, protocol, extensions, and a
// Client's phase, attempt, next try and counters. A Feed needs no component:
// it can be created before any page exists and outlive the page that shows
// it.
//
// Watch binds a Feed to a mounted component: it hands the component a
// Snapshot through ctx.Dispatch, on the UI goroutine, where the component
// copies what it shows.
//
// # One update per frame
//
// Callbacks run on the connection's goroutines and never touch the
// component. Snapshots are coalesced: at most one is in flight, and the
// next is dispatched only after the previous one has been rendered (the
// gate is reopened from ctx.Defer, which go-app runs after the render), and
// only if something changed. Between frames a goroutine polls the live
// values about every 16 ms while the connection is alive, every 250 ms once
// it has ended and everything is shown. A flood of thousands of messages a second therefore costs
// one render per frame, with every message in the next Snapshot's Events
// (bounded by Dialer.MaxEvents, the oldest dropped and counted), and
// go-app's dispatch queue, which holds 4096 functions and blocks when full,
// never fills.
//
// Every readyState the connection passes through is in one snapshot at
// least, in order, even when the browser moves through several between two
// frames: CONNECTING is always seen before OPEN.
//
// # Lifetime
//
// Call Watch from OnMount (or an event handler) and the stop it returns from
// OnDismount. go-app does not cancel a component's context when it is
// dismounted and tells it only through OnDismount, so a watch does not
// rely on that context: stop ends its goroutine, and no snapshot is
// delivered after stop or once the component is dismounted. The package creates no
// js.Func; wsclient releases a connection's when it closes. Stopping a
// watch leaves the connection open: close it (Feed.Close) when the page
// owns it, or keep the Feed and Watch it again from the next page.
//
// # Testing
//
// Socket and ClientSocket describe what a Feed uses of a connection, so
// components can be tested natively with go-app's test engine and fakes
// given through Dialer.Conn and Dialer.Client, whose callbacks the test
// calls to play the browser's events.
package live

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Page paths. The chat page shares its path with the server's /chat
// WebSocket endpoint: the server tells them apart by the request, handing a
// browser's page load (a plain GET whose Accept header lists text/html) to
// the app and upgrading WebSocket handshakes. ChatAliasPath, "/chat/", shows
// the same page, for links made when the page lived there.
const (
	ConsolePath   = "/"
	ChatPath      = "/chat"
	ChatAliasPath = "/chat/"
)

// Routes registers every page of the app with go-app. Both the wasm program
// and the server call it: the server prerenders routed paths and answers
// 404 for the others. Calling it again is harmless.
//
// In the browser each page is one component for the life of the tab: going
// to the chat and back finds the console as it was left (its connection,
// log, counters and fields), and the chat keeps its membership, lines and
// draft, because a page that is not shown is only unwatched (OnDismount),
// never closed. The server prerenders a new component per request.
func Routes() {
	var console *Console
	var chat *Chat
	app.Route(ConsolePath, func() app.Composer { return keep(&console) })
	app.Route(ChatPath, func() app.Composer { return keep(&chat) })
	app.Route(ChatAliasPath, func() app.Composer { return keep(&chat) })
	// Every other path: go-app tries exact routes first.
	app.RouteWithRegexp("^/", func() app.Composer { return &NotFound{} })
}

// keep returns *page, made on first use, in the browser; on the server, a
// new page every time (concurrent requests must not share one).
func keep[P any](page **P) *P {
	if !app.IsClient {
		return new(P)
	}
	if *page == nil {
		*page = new(P)
	}
	return *page
}

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Page paths. The chat page's link is ChatPath, "/chat/": the server's
// exact "/chat" pattern is the WebSocket endpoint, which answers a plain
// page load with 426, so only "/chat/" reaches the app when the page is
// loaded or reloaded. "/chat" is routed as well, for navigation inside the
// app and for a server that hands plain requests on /chat to the app.
const (
	ConsolePath = "/"
	ChatPath    = "/chat/"
)

// Routes registers every page of the app with go-app. Both the wasm program
// and the server call it: the server prerenders routed paths and answers
// 404 for the others. Calling it again is harmless.
func Routes() {
	app.Route(ConsolePath, func() app.Composer { return &Console{} })
	app.Route(ChatPath, func() app.Composer { return &Chat{} })
	app.Route("/chat", func() app.Composer { return &Chat{} })
}

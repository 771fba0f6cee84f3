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
func Routes() {
	app.Route(ConsolePath, func() app.Composer { return &Console{} })
	app.Route(ChatPath, func() app.Composer { return &Chat{} })
	app.Route(ChatAliasPath, func() app.Composer { return &Chat{} })
}

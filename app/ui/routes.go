package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Routes registers every page of the app with go-app. Both the wasm program
// and the server call it: the server prerenders routed paths and answers
// 404 for the others.
func Routes() {
	app.Route("/", func() app.Composer { return &Console{} })
	app.Route("/chat", func() app.Composer { return &Chat{} })
}

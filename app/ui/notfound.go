package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// NotFound is the app's page for a path it does not have: it says so, names
// the path, and links back to the pages that exist. Routes sends every
// unrouted path to it, so that the browser shows it too when the app
// navigates to a path it does not know; the server answers it with 404
// (package app/serve).
type NotFound struct {
	app.Compo
	path string
}

// OnPreRender keeps the path, for the page the server sends.
func (p *NotFound) OnPreRender(ctx app.Context) { p.path = ctx.Page().URL().Path }

// OnNav keeps the path, in the browser.
func (p *NotFound) OnNav(ctx app.Context) { p.path = ctx.Page().URL().Path }

// Render shows the page.
func (p *NotFound) Render() app.UI {
	return shell("",
		app.Section().Class("card", "not-found").Body(
			app.H1().Text("Page not found"),
			app.P().Body(
				app.Text("There is no page at "),
				app.Code().ID("missing-path").Text(p.path),
				app.Text(" in this app."),
			),
			app.P().Body(
				app.A().ID("back-to-console").Href(ConsolePath).Text("Go to the console"),
				app.Text(" or "),
				app.A().ID("back-to-chat").Href(ChatPath).Text("the chat"),
				app.Text("."),
			),
		),
	)
}

// IsPage reports whether path is one of the app's pages (not its 404 page).
func IsPage(path string) bool {
	switch path {
	case ConsolePath, ChatPath, ChatAliasPath:
		return true
	}
	return false
}

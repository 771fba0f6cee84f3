package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// The pages of the app, for the navigation bar.
var pages = []struct{ path, title string }{
	{ConsolePath, "Console"},
	{ChatPath, "Chat"},
}

// shell is the layout shared by the pages: a top bar with the app's name and
// the navigation, then the page's content.
func shell(active string, content ...app.UI) app.UI {
	return app.Div().Class("shell").Body(
		app.Header().Class("topbar").Body(
			app.A().Class("brand").Href("/").Body(
				app.Img().Src("/web/icon.svg").Aria("hidden", true).Width(28).Height(28),
				app.Span().Text("duplex"),
			),
			app.Nav().Class("nav").Body(
				app.Range(pages).Slice(func(i int) app.UI {
					p := pages[i]
					a := app.A().ID("nav-" + p.title).Href(p.path).Text(p.title)
					if p.path == active {
						a = a.Class("active").Aria("current", "page")
					}
					return a
				}),
			),
			app.Span().Class("tagline").Text("full-duplex WebSockets, in Go, in the browser"),
			themeToggle(),
		),
		app.Main().Class("content").Body(content...),
	)
}

// button renders a button that calls onClick when enabled. Disabled is set
// only when true: go-app would prerender disabled="false", which HTML reads
// as disabled.
func button(id, label string, primary, enabled bool, onClick func(app.Context)) app.HTMLButton {
	b := app.Button().ID(id).Type("button").Text(label).
		OnClick(func(ctx app.Context, e app.Event) { onClick(ctx) })
	if primary {
		b = b.Class("primary")
	}
	if !enabled {
		b = b.Disabled(true)
	}
	return b
}

// lockedIf disables an input when locked (see button for why only then).
func lockedIf(in app.HTMLInput, locked bool) app.HTMLInput {
	if locked {
		return in.Disabled(true)
	}
	return in
}

// clearInput empties an input on screen. Setting its field to "" is not
// enough: go-app v10 drops an empty "value" attribute instead of setting it
// (attributes.Set switches on the value, not on the name), and removing the
// attribute leaves the text the user typed. Natively it does nothing.
func clearInput(id string) {
	app.Window().GetElementByID(id).Set("value", "")
}

// scrolledToEnd reports whether the element with the id is scrolled to its
// end, or nearly: a list that is follows new entries, one that someone
// scrolled up to read is left alone. Natively it reports true.
func scrolledToEnd(id string) bool {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return true
	}
	return el.Get("scrollHeight").Int()-el.Get("scrollTop").Int()-el.Get("clientHeight").Int() < 48
}

// scrollToEnd scrolls the element with the id to its end.
func scrollToEnd(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("scrollTop", el.Get("scrollHeight").Int())
	}
}

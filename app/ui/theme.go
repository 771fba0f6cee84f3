package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// themeKey is where the theme chosen with the toggle is remembered (read
// back by web/theme.js before the page is drawn).
const themeKey = "duplex.theme"

// themeToggle switches between the light and the dark theme and remembers
// the choice. Until the first click the system's preference applies
// (prefers-color-scheme).
func themeToggle() app.UI {
	return app.Button().ID("theme-toggle").Type("button").Class("theme-toggle").
		Title("Switch between the light and the dark theme").
		Aria("label", "Switch between the light and the dark theme").
		Text("◐ Theme").
		OnClick(func(ctx app.Context, e app.Event) {
			next := "dark"
			if shownTheme() == "dark" {
				next = "light"
			}
			app.Window().Get("document").Get("documentElement").Get("dataset").Set("theme", next)
			ctx.LocalStorage().Set(themeKey, next)
		})
}

// shownTheme returns the theme on screen: the one chosen, or the system's.
func shownTheme() string {
	if t := app.Window().Get("document").Get("documentElement").Get("dataset").Get("theme"); t.Truthy() {
		return t.String()
	}
	if app.Window().Call("matchMedia", "(prefers-color-scheme: light)").Get("matches").Bool() {
		return "light"
	}
	return "dark"
}

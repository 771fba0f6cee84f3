//go:build js && wasm

package wsclient

import (
	"syscall/js"
)

var jsURL = js.Global().Get("URL")

// parseURL applies the WebSocket constructor's URL rules with the browser's
// own URL parser (which also keeps net/url out of the wasm binary): relative
// URLs resolve against the page ("", like "  ", is the page's own URL without
// its fragment, as in new WebSocket("")), http and https map to ws and wss,
// any other scheme and any fragment are SyntaxErrors.
func parseURL(raw string) (string, error) {
	const op = "new"
	if hasByte(raw, '#') {
		return "", invalid(op, ErrSyntax, "URL "+quote(raw)+" has a fragment")
	}
	base := js.Undefined()
	if loc := js.Global().Get("location"); loc.Type() == js.TypeObject {
		base = loc.Get("href")
	}
	var u js.Value
	if err := jsCatch(op, func() { u = jsURL.New(raw, base) }); err != nil {
		return "", invalid(op, ErrSyntax, "URL "+quote(raw)+" does not parse")
	}
	switch scheme := u.Get("protocol").String(); scheme {
	case "ws:", "wss:":
	case "http:":
		u.Set("protocol", "ws:")
	case "https:":
		u.Set("protocol", "wss:")
	default:
		return "", invalid(op, ErrSyntax, "URL scheme "+quote(scheme[:len(scheme)-1])+" is not ws, wss, http or https")
	}
	return u.Get("href").String(), nil
}

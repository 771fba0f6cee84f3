//go:build !js

package wsclient

import (
	"net/url"
	"strings"
)

// parseURL applies the WebSocket constructor's URL rules with net/url. A
// native program has no page, so the URL must be absolute: a relative URL,
// "" included (the page's own URL in a browser), is a SyntaxError.
func parseURL(raw string) (string, error) {
	u, err := parseURLBase(raw, nil)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// parseURLBase applies the WebSocket constructor's URL rules: the URL must parse
// (relative URLs resolve against base, the page's URL in a browser), http and
// https map to ws and wss, any other scheme and any fragment are SyntaxErrors.
func parseURLBase(raw string, base *url.URL) (*url.URL, error) {
	const op = "new"
	// The URL parser strips leading and trailing C0 controls and spaces.
	// "" is then a relative URL, which resolves to the page's own URL.
	raw = strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.Contains(raw, "#") {
		return nil, invalid(op, ErrSyntax, "URL "+quote(raw)+" has a fragment")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, invalid(op, ErrSyntax, "URL "+quote(raw)+" does not parse: "+err.Error())
	}
	if !u.IsAbs() {
		if base == nil {
			return nil, invalid(op, ErrSyntax, "relative URL "+quote(raw)+" and no page URL to resolve it against")
		}
		u = base.ResolveReference(u)
		u.Fragment, u.RawFragment = "", ""
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme = "ws"
	case "wss", "https":
		u.Scheme = "wss"
	default:
		return nil, invalid(op, ErrSyntax, "URL scheme "+quote(u.Scheme)+" is not ws, wss, http or https")
	}
	if u.Host == "" {
		return nil, invalid(op, ErrSyntax, "URL "+quote(raw)+" has no host")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

//go:build !(js && wasm)

package ui

import (
	"errors"

	"github.com/duplexgo/duplex/wsclient"
)

// errNoBrowser is returned when a page tries to connect outside the browser,
// for example while the server prerenders it.
var errNoBrowser = errors.New("WebSocket connections are opened in the browser only")

// browserDial is the native stand-in for the browser's WebSocket: the pages
// connect only in the browser. Tests give the components a fake Dialer.
func browserDial(string, *wsclient.Options) (Socket, error) {
	return nil, errNoBrowser
}

// browserDialClient is the native stand-in for wsclient.NewClient; tests
// give the components a fake ClientDialer.
func browserDialClient(string, *wsclient.ClientOptions) (ClientSocket, error) {
	return nil, errNoBrowser
}

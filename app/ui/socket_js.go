//go:build js && wasm

package ui

import "github.com/duplexgo/duplex/wsclient"

// browserDial opens a browser WebSocket through wsclient.
func browserDial(url string, opts *wsclient.Options) (Socket, error) {
	c, err := wsclient.New(url, opts)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

// browserDialClient starts a reconnecting wsclient.Client in the browser.
func browserDialClient(url string, opts *wsclient.ClientOptions) (ClientSocket, error) {
	c, err := wsclient.NewClient(url, opts)
	if err != nil {
		return nil, err
	}
	return wsClient{c}, nil
}

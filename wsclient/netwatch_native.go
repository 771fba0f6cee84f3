//go:build !js

package wsclient

// netWatch reports the browser's network and visibility changes; natively
// there are none and the network counts as online.
type netWatch struct {
	events chan netEvent // never delivers natively
}

func watchNetwork() *netWatch    { return &netWatch{} }
func (w *netWatch) online() bool { return true }
func (w *netWatch) stop()        {}

//go:build js && wasm

package wsclient

import "testing"

// hostileCuts returns how many requests the switchable hostile proxy has
// cut.
func hostileCuts(t *testing.T) int {
	t.Helper()
	var info struct{ Cuts int }
	getJSON(t, "/hostile/info", &info)
	return info.Cuts
}

// fallbackOpens returns how many fallback sessions the runner's endpoints
// opened.
func fallbackOpens(t *testing.T) int {
	t.Helper()
	var hits struct{ Fallbacks int }
	getJSON(t, "/hits", &hits)
	return hits.Fallbacks
}

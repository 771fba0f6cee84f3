//go:build !wasm

package ui

// defaultProbe is nil natively: there is no browser to ask. Tests set
// Console.probe.
var defaultProbe prober

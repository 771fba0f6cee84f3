//go:build js && wasm

package bridge

import _ "embed"

// Wasm is the module's binary (see Module in module.go).
//
//go:embed bridge.wasm
var Wasm []byte

//go:build !js

package bridge

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite bridge.wasm from module.go")

// bridge.wasm, which the browser build embeds, is what module.go defines.
func TestModule(t *testing.T) {
	got := Module()
	if *update {
		if err := os.WriteFile("bridge.wasm", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("bridge.wasm")
	if err != nil {
		t.Fatalf("%v (run: go test ./wsclient/internal/bridge -run TestModule -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("bridge.wasm is stale: run go test ./wsclient/internal/bridge -run TestModule -update")
	}
}

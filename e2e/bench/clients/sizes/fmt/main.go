//go:build js && wasm

// Command fmt is bare plus the fmt package, which nearly every real program
// (and wsclient itself, through fmt.Errorf) links: the second step of the
// payload breakdown.
package main

import (
	"fmt"
	"syscall/js"
)

func main() {
	js.Global().Get("console").Call("log", fmt.Sprintf("hello %d", 1))
	fmt.Println("hello")
}

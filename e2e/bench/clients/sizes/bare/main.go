//go:build js && wasm

// Command bare is the floor of the payload comparison: a Go wasm program
// that only touches syscall/js (it logs one line to the console). Its size is
// the Go runtime's.
package main

import "syscall/js"

func main() {
	js.Global().Get("console").Call("log", "hello")
}

//go:build wasm

package main

func serve() {} // never called: RunWhenOnBrowser does not return in the browser

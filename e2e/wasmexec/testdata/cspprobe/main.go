//go:build js && wasm

// Command cspprobe is a program for wasmexec's own tests. It prints a line
// to standard output and one to standard error, and does what its arguments
// say:
//
//	function  calls the Function constructor, which the page's Content
//	          Security Policy forbids, prints the error and carries on
//	file      writes a temporary file and prints what it reads back (the
//	          page's in-memory file system, which Examples rely on)
//	exit=N    exits with N at the end
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall/js"
)

func main() {
	code := 0
	for _, arg := range os.Args[1:] {
		switch {
		case arg == "function":
			callFunction()
		case arg == "file":
			roundTripFile()
		case strings.HasPrefix(arg, "exit="):
			code, _ = strconv.Atoi(strings.TrimPrefix(arg, "exit="))
		default:
			fmt.Fprintln(os.Stderr, "cspprobe: unknown argument", arg)
			os.Exit(2)
		}
	}
	fmt.Println("cspprobe: to stdout")
	fmt.Fprintln(os.Stderr, "cspprobe: to stderr")
	os.Exit(code)
}

func callFunction() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("cspprobe: the Function constructor failed:", r)
		}
	}()
	f := js.Global().Get("Function").New("return 1")
	fmt.Println("cspprobe: the Function constructor worked:", f.Invoke().Int())
}

func roundTripFile() {
	f, err := os.CreateTemp("", "cspprobe")
	if err == nil {
		_, err = f.WriteString("in memory")
		f.Close()
	}
	var data []byte
	if err == nil {
		data, err = os.ReadFile(f.Name())
	}
	fmt.Printf("cspprobe: file %q %v\n", data, err)
}

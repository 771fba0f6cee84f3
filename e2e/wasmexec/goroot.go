package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// findWasmExecJS returns Go's wasm_exec.js, which must come from the Go that
// built the program: from $GOROOT, else from the GOROOT of the go command
// on $PATH (go test and go run put theirs first), else from the Go that
// built the runner. Go 1.24 and newer keep it in lib/wasm, older ones in
// misc/wasm.
func findWasmExecJS() ([]byte, string, error) {
	var tried []string
	for _, root := range goroots() {
		for _, dir := range []string{"lib/wasm", "misc/wasm"} {
			p := filepath.Join(root, filepath.FromSlash(dir), "wasm_exec.js")
			if b, err := os.ReadFile(p); err == nil {
				return b, p, nil
			}
			tried = append(tried, p)
		}
	}
	if len(tried) == 0 {
		return nil, "", errors.New("no Go installation found for wasm_exec.js: set GOROOT, or put the go command on PATH")
	}
	return nil, "", fmt.Errorf("no wasm_exec.js found (tried %s): set GOROOT to the Go that builds the program, or put its go command on PATH", strings.Join(tried, ", "))
}

// goroots returns the candidate Go roots, most likely first, once each.
func goroots() []string {
	var roots []string
	add := func(r string) {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	add(os.Getenv("GOROOT"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output(); err == nil {
		add(string(out))
	}
	add(runtime.GOROOT())
	return roots
}

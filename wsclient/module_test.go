//go:build !js

package wsclient

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A module that imports only wsclient gets only wsclient: not go-app, not
// chromedp, not the server. A throwaway module in a temporary directory
// (pointed at this checkout by a replace directive) imports wsclient, is
// tidied and built for the browser and natively, and lists what it links
// and what its go.mod requires.
func TestImportingWsclientPullsOnlyWsclient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a temporary module")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/useswsclient\n\ngo 1.26\n\n"+
		"require github.com/duplexgo/duplex v0.0.0\n\n"+
		"replace github.com/duplexgo/duplex => "+repo+"\n")
	write("main.go", `package main

import (
	"context"

	"github.com/duplexgo/duplex/wsclient"
)

func main() {
	c, err := wsclient.Dial(context.Background(), "ws://127.0.0.1:9/echo", nil)
	if err == nil {
		c.Close(wsclient.StatusNormalClosure, "")
	}
}
`)
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	run := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(gocmd, args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v go %s: %v\n%s", env, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run(nil, "mod", "tidy")

	allowed := func(path string) bool {
		for _, prefix := range []string{"example.com/useswsclient", "github.com/duplexgo/duplex/wsclient", "github.com/coder/websocket"} {
			if path == prefix || strings.HasPrefix(path, prefix+"/") {
				return true
			}
		}
		return false
	}
	for _, env := range [][]string{{"GOOS=js", "GOARCH=wasm"}, nil} {
		run(env, "build", "-o", filepath.Join(dir, "out"), ".")
		deps := run(env, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
		t.Logf("%v links: %s", env, strings.Join(strings.Fields(deps), " "))
		for _, p := range strings.Fields(deps) {
			if !allowed(p) {
				t.Errorf("%v: a module importing only wsclient links %s", env, p)
			}
			if strings.HasPrefix(p, "github.com/coder/websocket") && len(env) > 0 {
				t.Errorf("the browser build links %s", p)
			}
		}
	}

	// go.mod requires duplex and, for the native build, coder/websocket:
	// nothing of the app, the server's tools or the browser tests.
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"go-app", "chromedp", "cdproto", "brotli"} {
		if strings.Contains(string(gomod), banned) {
			t.Errorf("go.mod of a module importing only wsclient requires %s:\n%s", banned, gomod)
		}
	}
}

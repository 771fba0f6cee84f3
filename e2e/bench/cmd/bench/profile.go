package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/bench/internal/browser"
	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// cmdProfile runs one client's browser workloads under V8's profiler and
// prints where the time goes; the raw profile is written for DevTools.
func cmdProfile(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ExitOnError)
	client := fs.String("client", "wsclient", "client name ("+clientNames()+")")
	binDir := fs.String("bin", "bin/bench", "directory of benchserver and the wasm programs")
	set := fs.String("set", "", "workload parameters to change, e.g. big_n=0,flood_n=1")
	top := fs.Int("top", 30, "functions to list")
	fs.Parse(args)

	cs, err := pickClients(*client)
	if err != nil {
		return err
	}
	c := cs[0]
	params, err := setParams(browser.DefaultParams, *set)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	srv, err := startBenchServer(ctx, runConfig{binDir: *binDir, webDir: "web"})
	if err != nil {
		return err
	}
	defer srv.Stop()
	allocCtx, cancelAlloc, err := chrome.NewAllocator(ctx)
	if err != nil {
		return err
	}
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	raw, funcs, err := browser.Profile(browserCtx, "http://"+srv.Addr, params, c)
	if err != nil {
		return err
	}
	out := filepath.Join(*binDir, *client+".cpuprofile")
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		return err
	}
	fmt.Print(browser.FormatProfile(funcs, *top))
	fmt.Printf("\nraw profile: %s\n", out)
	return nil
}

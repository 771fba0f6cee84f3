package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/bench/internal/browser"
	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// cmdProfile runs one client's browser workloads under V8's profiler and
// prints where the time goes; the raw profile is written for DevTools.
func cmdProfile(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ExitOnError)
	client := fs.String("client", "wsclient", "client name (jsnative, wsclient, wsclient-write, coder)")
	binDir := fs.String("bin", "bin/bench", "directory of benchserver and the wasm programs")
	set := fs.String("set", "", "workload parameters to change, e.g. big_n=0,flood_n=1")
	top := fs.Int("top", 30, "functions to list")
	fs.Parse(args)

	var c *browser.Client
	for i := range browser.Clients {
		if browser.Clients[i].Name == *client {
			c = &browser.Clients[i]
		}
	}
	if c == nil {
		return fmt.Errorf("unknown client %q", *client)
	}
	params := map[string]int{}
	for k, v := range browser.DefaultParams {
		params[k] = v
	}
	for kv := range strings.SplitSeq(*set, ",") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if _, known := params[k]; !known || err != nil {
			return fmt.Errorf("-set %q: unknown parameter or bad number", kv)
		}
		params[k] = n
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

	raw, funcs, err := browser.Profile(browserCtx, "http://"+srv.Addr, params, *c)
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

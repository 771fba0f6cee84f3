// Package chrome starts the headless Chromium that duplex's browser tests
// drive, with the flags this machine needs.
package chrome

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// names are the browser's usual names on $PATH, tried after DefaultPath.
var names = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"}

// Path returns the browser to run: $CHROME when set, else DefaultPath, else
// the first of the usual names found on $PATH. The error says how to get one.
func Path() (string, error) {
	const how = "set CHROME=/path/to/chrome or install chromium (apt-get install chromium)"
	if p := os.Getenv("CHROME"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("no Chromium found: CHROME=%s is not an executable file: %s", p, how)
		}
		return p, nil
	}
	for _, p := range append([]string{DefaultPath}, names...) {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: %s", how)
}

// NewAllocator returns a context whose chromedp browsers are headless
// Chromium processes, each with a fresh profile; extra options come last
// (chromedp.VisibleWindow shows the window). Running as root needs
// --no-sandbox; the other flags stop the browser reaching for the network on
// its own (this machine has none) and keep timers unthrottled in background
// tabs.
func NewAllocator(parent context.Context, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc, error) {
	path, err := Path()
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewExecAllocator(parent, append(opts, extra...)...)
	return ctx, cancel, nil
}

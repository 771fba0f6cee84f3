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

// Path returns the browser to run: $CHROME when set, else DefaultPath.
func Path() (string, error) {
	p := os.Getenv("CHROME")
	if p == "" {
		p = DefaultPath
	}
	if _, err := exec.LookPath(p); err != nil {
		return "", fmt.Errorf("no Chromium at %s (set CHROME, or run `make chromium`): %w", p, err)
	}
	return p, nil
}

// NewAllocator returns a context whose chromedp browsers are headless
// Chromium processes, each with a fresh profile. Running as root needs
// --no-sandbox; the other flags stop the browser reaching for the network on
// its own (this machine has none) and keep timers unthrottled in background
// tabs.
func NewAllocator(parent context.Context) (context.Context, context.CancelFunc, error) {
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
	ctx, cancel := chromedp.NewExecAllocator(parent, opts...)
	return ctx, cancel, nil
}

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tutorialPage is a stand-in for the classic jQuery WebSocket tutorial's
// client: a page opened from a file that connects to
// ws://localhost:PORT/socket/server/startDaemon.php.
const tutorialPage = "testdata/tutorial/index.html"

// The tutorial's page, opened from a file:// URL (Origin null), talks to
// duplexd -route /socket/server/startDaemon.php=/echo: typed text sent with
// the Enter key comes back. Without the route, the page's handshake gets a
// 404 (the page shows the socket closed) and duplexd logs a warning with
// the path and the origin.
func TestTutorialPage(t *testing.T) {
	page, err := filepath.Abs(tutorialPage)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("route", func(t *testing.T) {
		srv, err := startServer("-route", "/socket/server/startDaemon.php=/echo")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.stop()
		ctx := openTutorial(t, page, srv)
		waitLog(t, ctx, "Socket Status: 1 (open)")

		const text = "hello from the tutorial"
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("text"), text+kb.Enter)); err != nil {
			t.Fatalf("typing into #text: %v", err)
		}
		waitLog(t, ctx, "Sent: "+text)
		waitLog(t, ctx, "Received: "+text)
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("text").value`)); err != nil || v != "" {
			t.Errorf("the text box holds %q after sending (%v)", v, err)
		}
		waitLogLine(t, srv, `msg="websocket open"`, "path=/echo")
	})

	t.Run("no route", func(t *testing.T) {
		srv, err := startServer()
		if err != nil {
			t.Fatal(err)
		}
		defer srv.stop()
		ctx := openTutorial(t, page, srv)
		waitLog(t, ctx, "Socket Status: 3 (Closed)")
		waitLogLine(t, srv, `msg="websocket handshake on a path with no endpoint"`,
			"path=/socket/server/startDaemon.php", "origin=null", "level=WARN")
	})
}

// openTutorial opens the page from its file with srv's port in the query.
func openTutorial(t *testing.T, page string, srv *server) context.Context {
	t.Helper()
	_, port, err := net.SplitHostPort(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", Path: page, RawQuery: "port=" + port}
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, loadTimeout)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open %s: %v", u.String(), err)
	}
	return ctx
}

// waitLog waits until the page's #chatLog has a line equal to line.
func waitLog(t *testing.T, ctx context.Context, line string) {
	t.Helper()
	expr := fmt.Sprintf(`[...document.querySelectorAll("#chatLog p")].some(p => p.textContent === %q)`, line)
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitTimeout))); err != nil {
		log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("chatLog").innerText`))
		t.Fatalf("waiting for %q in the page's log: %v\nthe log:\n%s", line, err, log)
	}
}

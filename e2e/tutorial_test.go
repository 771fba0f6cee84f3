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

	// The same page as a chat client, in the plain-text mode of /chat: the
	// route sets the mode and the room, -origins null admits pages opened
	// from files; two copies of the page, named by the server, talk.
	t.Run("chat", func(t *testing.T) {
		srv, err := startServer("-route", "/socket/server/startDaemon.php=/chat?format=text&room=tutorial", "-origins", "null")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.stop()
		ann := openTutorial(t, page, srv)
		waitLog(t, ann, "Socket Status: 1 (open)")
		waitLogPrefix(t, ann, "Received: * you joined tutorial as guest-")
		bob := openTutorial(t, page, srv)
		waitLog(t, bob, "Socket Status: 1 (open)")
		waitLogPrefix(t, ann, "Received: * guest-") // bob joined
		if err := chromedp.Do(bob, chromedp.SendKeys(chromedp.ID("text"), "hi from a tutorial page"+kb.Enter)); err != nil {
			t.Fatalf("typing into #text: %v", err)
		}
		waitLogSuffix(t, ann, ": hi from a tutorial page")
		waitLogLine(t, srv, `msg="websocket open"`, "path=/chat", "room=tutorial")
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
	waitLogWhere(t, ctx, line, fmt.Sprintf(`p.textContent === %q`, line))
}

// waitLogPrefix waits for a line of #chatLog that starts with prefix.
func waitLogPrefix(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	waitLogWhere(t, ctx, prefix+"…", fmt.Sprintf(`p.textContent.startsWith(%q)`, prefix))
}

// waitLogSuffix waits for a line of #chatLog that ends with suffix.
func waitLogSuffix(t *testing.T, ctx context.Context, suffix string) {
	t.Helper()
	waitLogWhere(t, ctx, "…"+suffix, fmt.Sprintf(`p.textContent.endsWith(%q)`, suffix))
}

// waitLogWhere waits for a line p of #chatLog for which cond holds.
func waitLogWhere(t *testing.T, ctx context.Context, line, cond string) {
	t.Helper()
	expr := `[...document.querySelectorAll("#chatLog p")].some(p => ` + cond + `)`
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitTimeout))); err != nil {
		log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("chatLog").innerText`))
		t.Fatalf("waiting for %q in the page's log: %v\nthe log:\n%s", line, err, log)
	}
}

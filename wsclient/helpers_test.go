package wsclient

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// wsURL is the URL of one of the runner's test endpoints (package wstest; WSTEST_ORIGIN is set by the
// wasmexec runner in the browser and by TestMain natively), e.g. wsURL("/ws/echo").
func wsURL(path string) string {
	origin := os.Getenv("WSTEST_ORIGIN")
	return "ws" + strings.TrimPrefix(origin, "http") + path
}

// testCtx bounds a test generously: a loaded machine is slow, never wrong.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial opens a connection or fails the test, and closes it at the end.
func dial(t *testing.T, path string, opts *Options) *Conn {
	t.Helper()
	return dialURL(t, wsURL(path), opts)
}

// dialURL is dial for a whole URL.
func dialURL(t *testing.T, url string, opts *Options) *Conn {
	t.Helper()
	c, err := Dial(testCtx(t), url, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(StatusNormalClosure, "") })
	return c
}

// waitDone waits for the connection to end and returns how.
func waitDone(t *testing.T, c *Conn) *CloseError {
	t.Helper()
	select {
	case <-c.Done():
	case <-testCtx(t).Done():
		t.Fatal("connection did not end")
	}
	var ce *CloseError
	if !errors.As(c.Err(), &ce) {
		t.Fatalf("Err() = %v, want a *CloseError", c.Err())
	}
	return ce
}

// testCtxWithin is a shorter context inside parent.
func testCtxWithin(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, d)
}

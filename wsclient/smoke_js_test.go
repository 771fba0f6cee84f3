//go:build js && wasm

package wsclient

import "testing"

func TestSmokeEcho(t *testing.T) {
	c := dial(t, "/ws/echo", nil)
	if err := c.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	typ, p, err := c.Read(testCtx(t))
	if err != nil || typ != Text || string(p) != "hello" {
		t.Fatalf("Read = %v %q %v", typ, p, err)
	}
}

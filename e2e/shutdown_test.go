package e2e

import (
	"testing"
	"time"
)

// TestServerShutdown stops a server of its own with SIGTERM while a console
// and a chat are connected: the console (a plain WebSocket) shows CLOSED
// with 1001; the chat shows 1001 and keeps trying to reconnect.
func TestServerShutdown(t *testing.T) {
	srv, err := startServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)

	console := openTab(t, srv, "/")
	console.connect("")
	chat := openTab(t, srv, "/chat")
	chat.join("shutdown", "sam")

	if err := srv.terminate(); err != nil {
		t.Fatal(err)
	}
	console.wait(`document.getElementById("state").textContent.trim() === "CLOSED"`, "the console to show CLOSED")
	console.wait(`document.querySelectorAll('#log .entry[data-kind="close"][data-code="1001"]').length === 1`, "the close entry with 1001")
	chat.wait(`document.getElementById("chat-state").textContent.trim().startsWith("reconnecting (attempt ")`, "the chat to show it is reconnecting")
	chat.wait(`document.getElementById("chat-error").textContent.includes("1001")`, "the chat to show 1001")
	if err := srv.wait(30 * time.Second); err != nil {
		t.Errorf("duplexd after SIGTERM: %v\n%s", err, srv.log)
	}
}

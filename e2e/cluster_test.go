package e2e

import (
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/natstest"
)

// TestChatAcrossTwoNodes: two duplexd share their rooms through a
// nats-server. Two browsers, each on its own node, chat; one node restarts
// in between, its member comes back by itself, and both see every message,
// the history and each other.
func TestChatAcrossTwoNodes(t *testing.T) {
	ns := natstest.Start(t)
	start := func(addr string) *server {
		var srv *server
		var err error
		if addr == "" {
			srv, err = startServer("-nats", ns.URL)
		} else {
			srv, err = startServerAt(addr, "-nats", ns.URL)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.stop)
		return srv
	}
	nodeA, nodeB := start(""), start("")

	ann := openTab(t, nodeA, "/chat")
	ann.join("cluster", "ann")
	bob := openTab(t, nodeB, "/chat")
	bob.join("cluster", "bob")
	ann.waitMembers("ann", "bob")
	bob.waitMembers("ann", "bob")

	bob.say("hello from node B")
	ann.waitMessage("bob", "hello from node B")
	ann.say("and from node A ✓")
	bob.waitMessage("ann", "and from node A ✓")

	// Node A restarts: ann is reconnecting meanwhile, bob sees her leave and
	// talks on; once A is back, ann rejoins as ann and gets what she missed.
	if err := nodeA.terminate(); err != nil {
		t.Fatal(err)
	}
	if err := nodeA.wait(30 * time.Second); err != nil {
		t.Fatalf("duplexd after SIGTERM: %v\n%s", err, nodeA.log)
	}
	ann.wait(`document.getElementById("chat-state").textContent.trim().startsWith("reconnecting (attempt ")`, "ann's chat to be reconnecting")
	bob.waitMembers("bob")
	bob.say("while node A is down")
	start(nodeA.addr)

	ann.wait(`document.getElementById("chat-state").textContent.trim() === "OPEN"`, "ann's chat to be OPEN again")
	ann.wait(`document.getElementById("chat-where").textContent.includes("in cluster as ann")`, "ann to rejoin as ann")
	ann.waitMessage("bob", "while node A is down")
	// The list is in order of joining: bob stayed, ann came back.
	ann.waitMembers("bob", "ann")
	bob.waitMembers("bob", "ann")
	ann.say("back on node A")
	bob.waitMessage("ann", "back on node A")

	// Both show the same messages in the same order.
	order := `JSON.stringify([...document.querySelectorAll('#messages .msg')].map(e => e.dataset.from + ":" + e.querySelector(".text").textContent))`
	ann.wait(`[...document.querySelectorAll('#messages .msg')].length === 4`, "four messages on ann's page")
	bob.wait(`[...document.querySelectorAll('#messages .msg')].length === 4`, "four messages on bob's page")
	if a, b := eval[string](ann, order), eval[string](bob, order); a != b {
		t.Errorf("the pages show different conversations:\nann: %s\nbob: %s", a, b)
	}
}

package main

import (
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server/chattest"
	"github.com/duplexgo/duplex/server/natstest"
)

// startDuplexd runs this test binary as duplexd with args, waits until
// its /healthz answers 200, and returns its base URL (ws://host:port) and
// its process. It is stopped with SIGTERM when the test ends, unless it
// was killed before.
func startDuplexd(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-addr", "127.0.0.1:0", "-log-format", "json", "-web", t.TempDir()}, args...)...)
	cmd.Env = append(os.Environ(), "DUPLEXD_TEST_MAIN=1")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Errorf("duplexd did not stop; output:\n%s", out.String())
		}
		if t.Failed() {
			t.Logf("duplexd %v output:\n%s", args, out.String())
		}
	})
	addr := listenAddr(t, out.String)
	chattest.WaitUntil(t, "duplexd is healthy", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return "ws://" + addr, cmd
}

// Two duplexd processes on one nats-server; one is killed with SIGKILL in
// the middle of a conversation. Its clients reconnect to the other and
// rejoin with their names; nothing they were told was accepted is lost;
// its member that does not come back leaves every list.
func TestNATSNodeKilled(t *testing.T) {
	ns := natstest.Start(t)
	args := []string{"-nats", ns.URL, "-chat-rate", "-1", "-chat-history", "500"}
	a, procA := startDuplexd(t, args...)
	b, _ := startDuplexd(t, args...)
	a1, a2 := chattest.NewUser(t, "r", "a1", a, b), chattest.NewUser(t, "r", "a2", a, b)
	ghost := chattest.NewUser(t, "r", "ghost", a)
	b1 := chattest.NewUser(t, "r", "b1", b, a)
	talkers := []*chattest.User{a1, a2, b1}
	for _, u := range append(talkers, ghost) {
		u.WaitWelcome(t, 1)
	}
	chattest.WaitUntil(t, "b1 sees everyone", func() bool {
		return chattest.SameSet(b1.State().Members, []string{"a1", "a2", "ghost", "b1"})
	})
	wg := chattest.Talk(t, talkers, 40, b1, 40)
	killed := time.Now()
	if err := procA.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, u := range []*chattest.User{a1, a2} {
		u.WaitWelcome(t, 2)
		if you := u.State().You; you != u.Name {
			t.Errorf("%s rejoined as %q", u.Name, you)
		}
	}
	chattest.WaitUntil(t, "presence converges", func() bool {
		for _, u := range talkers {
			if !chattest.SameSet(u.State().Members, []string{"a1", "a2", "b1"}) {
				return false
			}
		}
		return true
	})
	t.Logf("the ghost left every list %v after SIGKILL (documented bound: 10s)", time.Since(killed).Round(100*time.Millisecond))
	for _, u := range talkers {
		u.WaitAcked(t)
	}
	late := chattest.NewUser(t, "r", "late", b)
	late.WaitWelcome(t, 1)
	chattest.CheckHistory(t, late.State().History, talkers...)
}

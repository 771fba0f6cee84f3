package load

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/server"
)

// startServer runs duplex's server on 127.0.0.1 for the test.
func startServer(t *testing.T) string {
	return startServerConfig(t, server.Config{})
}

// startServerConfig runs duplex's server with cfg (its logger and web
// directory set here) on 127.0.0.1 for the test.
func startServerConfig(t *testing.T, cfg server.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.WebDir = t.TempDir()
	s := server.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "ws://" + ln.Addr().String() + "/echo"
}

// TestSmoke runs the load generator briefly against the real server: a few
// idle connections, then a short echo run. Nothing about speed is asserted.
func TestSmoke(t *testing.T) {
	url := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	pool, err := OpenIdle(ctx, IdleConfig{URL: url, N: 20, Concurrency: 4, Sources: SourceIPs(2)})
	if err != nil {
		t.Fatal(err)
	}
	if pool.Len() != 20 {
		t.Errorf("pool holds %d connections, want 20", pool.Len())
	}
	pool.Close()

	res, err := Echo(ctx, EchoConfig{URL: url, Clients: 4, Duration: 300 * time.Millisecond, MsgSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages == 0 || res.Rate <= 0 || res.Clients != 4 {
		t.Errorf("echo result %+v: no messages", res)
	}
}

func TestReadLargeFragmentedEcho(t *testing.T) {
	url := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, &net.Dialer{}, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server echoes a message over 64 KiB in several frames.
	msg := []byte(strings.Repeat("z", 200_000))
	if err := c.Write(2, msg); err != nil {
		t.Fatal(err)
	}
	op, p, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	if op != 2 || string(p) != string(msg) {
		t.Fatalf("echo: op %d, %d bytes", op, len(p))
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, u := range []string{"ws://192.0.2.1:80/echo", "ws://example.com/echo", "wss://127.0.0.1/echo"} {
		if _, err := Dial(context.Background(), &net.Dialer{}, u); err == nil {
			t.Errorf("Dial(%q) succeeded", u)
		}
	}
}

func TestChat(t *testing.T) {
	url := strings.Replace(startServer(t), "/echo", "/chat", 1)
	r, err := Chat(t.Context(), ChatConfig{URL: url, Room: "big", Members: 30, Senders: 3, Rate: 30, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent < 10 || r.Delivered != r.Expected || r.Expected != r.Sent*30 || r.Dropped != 0 || !(r.P99Ms >= r.P50Ms) || r.FillSeconds <= 0 {
		t.Fatalf("result %+v", r)
	}
	if _, err := Chat(t.Context(), ChatConfig{URL: url, Members: 2, Senders: 3, Rate: 1, Duration: time.Second}); err == nil {
		t.Fatal("more senders than members accepted")
	}
}

// Idle connections that answer pings are pinged, answer, and stay open.
func TestAnswerPings(t *testing.T) {
	url := startServerConfig(t, server.Config{PingInterval: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := OpenIdle(ctx, IdleConfig{URL: url, N: 5, AnswerPings: true})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	pool.Close()
	if pool.Pings() == 0 {
		t.Error("no ping answered")
	}
}

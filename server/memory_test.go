package server

import (
	"log/slog"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The releaser gives memory back when the open connections have fallen to
// half their peak or less, by releaseMinDrop or more, and remembers a peak
// that came and went between two checks.
func TestMemoryReleaserDecides(t *testing.T) {
	var peak, now int
	freed := 0
	m := newMemoryReleaser(func() (int, int) { return peak, now }, slog.New(slog.DiscardHandler))
	m.free = func() { freed++ }
	for i, step := range []struct {
		peak, now int
		release   bool
	}{
		{0, 0, false},
		{15000, 15000, false},
		{15000, 9000, false}, // not yet half
		{9000, 7600, false},  // the peak is still 15000: 7600 > 7500
		{7600, 7500, true},   // half of 15000
		{7500, 7000, false},  // the peak is now 7500
		{7000, 3749, true},
		{3749, 3749, false},
		{4000, 3500, false}, // a drop of 500 from 4000, but not to half
		{4000, 0, true},     // a spike entirely between two checks
		{499, 0, false},     // too few connections to be worth it
		{0, 0, false},
		{600, 0, true},
	} {
		peak, now = step.peak, step.now
		before := freed
		if got := m.check(); got != step.release || freed != before+btoi(step.release) {
			t.Errorf("step %d (peak %d, now %d): check = %v (freed %d times), want %v", i, step.peak, step.now, got, freed-before, step.release)
		}
	}
	if got := m.releases.Load(); got != 4 {
		t.Errorf("releases = %d, want 4", got)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// start runs the checks until halt, which waits for them to stop; halt
// before start, or a non-positive interval, starts nothing.
func TestMemoryReleaserLifecycle(t *testing.T) {
	calls := make(chan struct{}, 100)
	m := newMemoryReleaser(func() (int, int) {
		select {
		case calls <- struct{}{}:
		default:
		}
		return 0, 0
	}, slog.New(slog.DiscardHandler))
	m.start(-1)
	m.start(time.Millisecond)
	m.start(time.Millisecond) // a second start is a no-op
	for range 3 {
		select {
		case <-calls:
		case <-time.After(time.Minute):
			t.Fatal("no check within a minute")
		}
	}
	m.halt()
	for len(calls) > 0 {
		<-calls
	}
	time.Sleep(20 * time.Millisecond)
	if len(calls) != 0 {
		t.Error("checks went on after halt")
	}
	m.halt() // a second halt is a no-op

	h := newMemoryReleaser(func() (int, int) { t.Error("checked after halt"); return 0, 0 }, slog.New(slog.DiscardHandler))
	h.halt()
	h.start(time.Millisecond)
	time.Sleep(20 * time.Millisecond)
}

// A running server gives memory back after its connections close: the
// release counts in duplex_memory_releases_total and is logged.
func TestServerReleasesMemory(t *testing.T) {
	old := releaseMinDrop
	t.Cleanup(func() { releaseMinDrop = old })
	releaseMinDrop = 3 // read once, by New
	ctx := testCtx(t)
	ts := startServer(t, Config{FreeMemoryInterval: 20 * time.Millisecond})
	var conns []*websocket.Conn
	for range 4 {
		c := dial(t, ctx, ts.ws("/echo"), nil)
		echoOnce(t, ctx, c, "x")
		conns = append(conns, c)
	}
	ts.waitMetric(t, `duplex_connections_open{path="/echo"}`, 4)
	if got := ts.metric(t, "duplex_memory_releases_total"); got != 0 {
		t.Fatalf("memory released with every connection open: %v", got)
	}
	for _, c := range conns {
		c.Close(websocket.StatusNormalClosure, "")
	}
	ts.waitMetric(t, "duplex_memory_releases_total", 1)
	rec := ts.logs.waitFor(t, "of the release", func(r map[string]any) bool {
		return r["msg"] == "memory returned to the OS after connections closed"
	})
	if rec["peak_connections"] != 4.0 || rec["connections"] != 0.0 {
		t.Errorf("log record %v", rec)
	}
}

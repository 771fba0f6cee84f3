//go:build !js

package wsclient

import (
	"slices"
	"testing"
	"time"
)

// 100 clients cut at once come back spread over the backoff window (full
// jitter), not in one storm.
func TestClientsReconnectSpreadByJitter(t *testing.T) {
	const clients = 100
	window := 2 * time.Second
	px := testProxy(t)
	var all []*phases
	for range clients {
		_, p := startClient(t, proxied(t, "/ws/echo"), &ClientOptions{Backoff: Backoff{Min: window, Max: window}})
		all = append(all, p)
	}
	for _, p := range all {
		p.waitFor(t, 0, "open", isPhase(PhaseOpen))
	}
	before := len(px.Accepts())
	cut := time.Now()
	px.Cut()
	for _, p := range all {
		i := p.waitFor(t, 0, "reconnecting", isPhase(PhaseReconnecting))
		p.waitFor(t, i, "open again", isPhase(PhaseOpen))
	}
	var offsets []time.Duration
	for _, at := range px.Accepts()[before:] {
		offsets = append(offsets, at.Sub(cut))
	}
	if len(offsets) < clients {
		t.Fatalf("%d reconnects seen, want %d", len(offsets), clients)
	}
	slices.Sort(offsets)
	spread := offsets[len(offsets)-1] - offsets[0]
	buckets := map[time.Duration]int{}
	busiest := 0
	for _, o := range offsets {
		b := o / (window / 10)
		buckets[b]++
		busiest = max(busiest, buckets[b])
	}
	t.Logf("reconnects spread over %v; busiest tenth of the window holds %d of %d", spread, busiest, len(offsets))
	// Uniform over 2s: the spread is close to 2s and a tenth holds about 10.
	// The bounds are loose so that a slow machine cannot fail them.
	if spread < window/2 || busiest > clients*4/10 {
		t.Fatalf("reconnects bunched: spread %v, %d in one tenth of the window", spread, busiest)
	}
}

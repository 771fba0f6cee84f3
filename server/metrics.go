package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/duplexgo/duplex/server/fallback"
)

// metrics holds the server's counters. Hot-path counters are atomics; the
// rarely updated maps (closes by code, rejected handshakes) sit behind a mutex.
// They are exposed in the Prometheus text format by ServeHTTP.
type metrics struct {
	paths []*pathMetrics // in exposition order

	mu       sync.Mutex
	closes   map[int]uint64    // close code -> count
	rejected map[string]uint64 // handshake rejection reason -> count

	rooms func() int // current number of chat rooms; may be nil
	chat  *hubStats  // the chat's counters; may be nil

	echo        *histogram     // time to echo a message on /echo
	memReleases *atomic.Uint64 // memory given back to the OS; may be nil

	fallback func() fallback.Stats // the HTTP fallback's counters; may be nil
}

// pathMetrics are the counters of one WebSocket path and transport
// ("websocket", or "http" for the HTTP fallback).
type pathMetrics struct {
	path      string
	transport string
	open      atomic.Int64
	total     atomic.Uint64
	msgsIn    atomic.Uint64
	msgsOut   atomic.Uint64
	bytesIn   atomic.Uint64
	bytesOut  atomic.Uint64

	handshake *histogram // duration of the accepted handshakes
}

// newMetrics returns metrics for the given WebSocket paths, on each
// transport.
func newMetrics(paths ...string) *metrics {
	m := &metrics{closes: map[int]uint64{}, rejected: map[string]uint64{}, echo: newHistogram(echoBuckets)}
	for _, p := range paths {
		for _, t := range transports {
			m.paths = append(m.paths, &pathMetrics{path: p, transport: t, handshake: newHistogram(handshakeBuckets)})
		}
	}
	return m
}

// path returns the counters of path p on transport t; it panics for an
// unknown one, which is a programming error.
func (m *metrics) path(p, t string) *pathMetrics {
	for _, pm := range m.paths {
		if pm.path == p && pm.transport == t {
			return pm
		}
	}
	panic("server: no metrics for path " + p + " on " + t)
}

// closed counts a connection closed with code.
func (m *metrics) closed(code int) {
	m.mu.Lock()
	m.closes[code]++
	m.mu.Unlock()
}

// closeCount returns how many connections were closed with code.
func (m *metrics) closeCount(code int) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closes[code]
}

// rejectedHandshake counts a handshake refused for reason.
func (m *metrics) rejectedHandshake(reason string) {
	m.mu.Lock()
	m.rejected[reason]++
	m.mu.Unlock()
}

// ServeHTTP writes the metrics in the Prometheus text exposition format
// (version 0.0.4).
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	m.writeText(&buf)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(buf.Bytes())
}

// writeText writes every metric family to w.
func (m *metrics) writeText(w io.Writer) {
	type sample struct {
		labels string
		value  string
	}
	family := func(name, typ, help string, samples []sample) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, s := range samples {
			fmt.Fprintf(w, "%s%s %s\n", name, s.labels, s.value)
		}
	}
	perPath := func(get func(*pathMetrics) string) []sample {
		var out []sample
		for _, pm := range m.paths {
			out = append(out, sample{labels: labels("path", pm.path, "transport", pm.transport), value: get(pm)})
		}
		return out
	}
	u := func(a *atomic.Uint64) string { return strconv.FormatUint(a.Load(), 10) }

	family("duplex_connections_open", "gauge", "WebSocket connections currently open.",
		perPath(func(pm *pathMetrics) string { return strconv.FormatInt(pm.open.Load(), 10) }))
	family("duplex_connections_total", "counter", "WebSocket connections accepted.",
		perPath(func(pm *pathMetrics) string { return u(&pm.total) }))
	family("duplex_messages_in_total", "counter", "WebSocket data messages received.",
		perPath(func(pm *pathMetrics) string { return u(&pm.msgsIn) }))
	family("duplex_messages_out_total", "counter", "WebSocket data messages sent.",
		perPath(func(pm *pathMetrics) string { return u(&pm.msgsOut) }))
	family("duplex_bytes_in_total", "counter", "Payload bytes of the WebSocket data messages received.",
		perPath(func(pm *pathMetrics) string { return u(&pm.bytesIn) }))
	family("duplex_bytes_out_total", "counter", "Payload bytes of the WebSocket data messages sent.",
		perPath(func(pm *pathMetrics) string { return u(&pm.bytesOut) }))

	m.mu.Lock()
	codes := make([]int, 0, len(m.closes))
	for c := range m.closes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var closes []sample
	for _, c := range codes {
		closes = append(closes, sample{labels("code", strconv.Itoa(c)), strconv.FormatUint(m.closes[c], 10)})
	}
	reasons := make([]string, 0, len(m.rejected))
	for r := range m.rejected {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	var rejected []sample
	for _, r := range reasons {
		rejected = append(rejected, sample{labels("reason", r), strconv.FormatUint(m.rejected[r], 10)})
	}
	m.mu.Unlock()

	family("duplex_closes_total", "counter",
		"WebSocket connections closed, by close code (1006: dropped without a close frame).", closes)
	family("duplex_handshakes_rejected_total", "counter", "WebSocket handshakes refused, by reason.", rejected)
	if m.rooms != nil {
		family("duplex_chat_rooms", "gauge", "Chat rooms in memory.",
			[]sample{{"", strconv.Itoa(m.rooms())}})
	}
	if m.chat != nil {
		family("duplex_chat_slow_drops_total", "counter", "Chat members closed with 1008 for falling behind.",
			[]sample{{"", u(&m.chat.slowDrops)}})
		family("duplex_chat_rooms_evicted_total", "counter", "Chat rooms evicted to make room for others, by state.",
			[]sample{{labels("state", "empty"), u(&m.chat.emptyEvicted)}, {labels("state", "idle"), u(&m.chat.idleEvicted)}})
	}
	if m.fallback != nil {
		st := m.fallback()
		family("duplex_fallback_sessions", "gauge", "HTTP fallback sessions held.",
			[]sample{{"", strconv.Itoa(st.Sessions)}})
		family("duplex_fallback_sessions_total", "counter", "HTTP fallback sessions opened.",
			[]sample{{"", strconv.FormatUint(st.Opened, 10)}})
		family("duplex_fallback_sessions_reaped_total", "counter", "HTTP fallback sessions reaped: their client went away without a word.",
			[]sample{{"", strconv.FormatUint(st.Reaped, 10)}})
		family("duplex_fallback_buffered_bytes", "gauge", "Bytes the HTTP fallback sessions hold, by direction.",
			[]sample{{labels("direction", "in"), strconv.Itoa(st.BufferedIn)}, {labels("direction", "out"), strconv.Itoa(st.BufferedOut)}})
	}
	m.writeMore(w)
}

// writeMore writes the histograms, the memory releases, and the Go runtime's
// and the process's metrics.
func (m *metrics) writeMore(w io.Writer) {
	writeHeader(w, "duplex_handshake_duration_seconds", "histogram",
		"Time from a WebSocket handshake request reaching its endpoint to the 101 response written, for the handshakes accepted.")
	for _, pm := range m.paths {
		l := labels("path", pm.path, "transport", pm.transport)
		pm.handshake.write(w, "duplex_handshake_duration_seconds", l[1:len(l)-1])
	}
	writeHeader(w, "duplex_echo_duration_seconds", "histogram",
		"Time from the last byte of a message read on /echo to its echo written, waiting for a slow reader included.")
	m.echo.write(w, "duplex_echo_duration_seconds", "")
	if m.memReleases != nil {
		family := "duplex_memory_releases_total"
		writeHeader(w, family, "counter", "Times memory was given back to the OS after connections closed.")
		fmt.Fprintf(w, "%s %d\n", family, m.memReleases.Load())
	}
	writeRuntime(w)
	writeProcess(w)
}

// labels formats Prometheus label pairs: name, value, name, value...
func labels(pairs ...string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i] + `="` + r.Replace(pairs[i+1]) + `"`)
	}
	return "{" + b.String() + "}"
}

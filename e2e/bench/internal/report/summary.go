package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
)

// Metric is one quantity of the browser benchmarks.
type Metric struct {
	Key            string
	Label          string
	Unit           string
	HigherIsBetter bool
	Get            func(Page) float64
}

// BrowserMetrics are the browser metrics, in report order.
var BrowserMetrics = []Metric{
	{"pipelined", "Pipelined echo, 32 B text", "msg/s", true, func(p Page) float64 { return p.PipelinedRate }},
	{"rtt_median", "Round trip, 16 B, median", "µs", false, func(p Page) float64 { return p.RTTMedianUs }},
	{"rtt_p99", "Round trip, 16 B, p99", "µs", false, func(p Page) float64 { return p.RTTP99Us }},
	{"big", "Echo of 1 MiB binary", "MB/s", true, func(p Page) float64 { return p.BigMBps }},
	{"flood", "Server flood, 16 B binary", "msg/s", true, func(p Page) float64 { return p.FloodRate }},
}

// MetricByKey returns the metric with that key.
func MetricByKey(key string) Metric {
	for _, m := range BrowserMetrics {
		if m.Key == key {
			return m
		}
	}
	panic("report: no metric " + key)
}

// Series returns the values of metric m for client over the rounds (NaN for
// a round that lacks the client).
func (b *Browser) Series(m Metric, client string) []float64 {
	out := make([]float64, len(b.Rounds))
	for i, r := range b.Rounds {
		p, ok := r[client]
		if !ok {
			out[i] = math.NaN()
			continue
		}
		out[i] = m.Get(p)
	}
	return out
}

// Value summarizes metric m for client over the rounds.
func (b *Browser) Value(m Metric, client string) stats.Summary {
	return stats.Summarize(b.Series(m, client))
}

// Ratio summarizes client's metric divided by base's, paired by round: the
// median and range of the per-round ratios.
func (b *Browser) Ratio(m Metric, client, base string) stats.Summary {
	return stats.Summarize(stats.Ratios(b.Series(m, client), b.Series(m, base)))
}

// PairedMetrics are the keys of the metrics the paired blocks measure.
var PairedMetrics = []string{"pipelined", "rtt_median", "big", "flood"}

// Sets returns the paired sets measured, in the order of their first run.
func (p *Paired) Sets() []string {
	var out []string
	for _, r := range p.Runs {
		if !slices.Contains(out, r.Set) {
			out = append(out, r.Set)
		}
	}
	return out
}

// Clients returns the native and Go clients of set's runs.
func (p *Paired) Clients(set string) (js, goc string) {
	for _, r := range p.Runs {
		if r.Set == set {
			return r.JS, r.Go
		}
	}
	return "", ""
}

// pairs returns the pairs of metric key in every run of set.
func (p *Paired) pairs(set, key string) []Pair {
	var out []Pair
	for _, r := range p.Runs {
		if r.Set == set {
			out = append(out, r.Pairs[key]...)
		}
	}
	return out
}

// Ratio summarizes the Go block's metric divided by the native one's, pair
// by pair, over every run of set.
func (p *Paired) Ratio(set, key string) stats.Summary {
	var xs []float64
	for _, pr := range p.pairs(set, key) {
		xs = append(xs, stats.Ratio(pr.Go, pr.JS))
	}
	return stats.Summarize(xs)
}

// Value summarizes one side's blocks of metric key over every run of set.
func (p *Paired) Value(set, key string, goSide bool) stats.Summary {
	var xs []float64
	for _, pr := range p.pairs(set, key) {
		if goSide {
			xs = append(xs, pr.Go)
		} else {
			xs = append(xs, pr.JS)
		}
	}
	return stats.Summarize(xs)
}

// StartSeries returns cold or warm start-up times of client over the rounds.
func (s *Startup) StartSeries(client string, warm bool) []float64 {
	out := make([]float64, 0, len(s.Rounds))
	for _, r := range s.Rounds {
		v, ok := r[client]
		switch {
		case !ok:
			out = append(out, math.NaN())
		case warm:
			out = append(out, v.WarmMs)
		default:
			out = append(out, v.ColdMs)
		}
	}
	return out
}

// Bytes returns the median transfer of client's cold or warm loads.
func (s *Startup) Bytes(client string, warm bool) float64 {
	var xs []float64
	for _, r := range s.Rounds {
		if v, ok := r[client]; ok {
			if warm {
				xs = append(xs, float64(v.WarmBytes))
			} else {
				xs = append(xs, float64(v.ColdBytes))
			}
		}
	}
	return stats.Median(xs)
}

// Program returns the payload program named name, or nil.
func (p *Payload) Program(name string) *Program {
	if p == nil {
		return nil
	}
	for i := range p.Programs {
		if p.Programs[i].Name == name {
			return &p.Programs[i]
		}
	}
	return nil
}

// EchoClients returns the client counts of the echo runs, ascending.
func (s *Server) EchoClients() []int {
	var out []int
	for _, e := range s.Echo {
		if !slices.Contains(out, e.Clients) {
			out = append(out, e.Clients)
		}
	}
	slices.Sort(out)
	return out
}

// echoRuns returns the successful runs of server with n clients, by round.
func (s *Server) echoRuns(server string, n int) map[int]EchoRound {
	out := map[int]EchoRound{}
	for _, e := range s.Echo {
		if e.Server == server && e.Clients == n && e.Error == "" {
			out[e.Round] = e
		}
	}
	return out
}

// EchoRate summarizes server's echo rate with n clients over the rounds.
func (s *Server) EchoRate(server string, n int) stats.Summary {
	var xs []float64
	for _, e := range s.echoRuns(server, n) {
		xs = append(xs, e.Rate)
	}
	return stats.Summarize(xs)
}

// EchoField summarizes any field of server's echo runs with n clients.
func (s *Server) EchoField(server string, n int, f func(EchoRound) float64) stats.Summary {
	var xs []float64
	for _, e := range s.echoRuns(server, n) {
		xs = append(xs, f(e))
	}
	return stats.Summarize(xs)
}

// EchoRatio summarizes a's echo rate over b's, paired by round.
func (s *Server) EchoRatio(a, b string, n int) stats.Summary {
	ra, rb := s.echoRuns(a, n), s.echoRuns(b, n)
	var xs []float64
	for round, ea := range ra {
		if eb, ok := rb[round]; ok {
			xs = append(xs, stats.Ratio(ea.Rate, eb.Rate))
		}
	}
	return stats.Summarize(xs)
}

func p99(e EchoRound) float64 { return e.P99Us }

// PerCPU returns echoes per second of server CPU time.
func PerCPU(e EchoRound) float64 {
	if e.CPUSeconds <= 0 {
		return math.NaN()
	}
	return float64(e.Messages) / e.CPUSeconds
}

// IdleOf returns the idle run of server with the most connections, with
// pings when there is one, or nil.
func (s *Server) IdleOf(server string) *Idle {
	if r := s.IdleRun(server, true); r != nil {
		return r
	}
	return s.IdleRun(server, false)
}

// IdleRun returns the idle run of server with pings (or without) with the
// most connections, or nil.
func (s *Server) IdleRun(server string, pings bool) *Idle {
	var best *Idle
	for i := range s.Idle {
		r := &s.Idle[i]
		if r.Server == server && (r.PingSeconds > 0) == pings && (best == nil || r.Conns > best.Conns) {
			best = r
		}
	}
	return best
}

// Target is one goal of issue 9 with the value measured for it.
type Target struct {
	Goal     string
	Measured string
	Met      *bool // nil when not measured
}

func met(ok bool) *bool { return &ok }

// browserGoal is a goal on the ratio of a browser client to another, in
// the page rounds and, when PairedSet is set, in the paired blocks.
type browserGoal struct {
	Goal         string
	Metric       string // key of a BrowserMetrics metric
	Client, Base string
	Limit        float64 // at least (higher is better) or at most
	PairedSet    string  // the paired set that measures it, or ""
	Missing      string  // what "not measured" means when nothing measured it
}

// BrowserGoals are the browser targets of issue 9.
var BrowserGoals = []browserGoal{
	{"wsclient pipelined echo ≥ 0.95× native JS", "pipelined", WSClient, Native, 0.95, "websocket", ""},
	{"wsclient pipelined echo ≥ 1.7× coder/websocket wasm", "pipelined", WSClient, Coder, 1.7, "", ""},
	{"wsclient server flood ≥ 0.95× native JS", "flood", WSClient, Native, 0.95, "websocket", ""},
	{"wsclient round-trip median ≤ 1.15× native JS, through Read", "rtt_median", WSClient, Native, 1.15, "websocket", ""},
	{"wsclient round-trip median ≤ 1.05× native JS, through the synchronous handler", "rtt_median", WSClientSync, Native, 1.05, "sync",
		"not measured: the wsclient-sync client needs wsclient's Options.OnMessageSync"},
	{"wsclient 1 MiB echo ≥ 0.9× native JS", "big", WSClient, Native, 0.9, "websocket", ""},
	{"wsclient on TransportStream pipelined echo ≥ 0.95× native WebSocketStream", "pipelined", WSClientStream, NativeStream, 0.95, "stream", ""},
	{"wsclient on TransportStream server flood ≥ 0.95× native WebSocketStream", "flood", WSClientStream, NativeStream, 0.95, "stream", ""},
	{"wsclient on TransportStream round-trip median ≤ 1.15× native WebSocketStream, through Read", "rtt_median", WSClientStream, NativeStream, 1.15, "stream", ""},
	{"wsclient on TransportStream 1 MiB echo ≥ 0.9× native WebSocketStream", "big", WSClientStream, NativeStream, 0.9, "stream", ""},
}

// Payload goals, in bytes.
const (
	MaxMinimalRaw  = 2_450_000
	MaxMinimalGzip = 700_000
)

// browserTarget evaluates g: the paired blocks' median decides when they
// measured it (they are the tighter measurement), else the rounds'.
func (r *Results) browserTarget(g browserGoal) Target {
	m := MetricByKey(g.Metric)
	var parts []string
	var decide *bool
	if b := r.Browser; b != nil && slices.Contains(b.Clients, g.Client) && slices.Contains(b.Clients, g.Base) {
		s := b.Ratio(m, g.Client, g.Base)
		parts = append(parts, fmt.Sprintf("rounds %s", FmtRatioSpread(s)))
		decide = okRatio(s, g.Limit, m.HigherIsBetter)
	}
	if p := r.Paired; p != nil && g.PairedSet != "" && slices.Contains(p.Sets(), g.PairedSet) {
		s := p.Ratio(g.PairedSet, g.Metric)
		parts = append(parts, fmt.Sprintf("paired %s, %d pairs", FmtRatioSpread(s), s.N))
		if ok := okRatio(s, g.Limit, m.HigherIsBetter); ok != nil {
			decide = ok
		}
	}
	if len(parts) == 0 {
		why := g.Missing
		if why == "" {
			why = "not run"
		}
		return Target{g.Goal, why, nil}
	}
	return Target{g.Goal, strings.Join(parts, "; "), decide}
}

// Targets evaluates the goals against r.
func (r *Results) Targets() []Target {
	var ts []Target
	add := func(goal string, measured string, ok *bool) {
		ts = append(ts, Target{goal, measured, ok})
	}
	na := func(goal, why string) { add(goal, why, nil) }

	for _, g := range BrowserGoals {
		ts = append(ts, r.browserTarget(g))
	}

	rawGoal := fmt.Sprintf("minimal wsclient program ≤ %s raw", FmtMB(MaxMinimalRaw))
	gzGoal := fmt.Sprintf("minimal wsclient program ≤ %s gzip", FmtMB(MaxMinimalGzip))
	if p := r.Payload.Program("wsclient-minimal"); p != nil && p.Built {
		add(rawGoal, FmtMB(float64(p.Raw)), met(p.Raw <= MaxMinimalRaw))
		add(gzGoal, FmtMB(float64(p.Gzip)), met(p.Gzip <= MaxMinimalGzip))
	} else {
		na(rawGoal, "not built")
		na(gzGoal, "not built")
	}
	if p := r.Payload.Program("app"); p != nil && p.Built {
		m := fmt.Sprintf("brotli %s; served as %s (%s)", FmtMB(float64(p.Brotli)), FmtMB(float64(p.Transferred)), encodingName(p.Encoding))
		add("app.wasm transferred (brotli) ≤ 2.5 MB", m, met(p.Transferred > 0 && p.Transferred <= 2_500_000))
	} else {
		na("app.wasm transferred (brotli) ≤ 2.5 MB", "app.wasm not built")
	}

	if s := r.Server; s != nil {
		const idleGoal = "about 19,000 idle connections at ≤ 16 KiB each, pings on"
		if i := s.IdleRun(OurServer, true); i != nil && i.Error == "" {
			m := fmt.Sprintf("%d connections, %s each (pings every %g s)", i.Conns, FmtKiB(i.PerConn), i.PingSeconds)
			add(idleGoal, m, met(i.Conns >= 19000 && i.PerConn <= 16*1024))
		} else {
			na(idleGoal, "not measured")
		}
		for _, n := range s.EchoClients() {
			ratio := s.EchoRatio(OurServer, NodeServer, n)
			add(fmt.Sprintf("echo throughput with %d clients ≥ 1.2× Node's ws", n), FmtRatioSpread(ratio), okRatio(ratio, 1.2, true))
			ours, theirs := s.EchoField(OurServer, n, p99), s.EchoField(NodeServer, n, p99)
			var ok *bool
			if !math.IsNaN(ours.Median) && !math.IsNaN(theirs.Median) {
				ok = met(ours.Median <= theirs.Median)
			}
			add(fmt.Sprintf("echo p99 round trip with %d clients ≤ Node's ws", n),
				fmt.Sprintf("%s µs against %s µs", FmtNum(ours.Median), FmtNum(theirs.Median)), ok)
		}
	} else {
		na("server targets", "not run")
	}
	return ts
}

func encodingName(e string) string {
	if e == "" {
		return "uncompressed"
	}
	return e
}

func okRatio(s stats.Summary, limit float64, atLeast bool) *bool {
	if math.IsNaN(s.Median) {
		return nil
	}
	if atLeast {
		return met(s.Median >= limit)
	}
	return met(s.Median <= limit)
}

func summarize(xs []float64) stats.Summary { return stats.Summarize(xs) }

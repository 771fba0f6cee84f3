package browser

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/report"
	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
)

// PairedSet is a native client and a Go client measured in one page, their
// blocks alternating (see clients/pages/paired.js).
type PairedSet struct {
	Name  string
	JS    string     // the native client's name in the results
	Go    string     // the Go client's name
	Query url.Values // api selects the native side; wasm, mode, transport the Go side
}

// PairedSets are the paired measurements of a run.
var PairedSets = []PairedSet{
	{"sync", report.Native, report.WSClientSync, pairedQuery("websocket", "sync", "")},
	{"websocket", report.Native, report.WSClient, pairedQuery("websocket", "send", "")},
	{"stream", report.NativeStream, report.WSClientStream, pairedQuery("stream", "send", "stream")},
}

// OptionalPairedSets run only when named (bench run -paired-sets).
var OptionalPairedSets = []PairedSet{
	{"onmessage", report.Native, report.WSClientOnMessage, pairedQuery("websocket", "onmessage", "")},
}

// PairedSetByName returns the set of PairedSets or OptionalPairedSets
// named name.
func PairedSetByName(name string) (PairedSet, bool) {
	for _, s := range append(PairedSets, OptionalPairedSets...) {
		if s.Name == name {
			return s, true
		}
	}
	return PairedSet{}, false
}

// pairedQuery selects the native API and the wsclient variant of a set.
func pairedQuery(api, mode, transport string) url.Values {
	q := wsclientQuery(mode, transport)
	q.Set("api", api)
	q.Set("paired", "1")
	return q
}

// DefaultPairedParams are the paired blocks' sizes: per workload, a warm-up
// block on each side, then "pairs" pairs of blocks; rtt_warm round trips
// warm the round-trip workload. Message sizes are those of DefaultParams.
var DefaultPairedParams = map[string]int{
	"pairs":  12,
	"pipe_n": 2000, "pipe_size": 32,
	"rtt_n": 200, "rtt_warm": 50, "rtt_size": 16,
	"big_n": 4, "big_size": 1 << 20,
	"flood_n": 5000, "flood_size": 16,
}

// pairedTimeout bounds one paired page.
const pairedTimeout = 6 * time.Minute

// pairedBlock is one block as paired.js reports it: milliseconds for the
// throughput workloads, each round trip's microseconds for rtt.
type pairedBlock struct {
	Ms  float64   `json:"ms"`
	RTT []float64 `json:"rtt_us"`
}

// pairedPair is one pair of blocks.
type pairedPair struct {
	First string      `json:"first"` // "js" or "go"
	JS    pairedBlock `json:"js"`
	Go    pairedBlock `json:"go"`
}

// Paired runs every set in rounds page loads (the order of the sets
// rotates, and the first pair's side alternates, from round to round).
func Paired(browserCtx context.Context, base string, params map[string]int, sets []PairedSet, rounds int, logf Logf) (*report.Paired, error) {
	res := &report.Paired{Params: params}
	for r := range rounds {
		for _, set := range report.Rotation(sets, r) {
			run, err := runPaired(browserCtx, base, params, set, r)
			if err != nil {
				if err := failed(browserCtx, logf, "paired", &res.Errors, r, set.Name, err); err != nil {
					return res, err
				}
				continue
			}
			res.Runs = append(res.Runs, run)
			tmp := &report.Paired{Runs: []report.PairedRun{run}}
			for _, key := range report.PairedMetrics {
				s := tmp.Ratio(set.Name, key)
				logf("paired round %d/%d %-9s %-10s %s ÷ %s %s over %d pairs (%s)", r+1, rounds, set.Name, key,
					set.Go, set.JS, report.FmtRatioSpread(s), s.N, run.Transport)
			}
		}
	}
	return res, nil
}

func runPaired(browserCtx context.Context, base string, params map[string]int, set PairedSet, round int) (report.PairedRun, error) {
	q := url.Values{}
	for k, v := range set.Query {
		q[k] = v
	}
	q.Set("first", []string{"js", "go"}[round%2])
	var raw map[string][]pairedPair
	info, err := loadPage(browserCtx, base, params, q, pairedTimeout, &raw)
	if err != nil {
		return report.PairedRun{}, err
	}
	run := report.PairedRun{Set: set.Name, Round: round, JS: set.JS, Go: set.Go, Transport: info.transport, Pairs: map[string][]report.Pair{}}
	metric := func(w string, b pairedBlock) float64 {
		switch w {
		case "pipelined":
			return float64(params["pipe_n"]) / (b.Ms / 1000)
		case "big":
			return float64(params["big_n"]*params["big_size"]) / 1e6 / (b.Ms / 1000)
		case "flood":
			return float64(params["flood_n"]) / (b.Ms / 1000)
		}
		return stats.Median(b.RTT)
	}
	for w, pairs := range raw {
		key := w
		if w == "rtt" {
			key = "rtt_median"
		}
		for _, p := range pairs {
			run.Pairs[key] = append(run.Pairs[key], report.Pair{JS: metric(w, p.JS), Go: metric(w, p.Go), GoFirst: p.First == "go"})
		}
	}
	if len(run.Pairs) == 0 {
		return run, fmt.Errorf("the page reported no pairs")
	}
	return run, nil
}

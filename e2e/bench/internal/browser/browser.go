// Package browser drives the in-browser benchmarks: one headless Chromium,
// a fresh tab for every page load, clients alternating within each round.
package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/duplexgo/duplex/e2e/bench/internal/report"
	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
)

// Client is one client under test: its name in the results and the page
// parameters that select it (see clients/pages/run.html).
type Client struct {
	Name  string
	Query url.Values
}

// Clients are the browser clients of a run, in the order of its first
// round (the order rotates: see Throughput).
var Clients = []Client{
	{report.Native, nativeQuery("websocket", "use")},
	{report.NativeBare, nativeQuery("websocket", "none")},
	{report.WSClient, wsclientQuery("send", "")},
	{report.WSClientWrite, wsclientQuery("write", "")},
	{report.NativeStream, nativeQuery("stream", "use")},
	{report.WSClientStream, wsclientQuery("send", "stream")},
	{report.WSClientSync, wsclientQuery("sync", "")},
	{report.Coder, url.Values{"client": {"coder"}, "wasm": {"coderwasm"}}},
	{report.WSClientHTTP, wsclientQuery("send", "http")},
	{report.WSClientHTTPPoll, wsclientQuery("send", "http-poll")},
}

// OptionalClients run only when named (bench run -clients, bench profile
// -client).
// A wsclient variant is a mode of clients/wsclient.
var OptionalClients = []Client{
	{report.WSClientOnMessage, wsclientQuery("onmessage", "")},
}

// nativeQuery selects jsnative/bench.js on api ("websocket" or "stream"),
// reading each message ("use") or touching nothing ("none").
func nativeQuery(api, touch string) url.Values {
	return url.Values{"client": {"jsnative"}, "api": {api}, "touch": {touch}}
}

// wsclientQuery selects clients/wsclient with a mode (see its doc) and a
// transport ("" for the default, "stream" for TransportStream, "http" and
// "http-poll" for the HTTP fallback's TransportHTTPStream and
// TransportHTTPPoll).
func wsclientQuery(mode, transport string) url.Values {
	q := url.Values{"client": {"wsclient"}, "wasm": {"wsclient"}, "mode": {mode}}
	if transport != "" {
		q.Set("transport", transport)
	}
	return q
}

// ClientByName returns the client of Clients or OptionalClients named name.
func ClientByName(name string) (Client, bool) {
	for _, c := range append(Clients, OptionalClients...) {
		if c.Name == name {
			return c, true
		}
	}
	return Client{}, false
}

// DefaultParams are the workload sizes: the same for every client. They
// keep a page load to a few seconds on a busy 2-core machine, so that 7
// rounds of 5 clients fit in about four minutes.
var DefaultParams = map[string]int{
	"pipe_n": 10000, "pipe_size": 32,
	"rtt_n": 1000, "rtt_warm": 100, "rtt_size": 16,
	"big_n": 16, "big_size": 1 << 20,
	"flood_n": 20000, "flood_size": 16,
}

// pageTimeout bounds one page load and its workloads.
const pageTimeout = 2 * time.Minute

// Logf reports progress.
type Logf func(format string, args ...any)

// Throughput runs rounds rounds of every client against the server at base
// (http://127.0.0.1:port) in the browser of browserCtx. The order of the
// clients rotates by one every round (see report.Rotation).
func Throughput(browserCtx context.Context, base string, params map[string]int, clients []Client, rounds int, logf Logf) (*report.Browser, error) {
	res := &report.Browser{Params: params}
	for _, c := range clients {
		res.Clients = append(res.Clients, c.Name)
	}
	for r := range rounds {
		round := map[string]report.Page{}
		order := report.Rotation(clients, r)
		var names []string
		for _, c := range order {
			names = append(names, c.Name)
		}
		res.Orders = append(res.Orders, names)
		for _, c := range order {
			p, err := runPage(browserCtx, base, params, c)
			if err != nil {
				if err := failed(browserCtx, logf, "browser", &res.Errors, r, c.Name, err); err != nil {
					return res, err
				}
				continue
			}
			round[c.Name] = p
			logf("browser round %d/%d %-15s pipelined %8.0f msg/s  rtt %6.1f/%6.1f µs  1MiB %6.1f MB/s  flood %8.0f msg/s  (%s)",
				r+1, rounds, c.Name, p.PipelinedRate, p.RTTMedianUs, p.RTTP99Us, p.BigMBps, p.FloodRate, p.Transport)
		}
		res.Rounds = append(res.Rounds, round)
	}
	return res, nil
}

// failed records the failure of round's page of name in errs: a failed
// page leaves a hole in its round, not in the run. It returns the
// browser's error when the browser itself is gone, which ends the phase.
func failed(browserCtx context.Context, logf Logf, phase string, errs *[]string, round int, name string, err error) error {
	msg := fmt.Sprintf("round %d, %s: %v", round+1, name, err)
	logf("%s: %s", phase, msg)
	*errs = append(*errs, msg)
	return browserCtx.Err()
}

// pageResult is the JSON a page reports (harness.Result, jsnative/bench.js).
type pageResult struct {
	PipelinedRate float64   `json:"pipelined_rate"`
	RTTUs         []float64 `json:"rtt_us"`
	BigMBps       float64   `json:"big_mbps"`
	FloodRate     float64   `json:"flood_rate"`
}

// runPage opens a new tab, loads the benchmark page for c, waits for its
// result and closes the tab.
func runPage(browserCtx context.Context, base string, params map[string]int, c Client) (report.Page, error) {
	var pr pageResult
	info, err := loadPage(browserCtx, base, params, c.Query, pageTimeout, &pr)
	if err != nil {
		return report.Page{}, err
	}
	if len(pr.RTTUs) == 0 {
		return report.Page{}, fmt.Errorf("page reported no round trips")
	}
	return report.Page{
		PipelinedRate: pr.PipelinedRate,
		RTTMedianUs:   stats.Median(pr.RTTUs),
		RTTP99Us:      stats.Percentile(pr.RTTUs, 99),
		RTTSamples:    len(pr.RTTUs),
		BigMBps:       pr.BigMBps,
		FloodRate:     pr.FloodRate,
		TimerResUs:    info.timerResUs,
		Isolated:      info.isolated,
		Transport:     info.transport,
	}, nil
}

// pageInfo is what every benchmark page says about itself.
type pageInfo struct {
	timerResUs float64
	isolated   bool
	transport  string // the browser APIs its sockets used, "+" separated
}

// loadPage opens a new tab, loads run.html with query and params, decodes
// the JSON the page reports into result, and closes the tab.
func loadPage(browserCtx context.Context, base string, params map[string]int, query url.Values, timeout time.Duration, result any) (pageInfo, error) {
	tab, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, timeout)
	defer cancelT()

	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for k, v := range params {
		q.Set(k, strconv.Itoa(v))
	}
	var info pageInfo
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/bench/run.html?"+q.Encode())); err != nil {
		return info, err
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string]("window.benchResult", chromedp.EvalAwaitPromise))
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal([]byte(raw), result); err != nil {
		return info, fmt.Errorf("page result %q: %w", raw, err)
	}
	if info.timerResUs, err = chromedp.Run(ctx, chromedp.Evaluate[float64]("window.timerResolutionUs")); err != nil {
		return info, err
	}
	if info.isolated, err = chromedp.Run(ctx, chromedp.Evaluate[bool]("self.crossOriginIsolated")); err != nil {
		return info, err
	}
	transports, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int]("window.benchTransports"))
	if err != nil {
		return info, err
	}
	var used []string
	for _, t := range []string{"WebSocket", "WebSocketStream"} {
		if transports[t] > 0 {
			used = append(used, t)
		}
	}
	if len(used) == 0 {
		used = append(used, "fetch") // the HTTP fallback: no WebSocket made
	}
	info.transport = strings.Join(used, "+")
	return info, nil
}

// StartClient is one client of the start-up benchmark: the value of the
// start page's client parameter (jsnative, or a wasm program's name).
type StartClient struct {
	Name string
	Page string
}

// startResult is what the start-up measurement reads from the page.
type startResult struct {
	OpenMs   float64 `json:"open"`
	Transfer int64   `json:"transfer"`
}

// measureStart evaluates, after the first open event, the time of that
// event and the bytes the page's loads transferred (document and resources,
// headers included; 0 for what came from the cache without revalidation).
const measureStart = `window.firstOpen.then((t) => ({
  open: t,
  transfer: performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
    .reduce((sum, e) => sum + (e.transferSize || 0), 0),
}))`

// Startup measures, in rounds, each client's time from navigation to its
// first WebSocket open event: cold (browser cache cleared), then warm (the
// same page again in the same tab).
func Startup(browserCtx context.Context, base string, clients []StartClient, rounds int, logf Logf) (*report.Startup, error) {
	res := &report.Startup{}
	for _, c := range clients {
		res.Clients = append(res.Clients, c.Name)
	}
	for r := range rounds {
		round := map[string]report.StartSample{}
		for _, c := range clients {
			s, err := startOne(browserCtx, base, c, r)
			if err != nil {
				if err := failed(browserCtx, logf, "start-up", &res.Errors, r, c.Name, err); err != nil {
					return res, err
				}
				continue
			}
			round[c.Name] = s
			logf("start-up round %d/%d %-15s cold %6.1f ms (%7d B)  warm %6.1f ms (%6d B)",
				r+1, rounds, c.Name, s.ColdMs, s.ColdBytes, s.WarmMs, s.WarmBytes)
		}
		res.Rounds = append(res.Rounds, round)
	}
	return res, nil
}

func startOne(browserCtx context.Context, base string, c StartClient, round int) (report.StartSample, error) {
	tab, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, 30*time.Second)
	defer cancelT()
	// A blank page first, so that the tab exists before the cache is
	// cleared.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return report.StartSample{}, err
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		return report.StartSample{}, fmt.Errorf("clearing the cache: %w", err)
	}
	load := func(n int) (startResult, error) {
		// A distinct query per load: navigating to the current URL would be a
		// reload, which revalidates differently from a visit.
		u := fmt.Sprintf("%s/bench/start?client=%s&round=%d&load=%d", base, url.QueryEscape(c.Page), round, n)
		if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
			return startResult{}, err
		}
		return chromedp.Run(ctx, chromedp.Evaluate[startResult](measureStart, chromedp.EvalAwaitPromise))
	}
	cold, err := load(1)
	if err != nil {
		return report.StartSample{}, err
	}
	// Let the program finish (and the browser store its code cache).
	time.Sleep(300 * time.Millisecond)
	warm, err := load(2)
	if err != nil {
		return report.StartSample{}, err
	}
	return report.StartSample{ColdMs: cold.OpenMs, WarmMs: warm.OpenMs, ColdBytes: cold.Transfer, WarmBytes: warm.Transfer}, nil
}

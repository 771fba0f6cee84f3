package browser

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// FuncTime is the time a profile spent in one function.
type FuncTime struct {
	Name  string
	Self  float64 // share of the samples with the function on top
	Total float64 // share of the samples with the function anywhere on the stack
}

// Profile loads client's benchmark page, runs its workloads under V8's
// sampling profiler and returns the raw profile (a .cpuprofile, which
// Chromium's DevTools open) and the functions by self time.
func Profile(browserCtx context.Context, base string, params map[string]int, c Client) ([]byte, []FuncTime, error) {
	tab, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(tab, pageTimeout)
	defer cancelT()

	q := url.Values{"wait": {"1"}}
	for k, v := range c.Query {
		q[k] = v
	}
	for k, v := range params {
		q.Set(k, strconv.Itoa(v))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/bench/run.html?"+q.Encode())); err != nil {
		return nil, nil, err
	}
	if _, err := chromedp.Call(ctx, profiler.Enable, cdp.Empty{}); err != nil {
		return nil, nil, err
	}
	if _, err := chromedp.Call(ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 100}); err != nil {
		return nil, nil, err
	}
	if _, err := chromedp.Call(ctx, profiler.Start, cdp.Empty{}); err != nil {
		return nil, nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void]("window.benchStart()")); err != nil {
		return nil, nil, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string]("window.benchResult", chromedp.EvalAwaitPromise)); err != nil {
		return nil, nil, err
	}
	res, err := chromedp.Call(ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		return nil, nil, err
	}
	raw, err := json.Marshal(res.Profile)
	if err != nil {
		return nil, nil, err
	}
	return raw, summarizeProfile(res.Profile), nil
}

// summarizeProfile returns the functions by self time, as shares of all
// samples (idle and program time included).
func summarizeProfile(p *profiler.Profile) []FuncTime {
	if p == nil || len(p.Nodes) == 0 {
		return nil
	}
	byID := map[int64]*profiler.ProfileNode{}
	parent := map[int64]int64{}
	for _, n := range p.Nodes {
		byID[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	name := func(n *profiler.ProfileNode) string {
		if n.CallFrame == nil {
			return "?"
		}
		f := n.CallFrame.FunctionName
		if f == "" {
			f = "(anonymous)"
		}
		if u := n.CallFrame.URL; u != "" {
			if i := strings.LastIndexByte(u, '/'); i >= 0 {
				u = u[i+1:]
			}
			f += " " + u
		}
		return f
	}
	self := map[string]float64{}
	total := map[string]float64{}
	for _, id := range p.Samples {
		n := byID[id]
		if n == nil {
			continue
		}
		self[name(n)]++
		seen := map[string]bool{}
		for cur, ok := id, true; ok; cur, ok = parent[cur] {
			nm := name(byID[cur])
			if !seen[nm] {
				seen[nm] = true
				total[nm]++
			}
		}
	}
	all := float64(len(p.Samples))
	var out []FuncTime
	for nm, s := range self {
		out = append(out, FuncTime{Name: nm, Self: s / all, Total: total[nm] / all})
	}
	for nm, t := range total {
		if _, ok := self[nm]; !ok {
			out = append(out, FuncTime{Name: nm, Total: t / all})
		}
	}
	slices.SortFunc(out, func(a, b FuncTime) int { return cmp.Compare(b.Self, a.Self) })
	return out
}

// FormatProfile renders the top n functions by self time and by total time.
func FormatProfile(fs []FuncTime, n int) string {
	var b strings.Builder
	b.WriteString("  self  total  function (by self time)\n")
	for i, f := range fs {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%5.1f%% %5.1f%%  %s\n", 100*f.Self, 100*f.Total, f.Name)
	}
	byTotal := slices.Clone(fs)
	slices.SortFunc(byTotal, func(a, b FuncTime) int { return cmp.Compare(b.Total, a.Total) })
	b.WriteString("\n  self  total  function (by total time)\n")
	for i, f := range byTotal {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%5.1f%% %5.1f%%  %s\n", 100*f.Self, 100*f.Total, f.Name)
	}
	return b.String()
}

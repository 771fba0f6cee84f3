package report

import (
	"fmt"
	"math"
	"strings"
)

// clientLabels names the browser clients in tables.
var clientLabels = map[string]string{
	Native:            "native JS",
	NativeBare:        "native JS touching nothing (limit)",
	NativeStream:      "native JS WebSocketStream",
	WSClient:          "wsclient (SendText)",
	WSClientWrite:     "wsclient (Write)",
	WSClientStream:    "wsclient (WebSocketStream)",
	WSClientOnMessage: "wsclient (OnMessage)",
	WSClientSync:      "wsclient (sync handler)",
	Coder:             "coder/websocket wasm",
	WSClientHTTP:      "wsclient (HTTP fallback, stream)",
	WSClientHTTPPoll:  "wsclient (HTTP fallback, long polls)",
}

// ClientLabel returns the display name of a client.
func ClientLabel(c string) string {
	if l, ok := clientLabels[c]; ok {
		return l
	}
	return c
}

// ratioHeader heads the column of a client's ratio to base.
func ratioHeader(base string) string {
	if base == Native {
		return "÷ native"
	}
	return "÷ " + ClientLabel(base)
}

// BrowserTable has one row per metric: each client's median over rounds
// with its range, and its ratio to its baseline (see Baseline; per-round
// ratios: median and range).
func (b *Browser) Table() Table {
	t := Table{Header: []string{"Metric"}}
	for _, c := range b.Clients {
		t.Header = append(t.Header, ClientLabel(c))
		if c != Native {
			t.Header = append(t.Header, ratioHeader(Baseline(c, b.Clients)))
		}
	}
	hasCoder := contains(b.Clients, Coder) && contains(b.Clients, WSClient)
	if hasCoder {
		t.Header = append(t.Header, "wsclient ÷ coder")
	}
	for _, m := range BrowserMetrics {
		dir := "higher is better"
		if !m.HigherIsBetter {
			dir = "lower is better"
		}
		row := []string{fmt.Sprintf("%s (%s, %s)", m.Label, m.Unit, dir)}
		for _, c := range b.Clients {
			row = append(row, FmtSpread(b.Value(m, c), ""))
			if c != Native {
				row = append(row, FmtRatioSpread(b.Ratio(m, c, Baseline(c, b.Clients))))
			}
		}
		if hasCoder {
			row = append(row, FmtRatioSpread(b.Ratio(m, WSClient, Coder)))
		}
		t.Rows = append(t.Rows, trimUnits(row))
	}
	return t
}

// Table has one row per paired set and metric: the native and Go blocks'
// medians (range) and the per-pair ratio Go ÷ native, median (range).
func (p *Paired) Table() Table {
	t := Table{Header: []string{"Go client ÷ native client", "Metric", "native blocks", "Go blocks", "Go ÷ native per pair", "Pairs"}}
	for _, set := range p.Sets() {
		js, goc := p.Clients(set)
		for _, key := range PairedMetrics {
			m := MetricByKey(key)
			dir := "higher is better"
			if !m.HigherIsBetter {
				dir = "lower is better"
			}
			ratio := p.Ratio(set, key)
			t.Rows = append(t.Rows, trimUnits([]string{
				fmt.Sprintf("%s ÷ %s", ClientLabel(goc), ClientLabel(js)),
				fmt.Sprintf("%s (%s, %s)", m.Label, m.Unit, dir),
				FmtSpread(p.Value(set, key, false), ""),
				FmtSpread(p.Value(set, key, true), ""),
				FmtRatioSpread(ratio),
				fmt.Sprintf("%d", ratio.N),
			}))
		}
	}
	return t
}

// trimUnits removes the trailing space FmtSpread leaves with an empty unit.
func trimUnits(row []string) []string {
	for i, c := range row {
		row[i] = strings.Replace(c, "  (", " (", 1)
		row[i] = strings.TrimSpace(row[i])
	}
	return row
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Table has one row per client: start-up time cold and warm, and the bytes
// transferred.
func (s *Startup) Table() Table {
	t := Table{Header: []string{"Client", "Cold cache", "Warm cache", "Transferred cold", "Transferred warm"}}
	for _, c := range s.Clients {
		t.Rows = append(t.Rows, []string{
			ClientLabel(c),
			FmtMs(summarize(s.StartSeries(c, false))),
			FmtMs(summarize(s.StartSeries(c, true))),
			fmtBytesAuto(s.Bytes(c, false)),
			fmtBytesAuto(s.Bytes(c, true)),
		})
	}
	return t
}

func fmtBytesAuto(b float64) string {
	switch {
	case math.IsNaN(b):
		return "n/a"
	case b >= 1e6:
		return FmtMB(b)
	default:
		return fmt.Sprintf("%.1f kB", b/1e3)
	}
}

// Table has one row per program.
func (p *Payload) Table() Table {
	t := Table{Header: []string{"Program", "Raw", "gzip -9", "brotli 11", "Server sends", "Built with"}}
	for _, pr := range p.Programs {
		if !pr.Built {
			t.Rows = append(t.Rows, []string{pr.Desc, "not built", "", "", "", pr.Note})
			continue
		}
		sent := "n/a"
		if pr.Transferred > 0 {
			sent = fmt.Sprintf("%s (%s)", FmtMB(float64(pr.Transferred)), encodingName(pr.Encoding))
		}
		t.Rows = append(t.Rows, []string{pr.Desc, FmtMB(float64(pr.Raw)), FmtMB(float64(pr.Gzip)), FmtMB(float64(pr.Brotli)), sent, pr.Build})
	}
	return t
}

// TopPackages is how many packages the code table lists before "other".
const TopPackages = 15

// Table lists the largest packages, then the others together, then the
// total.
func (c *CodeBreakdown) Table() Table {
	t := Table{Header: []string{"Package", "Functions", "Code bytes", "Share of the code"}}
	total, funcs := 0, 0
	for _, p := range c.Packages {
		total += p.Bytes
		funcs += p.Funcs
	}
	share := func(n int) string {
		if total == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
	}
	var other PackageCode
	for i, p := range c.Packages {
		if i >= TopPackages {
			other.Funcs += p.Funcs
			other.Bytes += p.Bytes
			continue
		}
		t.Rows = append(t.Rows, []string{p.Package, fmt.Sprintf("%d", p.Funcs), fmt.Sprintf("%d", p.Bytes), share(p.Bytes)})
	}
	if n := len(c.Packages) - TopPackages; n > 0 {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("other (%d packages)", n), fmt.Sprintf("%d", other.Funcs), fmt.Sprintf("%d", other.Bytes), share(other.Bytes)})
	}
	t.Rows = append(t.Rows, []string{"all function bodies", fmt.Sprintf("%d", funcs), fmt.Sprintf("%d", total), share(total)})
	return t
}

// IdleTable has one row per server and ping setting: with pings first,
// then without.
func (s *Server) IdleTable() Table {
	t := Table{Header: []string{"Server", "Pings", "Idle connections held", "RSS before", "RSS after", "Per connection", "Time to open", "Pings answered", "Load average"}}
	for _, pings := range []bool{true, false} {
		for _, name := range []string{OurServer, NodeServer} {
			i := s.IdleRun(name, pings)
			if i == nil {
				continue
			}
			every := "none"
			if i.PingSeconds > 0 {
				every = fmt.Sprintf("every %g s", i.PingSeconds)
			}
			if i.Error != "" {
				t.Rows = append(t.Rows, []string{name, every, fmt.Sprintf("%d of %d: %s", i.Conns, i.Wanted, i.Error), "", "", "", "", "", i.Load})
				continue
			}
			t.Rows = append(t.Rows, []string{
				name, every, fmt.Sprintf("%d", i.Conns),
				FmtMB(float64(i.RSSBefore)), FmtMB(float64(i.RSSAfter)),
				FmtKiB(i.PerConn), fmt.Sprintf("%.1f s", i.OpenSeconds),
				fmt.Sprintf("%d", i.Pings), strings.TrimPrefix(i.Load, "load "),
			})
		}
	}
	return t
}

// EchoTable has one row per client count.
func (s *Server) EchoTable() Table {
	t := Table{Header: []string{"Clients", "duplex echoes/s", "Node ws echoes/s", "duplex ÷ Node",
		"duplex RTT median / p99", "Node RTT median / p99", "duplex echoes per CPU-s", "Node echoes per CPU-s", "Load average (1 min)"}}
	lat := func(server string, n int) string {
		m := s.EchoField(server, n, func(e EchoRound) float64 { return e.LatencyUs })
		p := s.EchoField(server, n, func(e EchoRound) float64 { return e.P99Us })
		if math.IsNaN(m.Median) {
			return "n/a"
		}
		return fmt.Sprintf("%s / %s µs", FmtNum(m.Median), FmtNum(p.Median))
	}
	for _, n := range s.EchoClients() {
		t.Rows = append(t.Rows, trimUnits([]string{
			fmt.Sprintf("%d", n),
			FmtSpread(s.EchoRate(OurServer, n), ""),
			FmtSpread(s.EchoRate(NodeServer, n), ""),
			FmtRatioSpread(s.EchoRatio(OurServer, NodeServer, n)),
			lat(OurServer, n), lat(NodeServer, n),
			FmtNum(s.EchoField(OurServer, n, PerCPU).Median),
			FmtNum(s.EchoField(NodeServer, n, PerCPU).Median),
			s.loadRange(n),
		}))
	}
	return t
}

// loadRange returns the range of the 1-minute load average over the echo
// runs with n clients, or "n/a" when it was not recorded.
func (s *Server) loadRange(n int) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range s.Echo {
		if e.Clients == n && e.Load1 > 0 {
			lo, hi = min(lo, e.Load1), max(hi, e.Load1)
		}
	}
	if math.IsInf(lo, 1) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f–%.1f", lo, hi)
}

// TargetsTable lists the goals with the measured values.
func (r *Results) TargetsTable() Table {
	t := Table{Header: []string{"Target", "Measured", "Met"}}
	for _, g := range r.Targets() {
		m := "n/a"
		if g.Met != nil {
			m = "no"
			if *g.Met {
				m = "yes"
			}
		}
		t.Rows = append(t.Rows, []string{g.Goal, g.Measured, m})
	}
	return t
}

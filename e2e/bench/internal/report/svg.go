package report

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Bar is one bar of a chart: a ratio with the range of the rounds.
type Bar struct {
	Label    string
	Value    float64
	Min, Max float64 // whisker; NaN for none
	Color    string
}

// Group is a set of bars about one quantity.
type Group struct {
	Label string
	Bars  []Bar
}

// Panel is one horizontal bar chart of ratios with a reference line at 1.
type Panel struct {
	Title    string
	Subtitle string
	RefLabel string // label of the line at 1.0
	Groups   []Group
}

// Chart layout, in pixels.
const (
	chartWidth = 900
	labelRight = 380 // right edge of the bar labels
	plotLeft   = 390
	plotRight  = chartWidth - 90
	barHeight  = 14
	barGap     = 5
	groupHead  = 22
	panelHead  = 64
	axisHeight = 28
)

var clientColors = map[string]string{
	NativeBare:        "#bababa",
	NativeStream:      "#999999",
	WSClient:          "#2166ac",
	WSClientWrite:     "#67a9cf",
	WSClientStream:    "#5aae61",
	WSClientOnMessage: "#92c5de",
	WSClientSync:      "#053061",
	Coder:             "#ef8a62",
	WSClientHTTP:      "#b2182b",
	WSClientHTTPPoll:  "#d6604d",
}

// barLabel names a bar of client's ratio to base.
func barLabel(client, base string) string {
	if base == Native {
		return ClientLabel(client)
	}
	return ClientLabel(client) + " ÷ " + ClientLabel(base)
}

// SVG renders panels one below the other as a standalone SVG document.
func SVG(title string, panels []Panel) string {
	var body strings.Builder
	y := 40
	for _, p := range panels {
		y = p.render(&body, y) + 20
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		chartWidth, y, chartWidth, y)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", 10, esc(title))
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }

// scaleMax returns the ratio at the right edge of the plot: room for every
// median, so that one wild round does not squash the bars (whiskers beyond
// the edge are clipped and marked with an arrow).
func (p Panel) scaleMax() float64 {
	m := 1.0
	for _, g := range p.Groups {
		for _, b := range g.Bars {
			if !math.IsNaN(b.Value) && !math.IsInf(b.Value, 0) {
				m = max(m, b.Value)
			}
		}
	}
	return math.Ceil(m*1.35*4) / 4
}

// render draws the panel with its top at y and returns its bottom.
func (p Panel) render(b *strings.Builder, y int) int {
	fmt.Fprintf(b, `<text x="10" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", y+16, esc(p.Title))
	if p.Subtitle != "" {
		fmt.Fprintf(b, `<text x="10" y="%d" fill="#555">%s</text>`+"\n", y+34, esc(p.Subtitle))
	}
	top := y + panelHead
	smax := p.scaleMax()
	x := func(v float64) float64 {
		v = min(max(v, 0), smax)
		return plotLeft + v/smax*(plotRight-plotLeft)
	}
	// Rows first, to know the height for the grid.
	var rows strings.Builder
	cy := top
	for _, g := range p.Groups {
		fmt.Fprintf(&rows, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", cy+15, esc(g.Label))
		cy += groupHead
		for _, bar := range g.Bars {
			fmt.Fprintf(&rows, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelRight, cy+11, esc(bar.Label))
			if math.IsNaN(bar.Value) {
				fmt.Fprintf(&rows, `<text x="%d" y="%d" fill="#888">n/a</text>`+"\n", plotLeft+4, cy+11)
				cy += barHeight + barGap
				continue
			}
			color := bar.Color
			if color == "" {
				color = "#4d9221"
			}
			fmt.Fprintf(&rows, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n",
				plotLeft, cy, x(bar.Value)-plotLeft, barHeight, color)
			end := x(bar.Value)
			if !math.IsNaN(bar.Min) && !math.IsNaN(bar.Max) {
				mid := cy + barHeight/2
				fmt.Fprintf(&rows, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-width="1.2"/>`+"\n", x(bar.Min), mid, x(bar.Max), mid)
				for _, v := range []float64{bar.Min, bar.Max} {
					if v > smax {
						// Clipped: an arrowhead at the edge.
						fmt.Fprintf(&rows, `<path d="M%.1f %d l-6 -4 v8 z" fill="#222"/>`+"\n", x(v)+1, mid)
						continue
					}
					fmt.Fprintf(&rows, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-width="1.2"/>`+"\n", x(v), mid-4, x(v), mid+4)
				}
				end = max(end, x(bar.Max))
			}
			fmt.Fprintf(&rows, `<text x="%.1f" y="%d">%s</text>`+"\n", end+6, cy+11, esc(FmtRatio(bar.Value)))
			cy += barHeight + barGap
		}
	}
	bottom := cy + 4
	// Grid and axis.
	step := 0.25
	if smax > 2.5 {
		step = 0.5
	}
	if smax > 5 {
		step = 1
	}
	for v := 0.0; v <= smax+1e-9; v += step {
		gx := x(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e5e5"/>`+"\n", gx, top, gx, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", gx, bottom+16, fmtTick(v))
	}
	b.WriteString(rows.String())
	rx := x(1)
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b2182b" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n", rx, top-6, rx, bottom)
	if p.RefLabel != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#b2182b">= %s</text>`+"\n", rx, top-10, esc(p.RefLabel))
	}
	return bottom + axisHeight
}

func fmtTick(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "×"
}

// Chart returns the SVG chart of r: the browser clients relative to native
// JS, and duplex's server relative to Node's ws.
func (r *Results) Chart() string {
	var panels []Panel
	if b := r.Browser; b != nil {
		p := Panel{
			Title:    "In the browser: each client ÷ native JS (its own API's)",
			Subtitle: "Page per client; median of per-round ratios, whiskers span the rounds. Throughput: higher is better; round trip: lower is better.",
			RefLabel: "native JS",
		}
		for _, m := range BrowserMetrics {
			dir := "↑"
			if !m.HigherIsBetter {
				dir = "↓"
			}
			g := Group{Label: fmt.Sprintf("%s %s", m.Label, dir)}
			for _, c := range b.Clients {
				if c == Native {
					continue
				}
				base := Baseline(c, b.Clients)
				s := b.Ratio(m, c, base)
				g.Bars = append(g.Bars, Bar{Label: barLabel(c, base), Value: s.Median, Min: s.Min, Max: s.Max, Color: clientColors[c]})
			}
			p.Groups = append(p.Groups, g)
		}
		panels = append(panels, p)
	}
	if pr := r.Paired; pr != nil && len(pr.Runs) > 0 {
		p := Panel{
			Title:    "Paired blocks in one page: Go client ÷ native client",
			Subtitle: "Native and Go blocks alternate in one page; median of per-pair ratios, whiskers span the pairs.",
			RefLabel: "native",
		}
		for _, key := range PairedMetrics {
			m := MetricByKey(key)
			dir := "↑"
			if !m.HigherIsBetter {
				dir = "↓"
			}
			g := Group{Label: fmt.Sprintf("%s %s", m.Label, dir)}
			for _, set := range pr.Sets() {
				js, goc := pr.Clients(set)
				s := pr.Ratio(set, key)
				g.Bars = append(g.Bars, Bar{Label: ClientLabel(goc) + " ÷ " + ClientLabel(js), Value: s.Median, Min: s.Min, Max: s.Max, Color: clientColors[goc]})
			}
			p.Groups = append(p.Groups, g)
		}
		panels = append(panels, p)
	}
	if s := r.Server; s != nil {
		p := Panel{
			Title:    "Server: duplex ÷ Node's ws, same load generator",
			Subtitle: "Echo throughput: higher is better. Memory per idle connection: lower is better.",
			RefLabel: "Node ws",
		}
		g := Group{Label: "Echo throughput (32 B text, one message in flight per client) ↑"}
		for _, n := range s.EchoClients() {
			rs := s.EchoRatio(OurServer, NodeServer, n)
			g.Bars = append(g.Bars, Bar{Label: fmt.Sprintf("%d clients", n), Value: rs.Median, Min: rs.Min, Max: rs.Max})
		}
		p.Groups = append(p.Groups, g)
		mem := Group{Label: "Memory per idle connection (RSS) ↓"}
		for _, pings := range []bool{true, false} {
			ours, theirs := s.IdleRun(OurServer, pings), s.IdleRun(NodeServer, pings)
			if ours == nil || theirs == nil || ours.Error != "" || theirs.Error != "" || theirs.PerConn <= 0 {
				continue
			}
			label := fmt.Sprintf("%d connections, no pings", ours.Conns)
			if pings {
				label = fmt.Sprintf("%d connections, pings every %g s", ours.Conns, ours.PingSeconds)
			}
			mem.Bars = append(mem.Bars, Bar{Label: label, Value: ours.PerConn / theirs.PerConn,
				Min: math.NaN(), Max: math.NaN(), Color: "#8073ac"})
		}
		if len(mem.Bars) > 0 {
			p.Groups = append(p.Groups, mem)
		}
		panels = append(panels, p)
	}
	return SVG("duplex benchmarks", panels)
}

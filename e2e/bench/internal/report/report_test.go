package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample returns results with two browser rounds and both servers.
func sample() *Results {
	page := func(pipe, rtt, p99, big, flood float64) Page {
		return Page{PipelinedRate: pipe, RTTMedianUs: rtt, RTTP99Us: p99, BigMBps: big, FloodRate: flood, TimerResUs: 5, Isolated: true}
	}
	return &Results{
		Meta: Meta{Date: "2026-01-02", GoVersion: "go1.26", CPU: "test cpu", Cores: 2, Kernel: "6.1"},
		Browser: &Browser{
			Params:  map[string]int{"pipe_n": 100, "pipe_size": 32, "rtt_n": 10, "rtt_warm": 2},
			Clients: []string{Native, WSClient, Coder},
			Rounds: []map[string]Page{
				{Native: page(100, 100, 200, 500, 1000), WSClient: page(90, 110, 220, 450, 800), Coder: page(50, 120, 300, 300, 400)},
				{Native: page(200, 100, 200, 500, 1000), WSClient: page(190, 120, 220, 500, 900), Coder: page(100, 130, 300, 250, 450)},
			},
		},
		Payload: &Payload{Programs: []Program{
			{Name: "wsclient-minimal", Desc: "minimal wsclient", Built: true, Raw: 2_870_000, Gzip: 810_000, Brotli: 600_000, Transferred: 2_870_000},
			{Name: "app", Desc: "app.wasm", Built: false, Note: "app/ does not exist yet"},
		}},
		Server: &Server{
			Idle: []Idle{
				{Server: OurServer, Conns: 19_000, Wanted: 20_000, RSSBefore: 10 << 20, RSSAfter: 10<<20 + 19_000*15*1024, PerConn: 15 * 1024, PingSeconds: 5, Pings: 38_000},
				{Server: NodeServer, Conns: 19_000, Wanted: 20_000, PerConn: 10 * 1024, PingSeconds: 5},
				{Server: OurServer, Conns: 19_000, Wanted: 20_000, PerConn: 17 * 1024},
				{Server: NodeServer, Conns: 19_000, Wanted: 20_000, PerConn: 9 * 1024},
			},
			Echo: []EchoRound{
				{Server: OurServer, Round: 0, Clients: 100, Rate: 120, Messages: 360, CPUSeconds: 3, P99Us: 900, Load1: 2.5},
				{Server: NodeServer, Round: 0, Clients: 100, Rate: 100, Messages: 300, CPUSeconds: 3, P99Us: 1000, Load1: 1.5},
				{Server: OurServer, Round: 1, Clients: 100, Rate: 80, Messages: 240, CPUSeconds: 3, P99Us: 1100},
				{Server: NodeServer, Round: 1, Clients: 100, Rate: 100, Messages: 300, CPUSeconds: 3, P99Us: 1000},
			},
		},
	}
}

func TestBrowserRatios(t *testing.T) {
	b := sample().Browser
	pipe := MetricByKey("pipelined")
	// Per-round ratios 0.9 and 0.95: median 0.925.
	r := b.Ratio(pipe, WSClient, Native)
	if math.Abs(r.Median-0.925) > 1e-9 || r.Min != 0.9 || r.Max != 0.95 || r.N != 2 {
		t.Errorf("wsclient/native = %+v", r)
	}
	// wsclient ÷ coder: 1.8 and 1.9.
	r = b.Ratio(pipe, WSClient, Coder)
	if math.Abs(r.Median-1.85) > 1e-9 {
		t.Errorf("wsclient/coder = %+v", r)
	}
	v := b.Value(MetricByKey("rtt_median"), WSClient)
	if v.Median != 115 || v.Min != 110 || v.Max != 120 {
		t.Errorf("rtt value = %+v", v)
	}
}

func TestTargets(t *testing.T) {
	got := map[string]Target{}
	for _, tg := range sample().Targets() {
		got[tg.Goal] = tg
	}
	check := func(goal string, want *bool) {
		t.Helper()
		tg, ok := got[goal]
		if !ok {
			t.Fatalf("no target %q", goal)
		}
		switch {
		case want == nil && tg.Met != nil, want != nil && tg.Met == nil, want != nil && *want != *tg.Met:
			t.Errorf("%s: met=%v (%s), want %v", goal, tg.Met, tg.Measured, want)
		}
	}
	check("wsclient pipelined echo ≥ 0.95× native JS", met(false))                 // 0.9 and 0.95: median 0.925
	check("wsclient pipelined echo ≥ 1.7× coder/websocket wasm", met(true))        // 1.8 and 1.9
	check("wsclient round-trip median ≤ 1.15× native JS, through Read", met(true)) // 1.1 and 1.2: median 1.15
	check("wsclient 1 MiB echo ≥ 0.9× native JS", met(true))                       // 0.9 and 1.0
	check("wsclient server flood ≥ 0.95× native JS", met(false))                   // 0.8 and 0.9
	check("wsclient round-trip median ≤ 1.05× native JS, through the synchronous handler", nil)
	check("wsclient on TransportStream pipelined echo ≥ 0.95× native WebSocketStream", nil)
	check("minimal wsclient program ≤ 2.45 MB raw", met(false))
	check("minimal wsclient program ≤ 0.70 MB gzip", met(false))
	check("app.wasm transferred (brotli) ≤ 2.5 MB", nil)
	check("about 19,000 idle connections at ≤ 16 KiB each, pings on", met(true)) // 15 KiB with pings (17 without)
	check("echo throughput with 100 clients ≥ 1.2× Node's ws", met(false))       // 1.2 and 0.8
	check("echo p99 round trip with 100 clients ≤ Node's ws", met(true))         // 1000 against 1000
}

func TestIdleRows(t *testing.T) {
	s := sample().Server
	if r := s.IdleRun(OurServer, false); r == nil || r.PerConn != 17*1024 {
		t.Errorf("IdleRun(duplex, no pings) = %+v", r)
	}
	if r := s.IdleOf(NodeServer); r == nil || r.PingSeconds != 5 {
		t.Errorf("IdleOf(node) = %+v, want the run with pings", r)
	}
	tab := s.IdleTable()
	if len(tab.Rows) != 4 || tab.Rows[0][1] != "every 5 s" || tab.Rows[2][1] != "none" || tab.Rows[0][7] != "38000" {
		t.Errorf("IdleTable rows = %q", tab.Rows)
	}
	if got := s.EchoTable().Rows[0][8]; got != "1.5–2.5" {
		t.Errorf("load column = %q", got)
	}
}

// paired returns two runs of the websocket set: pipelined and rtt_median.
func paired() *Paired {
	run := func(round int, pipe, rtt []Pair) PairedRun {
		return PairedRun{Set: "websocket", Round: round, JS: Native, Go: WSClient, Transport: "WebSocket",
			Pairs: map[string][]Pair{"pipelined": pipe, "rtt_median": rtt}}
	}
	return &Paired{
		Params: map[string]int{"pairs": 2, "pipe_n": 100, "pipe_size": 32, "rtt_n": 10, "rtt_size": 16},
		Runs: []PairedRun{
			run(0, []Pair{{JS: 100, Go: 96}, {JS: 100, Go: 94, GoFirst: true}}, []Pair{{JS: 100, Go: 104}, {JS: 200, Go: 220, GoFirst: true}}),
			run(1, []Pair{{JS: 200, Go: 200, GoFirst: true}}, []Pair{{JS: 100, Go: 100}}),
		},
	}
}

func TestPaired(t *testing.T) {
	p := paired()
	if got := p.Sets(); !slices.Equal(got, []string{"websocket"}) {
		t.Errorf("Sets = %v", got)
	}
	// Pipelined pairs 0.96, 0.94, 1.0: median 0.96, over both runs.
	r := p.Ratio("websocket", "pipelined")
	if r.N != 3 || math.Abs(r.Median-0.96) > 1e-9 || r.Min != 0.94 || r.Max != 1 {
		t.Errorf("pipelined ratio = %+v", r)
	}
	if v := p.Value("websocket", "rtt_median", false); v.Median != 100 || v.Max != 200 {
		t.Errorf("native rtt blocks = %+v", v)
	}
	if r := p.Ratio("stream", "pipelined"); r.N != 0 || !math.IsNaN(r.Median) {
		t.Errorf("unmeasured set = %+v", r)
	}

	// The paired median decides a target: rounds say 0.925× (no), pairs 0.96× (yes).
	res := sample()
	res.Paired = p
	for _, tg := range res.Targets() {
		if tg.Goal == "wsclient pipelined echo ≥ 0.95× native JS" {
			if tg.Met == nil || !*tg.Met || !strings.Contains(tg.Measured, "rounds 0.93× (0.90–0.95); paired 0.96× (0.94–1.00), 3 pairs") {
				t.Errorf("target %+v", tg)
			}
		}
	}
	md := res.Markdown("chart.svg")
	for _, want := range []string{"### Paired blocks in one page", "2 pairs of blocks", "2 page loads per set",
		"| wsclient (SendText) ÷ native JS | Pipelined echo, 32 B text (msg/s, higher is better) |", "websocket: WebSocket"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestBaseline(t *testing.T) {
	all := []string{Native, NativeBare, WSClient, NativeStream, WSClientStream}
	if got := Baseline(WSClientStream, all); got != NativeStream {
		t.Errorf("stream baseline = %s", got)
	}
	if got := Baseline(WSClientStream, []string{Native, WSClientStream}); got != Native {
		t.Errorf("stream baseline without native stream = %s", got)
	}
	if got := Baseline(NativeBare, all); got != Native {
		t.Errorf("bare baseline = %s", got)
	}
	b := &Browser{Clients: all, Rounds: []map[string]Page{{
		Native: {PipelinedRate: 100}, NativeBare: {PipelinedRate: 110}, WSClient: {PipelinedRate: 90},
		NativeStream: {PipelinedRate: 50}, WSClientStream: {PipelinedRate: 40},
	}}}
	md := b.Table().Markdown()
	for _, want := range []string{"| native JS touching nothing (limit) | ÷ native |", "| wsclient (WebSocketStream) | ÷ native JS WebSocketStream |",
		"| 110 | 1.10× | 90.0 | 0.90× | 50.0 | 0.50× | 40.0 | 0.80× |"} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}

func TestEchoRatioPairsRounds(t *testing.T) {
	s := sample().Server
	r := s.EchoRatio(OurServer, NodeServer, 100)
	if r.N != 2 || r.Min != 0.8 || r.Max != 1.2 || math.Abs(r.Median-1) > 1e-9 {
		t.Errorf("EchoRatio = %+v", r)
	}
	if got := PerCPU(s.Echo[0]); got != 120 {
		t.Errorf("PerCPU = %v", got)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{FmtNum(412_345), "412k"},
		{FmtNum(41_234), "41.2k"},
		{FmtNum(4_123), "4123"},
		{FmtNum(1_234_567), "1.23M"},
		{FmtNum(123.4), "123"},
		{FmtNum(math.NaN()), "n/a"},
		{FmtRatio(0.926), "0.93×"},
		{FmtMB(2_865_000), "2.87 MB"},
		{FmtKiB(15 * 1024), "15.0 KiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestTables(t *testing.T) {
	r := sample()
	md := r.Browser.Table().Markdown()
	if !strings.Contains(md, "| Metric | native JS | wsclient (SendText) | ÷ native |") {
		t.Errorf("header:\n%s", md)
	}
	if !strings.Contains(md, "0.93× (0.90–0.95)") {
		t.Errorf("no pipelined ratio in:\n%s", md)
	}
	lines := strings.Split(strings.TrimSpace(md), "\n")
	if len(lines) != 2+len(BrowserMetrics) {
		t.Errorf("%d lines, want %d", len(lines), 2+len(BrowserMetrics))
	}
	for _, l := range lines {
		if strings.Count(l, "|") != strings.Count(lines[0], "|") {
			t.Errorf("ragged row %q", l)
		}
	}
	txt := r.Text()
	for _, want := range []string{"== Targets ==", "not built", "19000", "1.00× (0.80–1.20)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text report lacks %q:\n%s", want, txt)
		}
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	svg := sample().Chart()
	d := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// The background, 5 metrics × 2 clients, 1 echo bar, 2 memory bars
	// (with pings, without).
	if rects != 1+10+1+2 {
		t.Errorf("%d rects", rects)
	}
	// With paired runs, a bar for each metric the one set measured (two of four).
	r := sample()
	r.Paired = paired()
	if n := strings.Count(r.Chart(), "<rect "); n != 1+10+1+2+2 {
		t.Errorf("with paired runs: %d rects", n)
	}
	if !strings.Contains(svg, "native JS") || !strings.Contains(svg, "0.93×") {
		t.Error("chart lacks its labels")
	}
	// Empty results still give a valid document.
	if err := xml.Unmarshal([]byte((&Results{}).Chart()), new(struct{})); err != nil {
		t.Errorf("empty chart: %v", err)
	}
}

func TestUpdateDoc(t *testing.T) {
	doc := "# B\n\nintro\n" + BeginMarker + "\nold\n" + EndMarker + "\n\n## Analysis\nkept\n"
	got := UpdateDoc(doc, "new\n")
	if !strings.Contains(got, "intro") || !strings.Contains(got, "kept") || strings.Contains(got, "old") || !strings.Contains(got, "new") {
		t.Errorf("UpdateDoc:\n%s", got)
	}
	fresh := UpdateDoc("", "gen\n")
	if !strings.Contains(fresh, BeginMarker) || !strings.Contains(fresh, "gen") {
		t.Errorf("fresh doc:\n%s", fresh)
	}
}

func TestSaveLoadMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	r := sample()
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Browser.Rounds) != 2 || got.Server.Echo[0].Rate != 120 {
		t.Errorf("round trip lost data: %+v", got)
	}
	got.Meta.NodeWS, got.Meta.Node = "8.0.0", "v20"
	got.Merge(&Results{Meta: Meta{Date: "later", Node: "v22"}, Startup: &Startup{}, Chat: &Chat{Rounds: []ChatRound{{LoadAvg: "1 2 3"}}}})
	if got.Browser == nil || got.Startup == nil || got.Chat == nil || got.Meta.Date != "later" {
		t.Errorf("Merge: %+v", got)
	}
	// A run that did not look at a tool keeps what an earlier run found.
	if got.Meta.NodeWS != "8.0.0" || got.Meta.Node != "v22" {
		t.Errorf("Merge's meta: %+v", got.Meta)
	}
	if md := got.Markdown("c.svg"); !strings.Contains(md, "### Chat: one big room") || !strings.Contains(md, "| 1 2 3 |") {
		t.Errorf("Markdown lacks the chat table:\n%s", md)
	}
	empty, err := Load(filepath.Join(t.TempDir(), "missing.json"))
	if err != nil || empty.Browser != nil {
		t.Errorf("Load(missing) = %+v, %v", empty, err)
	}
}

func TestRotation(t *testing.T) {
	cs := []string{"a", "b", "c"}
	for r, want := range [][]string{{"a", "b", "c"}, {"b", "c", "a"}, {"c", "a", "b"}, {"a", "b", "c"}} {
		if got := Rotation(cs, r); !slices.Equal(got, want) {
			t.Errorf("Rotation(%d) = %v, want %v", r, got, want)
		}
	}
	if got := Rotation([]string(nil), 3); got != nil {
		t.Errorf("Rotation(nil) = %v", got)
	}
	b := &Browser{Clients: cs}
	if got := b.OrderText(); !strings.Contains(got, "same order every round") {
		t.Errorf("no orders: %q", got)
	}
	b.Orders = [][]string{Rotation(cs, 0), Rotation(cs, 1)}
	if got := b.OrderText(); !strings.Contains(got, "rotated by one client every round") || !strings.Contains(got, "started with a, b") {
		t.Errorf("rotated: %q", got)
	}
	b.Orders = [][]string{{"c", "b", "a"}}
	if got := b.OrderText(); !strings.Contains(got, "round 1: c, b, a") {
		t.Errorf("other order: %q", got)
	}
}

func TestCodeBreakdown(t *testing.T) {
	c := &CodeBreakdown{Desc: "minimal", Build: "-trimpath", FileBytes: 3e6, CodeSection: 1000, StrippedCode: 1000, DataSection: 500}
	for i := range TopPackages + 2 {
		c.Packages = append(c.Packages, PackageCode{Package: fmt.Sprintf("p%02d", i), Funcs: 1, Bytes: 100 - i})
	}
	tb := c.Table()
	if len(tb.Rows) != TopPackages+2 {
		t.Fatalf("%d rows, want the top %d, other and the total", len(tb.Rows), TopPackages)
	}
	// The last two packages (85 and 84 bytes) are "other"; the total is 1564.
	if got := tb.Rows[TopPackages]; !slices.Equal(got, []string{"other (2 packages)", "2", "169", "10.8%"}) {
		t.Errorf("other row = %v", got)
	}
	if got := tb.Rows[TopPackages+1]; !slices.Equal(got, []string{"all function bodies", "17", "1564", "100.0%"}) {
		t.Errorf("total row = %v", got)
	}
	md := c.Markdown()
	if !strings.Contains(md, "the same as the stripped build's") || !strings.Contains(md, "| p00 | 1 | 100 | 6.4% |") {
		t.Errorf("markdown:\n%s", md)
	}
	if md := (&CodeBreakdown{Desc: "x", Note: "no file"}).Markdown(); !strings.Contains(md, "Not measured: no file") {
		t.Errorf("unmeasured:\n%s", md)
	}
}

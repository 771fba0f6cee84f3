// Package report holds the raw results of `make bench` (docs/bench/results.json),
// turns them into summaries (medians over rounds, spreads, ratios), and
// renders them as a text table, Markdown for docs/BENCHMARKS.md, and an SVG
// chart.
package report

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
)

// Results is everything one `make bench` measured. Each part is nil when
// its phase was not run; Merge keeps the parts of an earlier run.
type Results struct {
	Meta    Meta     `json:"meta"`
	Browser *Browser `json:"browser,omitempty"`
	Startup *Startup `json:"startup,omitempty"`
	Paired  *Paired  `json:"paired,omitempty"`
	Payload *Payload `json:"payload,omitempty"`
	Server  *Server  `json:"server,omitempty"`
	Chat    *Chat    `json:"chat,omitempty"`
}

// Meta describes the machine and the versions measured.
type Meta struct {
	Date      string `json:"date"`
	GoVersion string `json:"go"`
	Chromium  string `json:"chromium,omitempty"`
	Node      string `json:"node,omitempty"`
	NodeWS    string `json:"node_ws,omitempty"`
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	Kernel    string `json:"kernel"`
	NOFILE    uint64 `json:"nofile_hard_limit"`
}

// Client names in the browser benchmarks. Native is the baseline: it uses
// every message as an application would (reads its data). NativeBare
// touches nothing and is a limit, not a contender; NativeStream is the
// baseline of the WebSocketStream clients (see Baseline).
const (
	Native            = "jsnative"           // WebSocket, reads each message's data
	NativeBare        = "jsnative-bare"      // WebSocket, counts message events only
	NativeStream      = "jsnative-stream"    // WebSocketStream, reads each message's data
	WSClient          = "wsclient"           // SendText/SendBinary + Read in a goroutine
	WSClientWrite     = "wsclient-write"     // Write(ctx) + Read in a goroutine
	WSClientStream    = "wsclient-stream"    // SendText + Read, WebSocketStream transport
	WSClientOnMessage = "wsclient-onmessage" // SendText + Options.OnMessage
	WSClientSync      = "wsclient-sync"      // SendText + a synchronous message handler
	Coder             = "coder"              // coder/websocket's wasm client
	WSClientHTTP      = "wsclient-http"      // SendText + Read, the HTTP fallback streaming
	WSClientHTTPPoll  = "wsclient-http-poll" // SendText + Read, the HTTP fallback long-polling
)

// Baseline returns the native client that client is compared with in a
// run of clients: native WebSocketStream for wsclient on WebSocketStream
// (when it ran), native WebSocket for everything else.
func Baseline(client string, clients []string) string {
	if client == WSClientStream && slices.Contains(clients, NativeStream) {
		return NativeStream
	}
	return Native
}

// Browser holds the in-browser rounds.
type Browser struct {
	Params  map[string]int    `json:"params"`
	Clients []string          `json:"clients"`          // the list the rounds' orders rotate
	Orders  [][]string        `json:"orders,omitempty"` // each round's order (none: Clients, in every round)
	Rounds  []map[string]Page `json:"rounds"`
	Errors  []string          `json:"errors,omitempty"` // pages that failed (left out of their round)
}

// Rotation returns the order of clients in round r (from 0): the list
// rotated left by r, so that over len(clients) rounds every client runs
// first, second, … and last once each.
func Rotation[T any](clients []T, r int) []T {
	if len(clients) == 0 {
		return nil
	}
	k := r % len(clients)
	return append(slices.Clone(clients[k:]), clients[:k]...)
}

// Page is what one page load measured.
type Page struct {
	PipelinedRate float64 `json:"pipelined_rate"` // echoes/s, 32-byte text, pipelined
	RTTMedianUs   float64 `json:"rtt_median_us"`  // 16-byte text round trip
	RTTP99Us      float64 `json:"rtt_p99_us"`
	RTTSamples    int     `json:"rtt_samples"`
	BigMBps       float64 `json:"big_mbps"`   // 1 MiB binary echoes, MB/s one way
	FloodRate     float64 `json:"flood_rate"` // 16-byte binary messages/s received
	TimerResUs    float64 `json:"timer_resolution_us"`
	Isolated      bool    `json:"cross_origin_isolated"`
	Transport     string  `json:"transport"` // WebSocket or WebSocketStream
}

// Paired holds the paired measurements: inside one page, blocks of a
// native client and of a Go client alternate, and each pair of adjacent
// blocks gives a ratio.
type Paired struct {
	Params map[string]int `json:"params"` // block sizes and message sizes; "pairs" per workload
	Runs   []PairedRun    `json:"runs"`   // one per page load
	Errors []string       `json:"errors,omitempty"`
}

// PairedRun is one page load of a paired set.
type PairedRun struct {
	Set       string            `json:"set"` // see the browser package's PairedSets
	Round     int               `json:"round"`
	JS        string            `json:"js"` // the native client's name
	Go        string            `json:"go"` // the Go client's name
	Transport string            `json:"transport"`
	Pairs     map[string][]Pair `json:"pairs"` // by metric key (pipelined, rtt_median, big, flood)
}

// Pair is one native block and the Go block next to it: the metric of
// each (a rate, or a block's median round trip).
type Pair struct {
	JS      float64 `json:"js"`
	Go      float64 `json:"go"`
	GoFirst bool    `json:"go_first,omitempty"` // the Go block ran first
}

// Startup holds the start-up rounds: time from navigation to the first
// WebSocket open event.
type Startup struct {
	Clients []string                 `json:"clients"`
	Rounds  []map[string]StartSample `json:"rounds"`
	Errors  []string                 `json:"errors,omitempty"`
}

// StartSample is one cold load (empty cache) and the warm load after it.
type StartSample struct {
	ColdMs    float64 `json:"cold_ms"`
	WarmMs    float64 `json:"warm_ms"`
	ColdBytes int64   `json:"cold_transfer_bytes"` // bytes over the network (headers included), every resource
	WarmBytes int64   `json:"warm_transfer_bytes"`
}

// Payload holds the sizes of the wasm programs.
type Payload struct {
	Programs []Program      `json:"programs"`
	Code     *CodeBreakdown `json:"code_by_package,omitempty"`
}

// CodeBreakdown is the code of one program by Go package: the function
// bodies of its code section, each counted for the package its name (from
// an unstripped build's name section) belongs to.
type CodeBreakdown struct {
	Program      string        `json:"program"` // a payload program's name
	Desc         string        `json:"desc"`
	Build        string        `json:"build"` // how the unstripped copy was built
	FileBytes    int64         `json:"file_bytes"`
	CodeSection  int           `json:"code_section_bytes"`
	DataSection  int           `json:"data_section_bytes"`
	StrippedCode int           `json:"stripped_code_section_bytes,omitempty"` // the payload table's build
	Packages     []PackageCode `json:"packages"`                              // largest first
	Note         string        `json:"note,omitempty"`
}

// PackageCode is one package's share of a CodeBreakdown.
type PackageCode struct {
	Package string `json:"package"`
	Funcs   int    `json:"funcs"`
	Bytes   int    `json:"bytes"`
}

// Program is one wasm program's sizes. Sizes are bytes; Transferred is what
// the server sent for it to a browser-like request (Accept-Encoding: gzip,
// deflate, br, zstd), body only.
type Program struct {
	Name        string `json:"name"`
	Desc        string `json:"desc"`
	Build       string `json:"build"` // how it was built
	Built       bool   `json:"built"`
	Raw         int64  `json:"raw,omitempty"`
	Gzip        int64  `json:"gzip,omitempty"`   // gzip -9
	Brotli      int64  `json:"brotli,omitempty"` // brotli quality 11, window 24
	Transferred int64  `json:"transferred,omitempty"`
	Encoding    string `json:"content_encoding,omitempty"`
	ServedBy    string `json:"served_by,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Server holds the server benchmarks.
type Server struct {
	Idle []Idle      `json:"idle"`
	Echo []EchoRound `json:"echo"`
	Note string      `json:"note,omitempty"`
}

// Server names.
const (
	OurServer  = "duplex"
	NodeServer = "node-ws"
)

// Idle is one idle-connection run.
type Idle struct {
	Server      string  `json:"server"`
	Conns       int     `json:"conns"`
	Wanted      int     `json:"wanted"`
	ServerFDs   int     `json:"server_fds"`
	RSSBefore   int64   `json:"rss_before"`
	RSSAfter    int64   `json:"rss_after"`
	PerConn     float64 `json:"bytes_per_conn"`
	OpenSeconds float64 `json:"open_seconds"`
	PingSeconds float64 `json:"ping_interval_s,omitempty"` // the server pinged each connection this often; 0: no pings
	Pings       int64   `json:"pings_answered,omitempty"`  // pings the held connections answered
	Load        string  `json:"load,omitempty"`            // load averages when the memory was measured
	Error       string  `json:"error,omitempty"`
}

// EchoRound is one echo run against one server.
type EchoRound struct {
	Server     string  `json:"server"`
	Round      int     `json:"round"`
	Clients    int     `json:"clients"`
	MsgSize    int     `json:"msg_size"`
	Messages   int64   `json:"messages"`
	Seconds    float64 `json:"seconds"`
	Rate       float64 `json:"rate"`
	LatencyUs  float64 `json:"latency_us"`
	P99Us      float64 `json:"p99_us"`
	CPUSeconds float64 `json:"server_cpu_seconds"`
	Load1      float64 `json:"load1,omitempty"` // the machine's 1-minute load average at the end of the run
	Error      string  `json:"error,omitempty"`
}

// Load reads results from path; a missing file gives empty results.
func Load(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Results{}, nil
	}
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Save writes r to path as indented JSON.
func (r *Results) Save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Merge replaces r's parts with those of newer that are set, and its Meta.
func (r *Results) Merge(newer *Results) {
	// A run of some phases may not have looked at every tool: keep what
	// an earlier run found.
	m := newer.Meta
	for _, f := range []struct{ new, old *string }{
		{&m.Chromium, &r.Meta.Chromium}, {&m.Node, &r.Meta.Node}, {&m.NodeWS, &r.Meta.NodeWS},
	} {
		if *f.new == "" {
			*f.new = *f.old
		}
	}
	r.Meta = m
	if newer.Browser != nil {
		r.Browser = newer.Browser
	}
	if newer.Startup != nil {
		r.Startup = newer.Startup
	}
	if newer.Paired != nil {
		r.Paired = newer.Paired
	}
	if newer.Payload != nil {
		r.Payload = newer.Payload
	}
	if newer.Server != nil {
		r.Server = newer.Server
	}
	if newer.Chat != nil {
		r.Chat = newer.Chat
	}
}

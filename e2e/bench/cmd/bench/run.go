package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/browser"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/e2e/bench/internal/report"
	"github.com/duplexgo/duplex/e2e/internal/chrome"
)

// runConfig is what the flags of `bench run` set.
type runConfig struct {
	phases       map[string]bool
	binDir       string // benchserver and the wasm programs
	nodeDir      string // echo.js, brotli.js and node_modules
	webDir       string // web/app.wasm
	duplexd      string // the real server binary, for what it sends of app.wasm
	outDir       string // docs
	rounds       int
	clients      []browser.Client // the browser clients, in the first round's order
	params       map[string]int   // the browser workloads' parameters
	pairedParams map[string]int   // the paired blocks' parameters
	pairedRounds int
	pairedSets   []browser.PairedSet
	extra        []string // experimental browser clients
	startRounds  int
	idle         int
	idlePing     time.Duration
	echoClients  []int
	echoRounds   int
	echoDuration time.Duration
	chatMembers  int
	chatSenders  int
	chatRate     float64
	chatDuration time.Duration
	chatRounds   int
}

// runTimeout bounds a whole run.
const runTimeout = 20 * time.Minute

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	phases := fs.String("phases", "browser,paired,startup,payload,server,chat", "phases to run")
	var cfg runConfig
	fs.StringVar(&cfg.binDir, "bin", "bin/bench", "directory of benchserver and the wasm programs")
	fs.StringVar(&cfg.nodeDir, "node", "e2e/bench/node", "directory of the Node scripts, with ws installed")
	fs.StringVar(&cfg.webDir, "web", "web", "directory holding app.wasm")
	fs.StringVar(&cfg.duplexd, "duplexd", "bin/duplexd", "duplex's server binary (optional)")
	fs.StringVar(&cfg.outDir, "out", "docs", "where BENCHMARKS.md and bench/ are written")
	fs.IntVar(&cfg.rounds, "rounds", 5, "browser rounds (the order of the clients rotates by one each round)")
	clientList := fs.String("clients", strings.Join(namesOf(browser.Clients), ","),
		"browser clients, comma separated, in the first round's order; also: "+strings.Join(namesOf(browser.OptionalClients), ", "))
	set := fs.String("set", "", "browser workload parameters to change, e.g. pipe_n=2000,rtt_n=200 (for short runs)")
	pairSet := fs.String("pair-set", "", "paired block parameters to change, e.g. pairs=4,pipe_n=500")
	fs.IntVar(&cfg.pairedRounds, "paired-rounds", 1, "page loads per paired set (the first pair's side alternates between them)")
	setList := fs.String("paired-sets", strings.Join(pairedSetNames(browser.PairedSets), ","),
		"paired sets, comma separated; also: "+strings.Join(pairedSetNames(browser.OptionalPairedSets), ", "))
	fs.IntVar(&cfg.startRounds, "start-rounds", 5, "start-up rounds")
	extra := fs.String("extra", "", "more browser clients, comma separated: NAME runs "+cfg.binDir+"/NAME.wasm (built from clients/wsclient or clients/coderwasm) with SendText; for experiments")
	fs.IntVar(&cfg.idle, "idle", 20000, "idle connections to hold")
	fs.DurationVar(&cfg.idlePing, "idle-ping", 5*time.Second, "ping interval of the idle runs with pings (both servers); 0 for no such runs")
	clients := fs.String("echo-clients", "100,1000,10000", "concurrent echo clients, comma separated")
	fs.IntVar(&cfg.echoRounds, "echo-rounds", 5, "echo rounds per server and client count")
	fs.DurationVar(&cfg.echoDuration, "echo-duration", 3*time.Second, "length of one echo run")
	fs.IntVar(&cfg.chatMembers, "chat-members", 1000, "members of the big chat room")
	fs.IntVar(&cfg.chatSenders, "chat-senders", 20, "members of the big room who post")
	fs.Float64Var(&cfg.chatRate, "chat-rate", 200, "messages per second into the big room, all senders together")
	fs.DurationVar(&cfg.chatDuration, "chat-duration", 10*time.Second, "how long the senders post")
	fs.IntVar(&cfg.chatRounds, "chat-rounds", 3, "big-room rounds")
	fs.Parse(args)

	var err error
	if cfg.clients, err = pickClients(*clientList); err != nil {
		return err
	}
	if cfg.params, err = setParams(browser.DefaultParams, *set); err != nil {
		return err
	}
	if cfg.pairedParams, err = setParams(browser.DefaultPairedParams, *pairSet); err != nil {
		return err
	}
	if cfg.pairedSets, err = pickPairedSets(*setList); err != nil {
		return err
	}
	for name := range strings.SplitSeq(*extra, ",") {
		if name = strings.TrimSpace(name); name != "" {
			cfg.extra = append(cfg.extra, name)
		}
	}
	cfg.phases = map[string]bool{}
	for p := range strings.SplitSeq(*phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "browser", "paired", "startup", "payload", "server", "chat":
			cfg.phases[p] = true
		case "":
		default:
			return fmt.Errorf("unknown phase %q", p)
		}
	}
	for c := range strings.SplitSeq(*clients, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(c), &n); err != nil || n <= 0 {
			return fmt.Errorf("-echo-clients: bad count %q", c)
		}
		cfg.echoClients = append(cfg.echoClients, n)
	}
	if cfg.rounds < 1 || cfg.rounds > 50 || cfg.startRounds < 1 || cfg.startRounds > 50 || cfg.echoRounds < 1 || cfg.echoRounds > 20 ||
		cfg.pairedRounds < 1 || cfg.pairedRounds > 50 || cfg.pairedParams["pairs"] < 1 || cfg.pairedParams["pairs"] > 200 {
		return fmt.Errorf("rounds must be between 1 and 50 (echo: 20), pairs between 1 and 200")
	}
	if cfg.echoDuration <= 0 || cfg.echoDuration > time.Minute {
		return fmt.Errorf("-echo-duration must be at most a minute")
	}
	if cfg.chatDuration <= 0 || cfg.chatDuration > time.Minute || cfg.chatRounds < 1 || cfg.chatRounds > 20 ||
		cfg.chatSenders < 1 || cfg.chatSenders > cfg.chatMembers || cfg.chatMembers > 20000 || cfg.chatRate <= 0 ||
		cfg.chatRate/float64(cfg.chatSenders) > 20 {
		return fmt.Errorf("chat: at most a minute, 20 rounds and 20,000 members, 1 to -chat-members senders, each sending at most 20 messages/s (the server's rate limit)")
	}

	// Ctrl-C or SIGTERM cancels the run, which stops the servers, holders
	// and Chromium it started.
	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, runTimeout)
	defer cancel()
	if _, _, err := procs.RaiseNOFILE(); err != nil {
		log.Printf("raising the file limit: %v", err)
	}

	res := &report.Results{Meta: meta(cfg)}
	start := time.Now()
	if cfg.phases["browser"] || cfg.phases["paired"] || cfg.phases["startup"] {
		if err := runBrowser(ctx, cfg, res); err != nil {
			return fmt.Errorf("browser: %w", err)
		}
	}
	if cfg.phases["payload"] {
		p, err := runPayload(ctx, cfg)
		if err != nil {
			return fmt.Errorf("payload: %w", err)
		}
		res.Payload = p
	}
	if cfg.phases["server"] {
		s, err := runServer(ctx, cfg)
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		res.Server = s
	}
	if cfg.phases["chat"] {
		c, err := runChat(ctx, cfg)
		if err != nil {
			return fmt.Errorf("chat: %w", err)
		}
		res.Chat = c
	}
	log.Printf("measured in %s", time.Since(start).Round(time.Second))

	path := filepath.Join(cfg.outDir, "bench", "results.json")
	all, err := report.Load(path)
	if err != nil {
		return err
	}
	all.Merge(res)
	return write(all, cfg.outDir)
}

// cmdReport rewrites the outputs from results.json.
func cmdReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	out := fs.String("out", "docs", "where BENCHMARKS.md and bench/ are")
	fs.Parse(args)
	r, err := report.Load(filepath.Join(*out, "bench", "results.json"))
	if err != nil {
		return err
	}
	return write(r, *out)
}

// write prints the tables and writes results.json, chart.svg and the
// generated part of BENCHMARKS.md.
func write(r *report.Results, outDir string) error {
	fmt.Print(r.Text())
	dir := filepath.Join(outDir, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := r.Save(filepath.Join(dir, "results.json")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "chart.svg"), []byte(r.Chart()), 0o644); err != nil {
		return err
	}
	docPath := filepath.Join(outDir, "BENCHMARKS.md")
	doc, err := os.ReadFile(docPath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	updated := report.UpdateDoc(string(doc), r.Markdown("bench/chart.svg"))
	if err := os.WriteFile(docPath, []byte(updated), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s, %s and %s\n", filepath.Join(dir, "results.json"), filepath.Join(dir, "chart.svg"), docPath)
	return nil
}

// meta describes this machine and the versions measured.
func meta(cfg runConfig) report.Meta {
	m := report.Meta{
		Date:      time.Now().UTC().Format("2006-01-02"),
		GoVersion: runtime.Version(),
		Cores:     runtime.NumCPU(),
		CPU:       cpuModel(),
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if p, err := chrome.Path(); err == nil {
		m.Chromium = firstLine(p, "--version")
	}
	m.Node = firstLine("node", "--version")
	if b, err := os.ReadFile(filepath.Join(cfg.nodeDir, "node_modules", "ws", "package.json")); err == nil {
		if i := strings.Index(string(b), `"version": "`); i >= 0 {
			v := string(b[i+len(`"version": "`):])
			m.NodeWS, _, _ = strings.Cut(v, `"`)
		}
	}
	var rl [2]uint64
	if _, hard, err := procs.RaiseNOFILE(); err == nil {
		rl[1] = hard
	}
	m.NOFILE = rl[1]
	return m
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	l, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return l
}

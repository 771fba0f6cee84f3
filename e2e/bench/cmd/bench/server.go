package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/e2e/bench/internal/report"
)

// target is a server under test.
type target struct {
	name  string
	child *procs.Child
	path  string // the echo endpoint
}

func (t target) url() string { return "ws://" + t.child.Addr + t.path }

// perHolder is the most connections one holder process opens.
const perHolder = 10000

// fdHeadroom is what a server process keeps for its own files (listener,
// epoll, pipes, the Go runtime or Node's).
const fdHeadroom = 100

// runServer measures duplex's server and Node's ws side by side: idle
// connections with memory per connection, then echo throughput.
func runServer(ctx context.Context, cfg runConfig) (*report.Server, error) {
	_, hard, err := procs.RaiseNOFILE()
	if err != nil {
		return nil, err
	}
	res := &report.Server{}
	idle := cfg.idle
	if max := int(hard) - fdHeadroom; idle > max {
		res.Note = fmt.Sprintf("The hard file limit (RLIMIT_NOFILE) here is %d and cannot be raised without CAP_SYS_RESOURCE, so a single server process can hold at most about %d connections; the idle benchmark holds %d instead of %d.",
			hard, max, max, idle)
		log.Print(res.Note)
		idle = max
	}

	// Idle connections: a fresh server per run, with pings every
	// cfg.idlePing on both sides (each as it is usually done: duplex's
	// keepalive, ws's heartbeat), then with no pings on either side.
	settle := 3 * time.Second
	if cfg.idlePing > 0 {
		// Every connection is pinged (and answers) at least once, on both
		// servers, before the memory is measured; the rows without pings
		// wait as long.
		settle = max(settle, 2*cfg.idlePing+time.Second)
	}
	for _, ping := range []time.Duration{cfg.idlePing, 0} {
		if ping <= 0 && len(res.Idle) > 0 && cfg.idlePing <= 0 {
			break
		}
		for _, name := range []string{report.OurServer, report.NodeServer} {
			t, err := startTarget(ctx, cfg, name, ping)
			if err != nil {
				return nil, err
			}
			r := idleRun(ctx, t, idle, ping, settle)
			t.child.Stop()
			res.Idle = append(res.Idle, r)
			if r.Error != "" {
				log.Printf("idle %s (%s): %s", t.name, pingLabel(ping), r.Error)
			} else {
				log.Printf("idle %-8s %-13s %d connections in %.1fs, RSS %.1f → %.1f MB: %.1f KiB each (server fds %d, pings answered %d, %s)",
					t.name, pingLabel(ping), r.Conns, r.OpenSeconds, float64(r.RSSBefore)/1e6, float64(r.RSSAfter)/1e6, r.PerConn/1024, r.ServerFDs, r.Pings, r.Load)
			}
		}
	}

	// Echo: both servers as they run by default (duplex pings every 30 s,
	// which no run lasts; Node's ws does not ping).
	ours, err := startTarget(ctx, cfg, report.OurServer, server30s)
	if err != nil {
		return nil, err
	}
	defer ours.child.Stop()
	node, err := startTarget(ctx, cfg, report.NodeServer, 0)
	if err != nil {
		return nil, err
	}
	defer node.child.Stop()
	targets := []target{ours, node}

	for _, n := range cfg.echoClients {
		for round := range cfg.echoRounds {
			order := targets
			if round%2 == 1 {
				order = []target{targets[1], targets[0]}
			}
			for _, t := range order {
				e := echoRun(ctx, t, n, cfg.echoDuration)
				e.Round = round
				res.Echo = append(res.Echo, e)
				if e.Error != "" {
					log.Printf("echo %s %d clients: %s", t.name, n, e.Error)
					continue
				}
				log.Printf("echo %-8s %5d clients round %d: %8.0f echoes/s, RTT %5.0f/%6.0f µs, server CPU %.2fs (%s)",
					t.name, n, round+1, e.Rate, e.LatencyUs, e.P99Us, e.CPUSeconds, loadAverage())
			}
		}
	}
	return res, nil
}

// echoRun runs one echo load against t, measuring the server's CPU time.
func echoRun(ctx context.Context, t target, clients int, d time.Duration) report.EchoRound {
	e := report.EchoRound{Server: t.name, Clients: clients, MsgSize: 32}
	cpu0, err0 := procs.CPUTime(t.child.Pid())
	r, err := load.Echo(ctx, load.EchoConfig{URL: t.url(), Clients: clients, Duration: d, MsgSize: 32, Sources: echoSources(clients)})
	cpu1, err1 := procs.CPUTime(t.child.Pid())
	e.Load1 = load1()
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Messages, e.Seconds, e.Rate = r.Messages, r.Seconds, r.Rate
	e.LatencyUs, e.P99Us = finite(r.LatencyUs), finite(r.P99Us)
	if err0 == nil && err1 == nil {
		// The CPU time includes connecting the clients, which is small next
		// to the run.
		e.CPUSeconds = (cpu1 - cpu0).Seconds()
	}
	// Let the closed connections drain before the next run.
	waitFDsBelow(t.child.Pid(), 50, 15*time.Second)
	return e
}

func finite(x float64) float64 {
	if x != x {
		return 0
	}
	return x
}

// holderSeq numbers the holder processes of a run; each uses its own source
// address so that no single address runs short of ephemeral ports.
var holderSeq int

// server30s is duplex's default ping interval, which benchserver gets when
// no other is asked for.
const server30s = -2

// pingLabel describes a ping interval for the log.
func pingLabel(ping time.Duration) string {
	if ping <= 0 {
		return "no pings"
	}
	return "pings every " + ping.String()
}

// startTarget starts one server under test: duplex's benchserver with the
// ping interval ping (none when ping is 0, its default when server30s), or
// Node's ws echo server with its heartbeat every ping (none when ping <= 0).
func startTarget(ctx context.Context, cfg runConfig, name string, ping time.Duration) (target, error) {
	switch name {
	case report.OurServer:
		var args []string
		switch {
		case ping == 0:
			args = []string{"-ping-interval", "-1s"}
		case ping > 0:
			args = []string{"-ping-interval", ping.String()}
		}
		c, err := startBenchServer(ctx, cfg, args...)
		if err != nil {
			return target{}, err
		}
		return target{report.OurServer, c, "/echo"}, nil
	default:
		var env []string
		if ping > 0 {
			env = []string{"PING_MS=" + strconv.FormatInt(ping.Milliseconds(), 10)}
		}
		c, err := procs.StartEnv(ctx, os.Stderr, cfg.nodeDir, env, "node", "echo.js")
		if err != nil {
			return target{}, fmt.Errorf("starting Node's ws server (is ws installed in %s?): %w", cfg.nodeDir, err)
		}
		return target{report.NodeServer, c, "/"}, nil
	}
}

// idleRun holds n idle connections to t in holder processes, which answer
// pings, and measures the server's memory before and settle after they are
// all open.
func idleRun(ctx context.Context, t target, n int, ping, settle time.Duration) (r report.Idle) {
	r = report.Idle{Server: t.name, Wanted: n, PingSeconds: max(ping, 0).Seconds()}
	pid := t.child.Pid()
	// Warm up the server's code paths, then let it settle.
	if _, err := load.Echo(ctx, load.EchoConfig{URL: t.url(), Clients: 10, Duration: 500 * time.Millisecond}); err != nil {
		r.Error = "warm-up: " + err.Error()
		return r
	}
	waitFDsBelow(pid, 50, 15*time.Second)
	time.Sleep(time.Second)
	before, err := procs.RSS(pid)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.RSSBefore = before

	self, err := os.Executable()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	type holder struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		pings chan int64 // what the holder reports when it stops
	}
	var holders []holder
	defer func() {
		for _, h := range holders {
			h.stdin.Close()
		}
		for _, h := range holders {
			select {
			case k := <-h.pings:
				r.Pings += k
			case <-time.After(time.Minute):
			}
			h.cmd.Wait()
		}
		waitFDsBelow(pid, 50, 30*time.Second)
	}()
	start := time.Now()
	type ready struct {
		n   int
		err error
	}
	readyc := make(chan ready)
	for left := n; left > 0; left -= perHolder {
		k := min(left, perHolder)
		// Connections with a fixed source address take their port at
		// bind(), and closed ones keep it for a minute (TIME_WAIT): a fresh
		// address per holder and per minute keeps reruns from running out.
		src := fmt.Sprintf("127.77.%d.%d", time.Now().Unix()/60%250, 1+holderSeq%250)
		holderSeq++
		cmd := exec.CommandContext(ctx, self, "hold", "-url", t.url(), "-n", strconv.Itoa(k), "-src", src)
		cmd.Stderr = os.Stderr
		cmd.WaitDelay = 10 * time.Second
		stdin, err1 := cmd.StdinPipe()
		stdout, err2 := cmd.StdoutPipe()
		if err1 != nil || err2 != nil {
			r.Error = fmt.Sprint(err1, err2)
			return r
		}
		if err := cmd.Start(); err != nil {
			r.Error = err.Error()
			return r
		}
		h := holder{cmd, stdin, make(chan int64, 1)}
		holders = append(holders, h)
		go func() {
			br := bufio.NewReader(stdout)
			line, err := br.ReadString('\n')
			f := strings.Fields(line)
			if err != nil || len(f) < 2 || f[0] != "ready" {
				readyc <- ready{err: fmt.Errorf("holder: %q %v", strings.TrimSpace(line), err)}
				h.pings <- 0
				return
			}
			got, _ := strconv.Atoi(f[1])
			readyc <- ready{n: got}
			var pings int64
			for {
				line, err := br.ReadString('\n')
				if f := strings.Fields(line); len(f) == 2 && f[0] == "pings" {
					pings, _ = strconv.ParseInt(f[1], 10, 64)
				}
				if err != nil {
					break
				}
			}
			h.pings <- pings
		}()
	}
	timeout := time.After(3 * time.Minute)
	for range holders {
		select {
		case rd := <-readyc:
			if rd.err != nil && r.Error == "" {
				r.Error = rd.err.Error()
			}
			r.Conns += rd.n
		case <-timeout:
			r.Error = "holders not ready within 3 minutes"
			return r
		case <-ctx.Done():
			r.Error = ctx.Err().Error()
			return r
		}
	}
	r.OpenSeconds = time.Since(start).Seconds()
	if r.Error != "" {
		return r
	}
	// Let the server finish its bookkeeping, ping, and settle.
	time.Sleep(settle)
	r.ServerFDs, _ = procs.OpenFiles(pid)
	r.Load = loadAverage()
	after, err := procs.RSS(pid)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.RSSAfter = after
	r.PerConn = float64(after-before) / float64(r.Conns)
	return r
}

// waitFDsBelow waits until pid has fewer than n open files, or d passes.
func waitFDsBelow(pid, n int, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if k, err := procs.OpenFiles(pid); err != nil || k < n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sourceSeq numbers the source addresses the echo runs use.
var sourceSeq int

// echoSources returns fresh loopback source addresses for an echo run of n
// clients, one per 5,000 clients: the clients close first, so each leaves
// its port in TIME_WAIT for a minute, and a run of 10,000 clients after
// another would otherwise find no free port.
func echoSources(n int) []net.IP {
	k := (n + 4999) / 5000
	base := int(time.Now().Unix()/60%50) * 5
	ips := make([]net.IP, k)
	for i := range ips {
		ips[i] = net.IPv4(127, 78, byte((base+sourceSeq/250)%250), byte(1+sourceSeq%250))
		sourceSeq++
	}
	return ips
}

// load1 returns the machine's load average over the last minute, or 0.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var x float64
	fmt.Sscan(string(b), &x)
	return x
}

// loadAverage returns the machine's load averages over 1, 5 and 15
// minutes, as "load 1.00 0.80 0.50".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load unknown"
	}
	return "load " + strings.Join(f[:3], " ")
}

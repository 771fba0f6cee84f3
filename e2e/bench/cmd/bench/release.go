package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
)

// releaseLimits bound the release measurement whatever its flags say.
const (
	releaseMaxConns = 19000 // under the hard file limit of one process here
	releaseMaxWatch = 5 * time.Minute
)

// cmdRelease measures whether duplexd gives memory back after a spike of
// idle connections: it starts duplexd (with the flags after --) on a free
// 127.0.0.1 port, opens -n idle connections to /echo from this process,
// closes them all at once, and prints duplexd's VmRSS (and its heap and open
// files from /metrics) every -every for -watch. A line per sample, then a
// summary line; the load average is printed at the start and the end.
//
//	bench release -duplexd bin/duplexd -n 15000 -- -free-memory-interval=-1
func cmdRelease(args []string) error {
	fs := flag.NewFlagSet("release", flag.ExitOnError)
	bin := fs.String("duplexd", "bin/duplexd", "the duplexd binary")
	n := fs.Int("n", 15000, "idle connections to open and close")
	watch := fs.Duration("watch", 60*time.Second, "how long to sample after the close")
	every := fs.Duration("every", 5*time.Second, "sampling interval")
	fs.Parse(args)
	if *n <= 0 || *n > releaseMaxConns || *watch <= 0 || *watch > releaseMaxWatch || *every <= 0 {
		return fmt.Errorf("release: want 0 < -n <= %d, 0 < -watch <= %v, -every > 0", releaseMaxConns, releaseMaxWatch)
	}
	if _, _, err := procs.RaiseNOFILE(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseMaxWatch+5*time.Minute)
	defer cancel()

	srv, err := startDuplexd(ctx, *bin, fs.Args())
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	fmt.Printf("duplexd %s, %s\n", strings.Join(fs.Args(), " "), loadAverage())

	// Warm up the echo path, then let the server settle.
	if _, err := load.Echo(ctx, load.EchoConfig{URL: srv.url("/echo"), Clients: 10, Duration: 500 * time.Millisecond}); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	time.Sleep(2 * time.Second)
	sample(srv, pid, "before", 0)

	// A fresh block of source addresses per minute keeps reruns clear of
	// the ports that closed connections hold in TIME_WAIT.
	var sources []net.IP
	for i := range 4 {
		sources = append(sources, net.IPv4(127, 78, byte(time.Now().Unix()/60%250), byte(1+i)))
	}
	start := time.Now()
	pool, err := load.OpenIdle(ctx, load.IdleConfig{URL: srv.url("/echo"), N: *n, Concurrency: 32, Sources: sources})
	if err != nil {
		return err
	}
	fmt.Printf("opened %d idle connections in %.1fs\n", pool.Len(), time.Since(start).Seconds())
	time.Sleep(3 * time.Second)
	held := sample(srv, pid, "held", 0)

	pool.Close()
	closed := time.Now()
	var last int64
	for t := time.Duration(0); t <= *watch; t += *every {
		time.Sleep(time.Until(closed.Add(t)))
		last = sample(srv, pid, "after close", time.Since(closed))
	}
	fmt.Printf("RSS %.0f MB with %d connections, %.0f MB %v after closing them; %s\n",
		float64(held)/1e6, *n, float64(last)/1e6, watch.Round(time.Second), loadAverage())
	return nil
}

// sample prints one line about the server and returns its RSS.
func sample(srv *duplexd, pid int, what string, since time.Duration) int64 {
	rss, _ := procs.RSS(pid)
	fds, _ := procs.OpenFiles(pid)
	m := srv.metrics()
	fmt.Printf("%-12s %5.0fs  rss %6.1f MB  heap_alloc %6.1f MB  heap_released %6.1f MB  goroutines %6s  fds %5d\n",
		what, since.Seconds(), float64(rss)/1e6, m["go_memstats_heap_alloc_bytes"]/1e6,
		m["go_memstats_heap_released_bytes"]/1e6, fmt.Sprint(m["go_goroutines"]), fds)
	return rss
}

// duplexd is a duplexd process started for a measurement.
type duplexd struct {
	cmd  *exec.Cmd
	addr string
}

func (d *duplexd) url(path string) string { return "ws://" + d.addr + path }

// startDuplexd starts bin on a free 127.0.0.1 port, with no connection limit
// and the extra flags, and waits for /healthz.
func startDuplexd(ctx context.Context, bin string, flags []string) (*duplexd, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"-addr", addr, "-max-conns", "-1", "-web", os.TempDir(), "-log-level", "warn"}, flags...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &duplexd{cmd: cmd, addr: addr}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return d, nil
			}
		}
	}
	d.stop()
	return nil, errors.New("duplexd did not answer /healthz within 30s")
}

// stop ends the process: SIGTERM, then SIGKILL after the WaitDelay.
func (d *duplexd) stop() {
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()
}

// metrics returns the unlabelled samples of /metrics (nil when it cannot be
// read).
func (d *duplexd) metrics() map[string]float64 {
	res, err := http.Get("http://" + d.addr + "/metrics")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(io.LimitReader(res.Body, 1<<20))
	for sc.Scan() {
		var name string
		var v float64
		if _, err := fmt.Sscanf(sc.Text(), "%s %g", &name, &v); err == nil && !strings.Contains(name, "{") {
			out[name] = v
		}
	}
	return out
}

package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
	"github.com/duplexgo/duplex/e2e/bench/internal/wsframe"
)

// Limits that bound every run, whatever the caller asks.
const (
	MaxConns    = 100_000
	MaxDuration = 2 * time.Minute
)

// dialer returns a dialer for the i-th connection: with several source
// addresses (127.0.0.2, ...), connections are spread over them so that a
// single source address does not run out of ephemeral ports.
func dialer(sources []net.IP, i int) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: -1}
	if len(sources) > 0 {
		d.LocalAddr = &net.TCPAddr{IP: sources[i%len(sources)]}
	}
	return d
}

// SourceIPs returns n loopback source addresses 127.0.0.1, 127.0.0.2, ...
// (Linux routes all of 127.0.0.0/8 to the loopback interface).
func SourceIPs(n int) []net.IP {
	ips := make([]net.IP, n)
	for i := range ips {
		ips[i] = net.IPv4(127, 0, 0, byte(1+i))
	}
	return ips
}

// IdleConfig describes a set of idle connections.
type IdleConfig struct {
	URL         string   // ws://127.0.0.1:port/path
	N           int      // connections to open
	Concurrency int      // handshakes in flight at once (default 64)
	Sources     []net.IP // source addresses, round robin (default: the kernel's choice)
	Timeout     time.Duration
	// AnswerPings makes each connection read from the moment it is open,
	// as a browser's WebSocket does, answering the server's pings until
	// Close. A message from the server ends its reading: the connections
	// are idle.
	AnswerPings bool
}

// Pool holds idle connections open until Close.
type Pool struct {
	conns   []*Conn
	Elapsed time.Duration // time taken to open them

	readers sync.WaitGroup // the goroutines of AnswerPings
	pings   atomic.Int64
}

// Len returns the number of open connections.
func (p *Pool) Len() int { return len(p.conns) }

// answerPings reads c until it fails, answering pings (see
// IdleConfig.AnswerPings).
func (p *Pool) answerPings(c *Conn) {
	p.readers.Go(func() {
		defer func() { p.pings.Add(c.Pings()) }()
		for {
			if _, _, err := c.Read(); err != nil {
				return
			}
		}
	})
}

// Pings returns how many pings the connections answered when
// IdleConfig.AnswerPings was set; it is complete once Close has returned.
func (p *Pool) Pings() int64 { return p.pings.Load() }

// Close closes every connection (and waits for those that read).
func (p *Pool) Close() {
	for _, c := range p.conns {
		c.Close()
	}
	p.readers.Wait()
	p.conns = nil
}

// OpenIdle opens cfg.N connections and keeps them open, neither reading nor
// writing. It stops at the first failure (closing what it opened) or when
// cfg.Timeout (default 2 minutes) has passed.
func OpenIdle(ctx context.Context, cfg IdleConfig) (*Pool, error) {
	if cfg.N < 0 || cfg.N > MaxConns {
		return nil, fmt.Errorf("load: %d connections: want 0..%d", cfg.N, MaxConns)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Timeout <= 0 || cfg.Timeout > MaxDuration {
		cfg.Timeout = MaxDuration
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	start := time.Now()
	p := &Pool{}
	conns := make([]*Conn, cfg.N)
	firstErr := inParallel(ctx, cfg.N, cfg.Concurrency, func(i int) error {
		dctx, dcancel := context.WithTimeout(ctx, 15*time.Second)
		defer dcancel()
		c, err := Dial(dctx, dialer(cfg.Sources, i), cfg.URL)
		if err != nil {
			return fmt.Errorf("load: connection %d of %d: %w", i+1, cfg.N, err)
		}
		conns[i] = c
		if cfg.AnswerPings {
			p.answerPings(c)
		}
		return nil
	})
	p.Elapsed = time.Since(start)
	for _, c := range conns {
		if c != nil {
			p.conns = append(p.conns, c)
		}
	}
	if firstErr == nil && len(p.conns) < cfg.N {
		firstErr = fmt.Errorf("load: opened %d of %d connections: %w", len(p.conns), cfg.N, context.Cause(ctx))
	}
	if firstErr != nil {
		n := len(p.conns)
		p.Close()
		return nil, fmt.Errorf("%w (after %d were open)", firstErr, n)
	}
	return p, nil
}

// inParallel calls f(0) to f(n-1), concurrency calls at a time, until
// they are done, one fails (its error is returned) or ctx is done.
func inParallel(ctx context.Context, n, concurrency int, f func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range min(concurrency, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(i); err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// EchoConfig describes an echo run: Clients connections, each sending a
// message and waiting for its echo, again and again, for Duration.
type EchoConfig struct {
	URL         string
	Clients     int
	Duration    time.Duration
	MsgSize     int // bytes of each text message (default 32)
	Concurrency int // handshakes in flight while connecting (default 64)
	Sources     []net.IP
}

// EchoResult is what an echo run measured.
type EchoResult struct {
	Clients   int     `json:"clients"`
	MsgSize   int     `json:"msg_size"`
	Messages  int64   `json:"messages"`   // echoes received in the timed window
	Seconds   float64 `json:"seconds"`    // length of the timed window
	Rate      float64 `json:"rate"`       // echoes per second
	LatencyUs float64 `json:"latency_us"` // median round trip, microseconds
	P99Us     float64 `json:"p99_us"`     // 99th percentile round trip
}

// Echo connects cfg.Clients clients, then runs them all together for
// cfg.Duration (at most MaxDuration). Every echo is checked byte for byte.
func Echo(ctx context.Context, cfg EchoConfig) (EchoResult, error) {
	if cfg.Clients <= 0 || cfg.Clients > MaxConns {
		return EchoResult{}, fmt.Errorf("load: %d clients: want 1..%d", cfg.Clients, MaxConns)
	}
	if cfg.Duration <= 0 || cfg.Duration > MaxDuration {
		return EchoResult{}, fmt.Errorf("load: duration %v: want up to %v", cfg.Duration, MaxDuration)
	}
	if cfg.MsgSize <= 0 {
		cfg.MsgSize = 32
	}
	pool, err := OpenIdle(ctx, IdleConfig{URL: cfg.URL, N: cfg.Clients, Concurrency: cfg.Concurrency, Sources: cfg.Sources})
	if err != nil {
		return EchoResult{}, err
	}
	defer pool.Close()

	msg := bytes.Repeat([]byte("0123456789abcdef"), cfg.MsgSize/16+1)[:cfg.MsgSize]
	var (
		total    atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
		startGun = make(chan struct{})
	)
	// Each client keeps every 8th round trip time: enough for a p99
	// without a large allocation.
	samples := make([][]float64, len(pool.conns))
	var stop atomic.Bool
	for i, c := range pool.conns {
		wg.Go(func() {
			<-startGun
			c.SetDeadline(time.Now().Add(cfg.Duration + 30*time.Second))
			var n int64
			for !stop.Load() {
				t0 := time.Now()
				if err := c.Write(wsframe.OpText, msg); err != nil {
					errOnce.Do(func() { firstErr = err })
					break
				}
				op, p, err := c.Read()
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					break
				}
				if op != wsframe.OpText || !bytes.Equal(p, msg) {
					errOnce.Do(func() { firstErr = errors.New("load: the echo differs from the message") })
					break
				}
				if n%8 == 0 {
					samples[i] = append(samples[i], float64(time.Since(t0).Microseconds()))
				}
				n++
			}
			total.Add(n)
		})
	}
	start := time.Now()
	close(startGun)
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if firstErr != nil {
		return EchoResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return EchoResult{}, err
	}
	var all []float64
	for _, s := range samples {
		all = append(all, s...)
	}
	return EchoResult{
		Clients:   cfg.Clients,
		MsgSize:   cfg.MsgSize,
		Messages:  total.Load(),
		Seconds:   elapsed,
		Rate:      float64(total.Load()) / elapsed,
		LatencyUs: stats.Median(all),
		P99Us:     stats.Percentile(all, 99),
	}, nil
}

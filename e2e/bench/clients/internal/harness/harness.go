//go:build js && wasm

// Package harness runs the browser benchmark workloads for a Go WebSocket
// client compiled to wasm. Each client program (wsclient, coderwasm) adapts
// its library to Conn and calls Main; the workloads, their parameters and
// the JSON they report are the same as those of jsnative/bench.js.
//
// Main runs the page-level workloads and reports them (run.html), or, when
// the page asks for paired blocks (benchParams.paired), exposes the same
// workloads to the page one block at a time as window.goBench, for
// pages/paired.js to alternate with the native client's (see paired.go).
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall/js"
	"time"
)

// Conn is one connection of the client under test.
type Conn interface {
	// Send sends one message (text when text is true) without waiting for
	// it to be echoed.
	Send(ctx context.Context, text bool, p []byte) error
	// Read returns the next message's payload. It is not called on a
	// Handled conn whose Dispatcher is not nil.
	Read(ctx context.Context) ([]byte, error)
	// Close closes the connection normally and waits for it to end.
	Close() error
}

// Handled is a Conn whose messages arrive through a callback of its
// library instead of Read: the client passes its Dispatcher's Deliver as
// that callback (for wsclient: Options.OnMessage). The workloads then run
// inside the callback, as a JavaScript onmessage handler does — the round
// trip sends the next message from inside it. A nil Dispatcher means Read.
type Handled interface {
	Conn
	Dispatcher() *Dispatcher
}

// Dispatcher hands each message to the running workload. The zero value is
// ready; a message with no workload running is dropped.
type Dispatcher struct {
	fn atomic.Pointer[func([]byte)]
}

// Deliver gives p to the running workload. It does not block, so it may run
// synchronously inside the browser's message event. p is only read during
// the call.
func (d *Dispatcher) Deliver(p []byte) {
	if fn := d.fn.Load(); fn != nil {
		(*fn)(p)
	}
}

// Dialer opens a connection to a ws:// URL, waiting until it is open.
type Dialer func(ctx context.Context, url string) (Conn, error)

// Result is what one page load reports (the same keys as jsnative/bench.js).
type Result struct {
	PipelinedRate float64   `json:"pipelined_rate"` // echoes per second
	RTTUs         []float64 `json:"rtt_us"`         // each round trip, microseconds
	BigMBps       float64   `json:"big_mbps"`       // 1 MiB echoes, MB/s one way
	FloodRate     float64   `json:"flood_rate"`     // messages per second received
}

type params struct {
	pipeN, pipeSize, rttN, rttWarm, rttSize, bigN, bigSize, floodN, floodSize int
}

func readParams() (params, error) {
	p := js.Global().Get("benchParams")
	var errs []error
	get := func(k string) int {
		n, err := strconv.Atoi(p.Get(k).String())
		if err != nil {
			errs = append(errs, fmt.Errorf("parameter %s: %w", k, err))
		}
		return n
	}
	ps := params{
		pipeN: get("pipe_n"), pipeSize: get("pipe_size"),
		rttN: get("rtt_n"), rttWarm: get("rtt_warm"), rttSize: get("rtt_size"),
		bigN: get("big_n"), bigSize: get("big_size"),
		floodN: get("flood_n"), floodSize: get("flood_size"),
	}
	return ps, errors.Join(errs...)
}

// Main runs the workloads with dial and reports the result to the page,
// or serves them block by block when the page asks for paired blocks.
func Main(dial Dialer) {
	if js.Global().Get("benchParams").Get("paired").Truthy() {
		servePaired(dial)
		return
	}
	res, err := run(dial)
	if err != nil {
		js.Global().Call("benchFail", err.Error())
		return
	}
	b, _ := json.Marshal(res)
	js.Global().Call("benchDone", string(b))
}

// run runs the page-level workloads: the same sequence as runNative in
// jsnative/bench.js.
func run(dial Dialer) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := readParams()
	if err != nil {
		return Result{}, err
	}
	var res Result
	s, err := openSide(ctx, dial, p)
	if err != nil {
		return res, err
	}
	if _, err := s.pipelined(200); err != nil {
		return res, err
	}
	d, err := s.pipelined(p.pipeN)
	if err != nil {
		return res, err
	}
	res.PipelinedRate = float64(p.pipeN) / d.Seconds()
	if _, err := s.rtt(p.rttWarm); err != nil {
		return res, err
	}
	if res.RTTUs, err = s.rtt(p.rttN); err != nil {
		return res, err
	}
	if _, err := s.big(2); err != nil {
		return res, err
	}
	if d, err = s.big(p.bigN); err != nil {
		return res, err
	}
	res.BigMBps = float64(p.bigN*p.bigSize) / 1e6 / d.Seconds()
	if d, err = s.flood(p.floodN); err != nil {
		return res, err
	}
	res.FloodRate = float64(p.floodN) / d.Seconds()
	return res, s.close()
}

// side is one client's two connections, /echo and a repeatable
// /bench/flood, with the workloads run on them one block at a time.
type side struct {
	ctx              context.Context
	echo, fl         Conn
	small, tiny, blk []byte
	floodSize        int
}

func openSide(ctx context.Context, dial Dialer, p params) (*side, error) {
	loc := js.Global().Get("location")
	base := "ws://" + loc.Get("host").String()
	if loc.Get("protocol").String() == "https:" {
		base = "wss://" + loc.Get("host").String()
	}
	echo, err := dial(ctx, base+"/echo")
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	fl, err := dial(ctx, fmt.Sprintf("%s/bench/flood?n=1&size=%d&repeat=1", base, p.floodSize))
	if err != nil {
		echo.Close()
		return nil, fmt.Errorf("dial flood: %w", err)
	}
	blk := make([]byte, p.bigSize)
	for i := range blk {
		blk[i] = byte(i)
	}
	return &side{
		ctx: ctx, echo: echo, fl: fl,
		small:     bytes.Repeat([]byte("x"), p.pipeSize),
		tiny:      bytes.Repeat([]byte("y"), p.rttSize),
		blk:       blk,
		floodSize: p.floodSize,
	}, nil
}

func (s *side) pipelined(n int) (time.Duration, error) {
	return pipelined(s.ctx, s.echo, n, true, s.small)
}

func (s *side) rtt(n int) ([]float64, error) { return roundTrips(s.ctx, s.echo, n, s.tiny) }

func (s *side) big(n int) (time.Duration, error) { return pipelined(s.ctx, s.echo, n, false, s.blk) }

func (s *side) flood(n int) (time.Duration, error) { return flood(s.ctx, s.fl, n, s.floodSize) }

func (s *side) close() error {
	errEcho := s.echo.Close()
	s.fl.Close() // the flood's end is not measured
	if errEcho != nil {
		return fmt.Errorf("close: %w", errEcho)
	}
	return nil
}

// sink keeps what use reads.
var sink byte

// use reads a message as an application would, as jsnative/bench.js does:
// it checks its length and reads its first byte.
func use(p []byte, want int) error {
	if len(p) != want {
		return fmt.Errorf("message of %d bytes, want %d", len(p), want)
	}
	if len(p) > 0 {
		sink += p[0]
	}
	return nil
}

// receive gives each message of c to fn until fn reports done or an error,
// and returns a function that waits for that. A Read-based Conn is read by
// a goroutine; a Handled conn's Dispatcher calls fn itself, inside the
// library's callback.
func receive(ctx context.Context, c Conn, fn func(p []byte) (done bool, err error)) (wait func() error) {
	end := make(chan error, 1)
	if h, ok := c.(Handled); ok && h.Dispatcher() != nil {
		d := h.Dispatcher()
		var handler func([]byte)
		handler = func(p []byte) {
			if done, err := fn(p); done || err != nil {
				d.fn.CompareAndSwap(&handler, nil)
				end <- err
			}
		}
		d.fn.Store(&handler)
	} else {
		go func() {
			for {
				p, err := c.Read(ctx)
				if err != nil {
					end <- fmt.Errorf("read: %w", err)
					return
				}
				if done, err := fn(p); done || err != nil {
					end <- err
					return
				}
			}
		}()
	}
	return func() error {
		select {
		case err := <-end:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pipelined sends n copies of msg without waiting while the n echoes are
// received; it returns the time from the first send to the last echo.
// As in JavaScript, the sends all happen before the page's event loop runs
// again: the Go program gives the event loop back only when it blocks.
func pipelined(ctx context.Context, c Conn, n int, text bool, msg []byte) (time.Duration, error) {
	if n == 0 {
		return 0, nil
	}
	got := 0
	start := time.Now()
	wait := receive(ctx, c, func(p []byte) (bool, error) {
		if err := use(p, len(msg)); err != nil {
			return false, fmt.Errorf("pipelined: %w", err)
		}
		got++
		return got == n, nil
	})
	for range n {
		if err := c.Send(ctx, text, msg); err != nil {
			return 0, fmt.Errorf("pipelined send: %w", err)
		}
	}
	if err := wait(); err != nil {
		return 0, fmt.Errorf("pipelined: %w", err)
	}
	return time.Since(start), nil
}

// roundTrips sends msg and receives its echo, n times in a row, and returns
// each round trip in microseconds. The next message is sent by whoever
// received the echo: the reading goroutine, or the handler.
func roundTrips(ctx context.Context, c Conn, n int, msg []byte) ([]float64, error) {
	out := make([]float64, 0, n)
	if n == 0 {
		return out, nil
	}
	var t0 time.Time
	wait := receive(ctx, c, func(p []byte) (bool, error) {
		out = append(out, float64(time.Since(t0).Nanoseconds())/1e3)
		if err := use(p, len(msg)); err != nil {
			return false, fmt.Errorf("round trip: %w", err)
		}
		if len(out) == n {
			return true, nil
		}
		t0 = time.Now()
		return false, c.Send(ctx, true, msg)
	})
	t0 = time.Now()
	if err := c.Send(ctx, true, msg); err != nil {
		return nil, fmt.Errorf("round trip send: %w", err)
	}
	if err := wait(); err != nil {
		return nil, fmt.Errorf("round trip: %w", err)
	}
	return out, nil
}

// flood asks the flood endpoint for n messages of size bytes and receives
// them; it returns the time from the request to the last message.
func flood(ctx context.Context, c Conn, n, size int) (time.Duration, error) {
	if n == 0 {
		return 0, nil
	}
	got := 0
	wait := receive(ctx, c, func(p []byte) (bool, error) {
		if err := use(p, size); err != nil {
			return false, fmt.Errorf("flood message %d: %w", got+1, err)
		}
		got++
		return got == n, nil
	})
	start := time.Now()
	if err := c.Send(ctx, true, []byte(strconv.Itoa(n))); err != nil {
		return 0, fmt.Errorf("flood request: %w", err)
	}
	if err := wait(); err != nil {
		return 0, fmt.Errorf("flood: %w", err)
	}
	return time.Since(start), nil
}
